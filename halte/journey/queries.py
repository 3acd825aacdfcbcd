"""Reads along the journey: the waiting list with positions and estimates, the work
queues, the journey bar, and access to one referral, entry or episode."""

import datetime
import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.access import client_for_user, clients_visible_to
from halte.contact.extensions import TimelineItem, older_than
from halte.core import bsn as bsn_codec
from halte.core.models import Team
from halte.core.moments import READABLE_UNTIL_DAY
from halte.core.roles import Capability, ClientScope, can, client_scope
from halte.journey.models import (
    ACTIVE_STATUSES,
    OPEN_STAGES,
    CareEpisode,
    CareOffice,
    CareProduct,
    Intake,
    JourneyEvent,
    JourneyPolicy,
    LeftReason,
    Referral,
    Stage,
    WaitingListEntry,
)
from halte.journey.tracks import Journey, Stop, build_tracks, journey_bar

PART = "journey"
# A waiting client whose norm date is this close shows in the "about to exceed" queue.
NORM_WARNING = datetime.timedelta(days=14)
# The estimate's range covers 80% of outcomes (z for the 10th and 90th percentile).
Z_80 = 1.2816


# The estimate


@dataclass(frozen=True)
class Outflow:
    """How many clients of one queue started care in the last `weeks` weeks."""

    started: int
    weeks: int

    @property
    def per_week(self) -> float:
        return self.started / self.weeks


@dataclass(frozen=True)
class Estimate:
    """When a waiting client may expect to start, with an 80% range; all None when
    the queue had no outflow to go by."""

    expected: datetime.date | None
    earliest: datetime.date | None
    latest: datetime.date | None

    @property
    def known(self) -> bool:
        return self.expected is not None


UNKNOWN = Estimate(None, None, None)


def estimate_start(position: int, outflow: Outflow, today: datetime.date) -> Estimate:
    """The expected start of the client at `position` if places keep coming free as
    in the last weeks: clients leave the queue one at a time at the observed rate
    (a Poisson process), so the wait for the position-th place has mean
    position / rate weeks and a spread of sqrt(position) / rate weeks; the range is
    the mean plus and minus 1.28 spreads (80%)."""
    if outflow.started == 0 or position < 1:
        return UNKNOWN
    rate = outflow.per_week
    spread = Z_80 * math.sqrt(position)

    def after(weeks: float) -> datetime.date:
        # A slow queue over a long outflow window can put a far place past the year
        # 9999, which no date holds (the page would fail): kept at the latest day read.
        days = min(round(weeks * 7), (READABLE_UNTIL_DAY - today).days)
        return today + datetime.timedelta(days=days)

    return Estimate(
        expected=after(position / rate),
        earliest=after(max(position - spread, 0) / rate),
        latest=after((position + spread) / rate),
    )


def queue_outflow(product_id: int, team_id: int, today: datetime.date, weeks: int) -> Outflow:
    started = WaitingListEntry.objects.filter(
        product_id=product_id,
        team_id=team_id,
        left_reason=LeftReason.CARE_STARTED,
        left_on__gt=today - datetime.timedelta(weeks=weeks),
        left_on__lte=today,
    ).count()
    return Outflow(started=started, weeks=weeks)


def _queue(product_id: int, team_id: int):
    return WaitingListEntry.objects.filter(
        product_id=product_id, team_id=team_id, left_on__isnull=True
    ).order_by("priority", "waiting_since", "id")


# The waiting list


@dataclass
class WaitingRow:
    entry: WaitingListEntry
    position: int | None  # None: not active, so not in line for a place
    estimate: Estimate
    today: datetime.date

    @property
    def norm_exceeded(self) -> bool:
        return self.today > self.entry.norm_date

    @property
    def will_exceed_norm(self) -> bool:
        """Already over the norm, or expected (or, without an estimate, due) past it."""
        if self.norm_exceeded:
            return True
        return self.estimate.known and self.estimate.expected > self.entry.norm_date

    @property
    def update_due(self) -> bool:
        return self.entry.next_update_due <= self.today


@dataclass
class WaitingList:
    product: CareProduct
    team: Team
    rows: list[WaitingRow]
    outflow: Outflow
    waiting: int  # everyone on the list
    active: int  # those in line for a place
    page: int
    has_next: bool
    today: datetime.date = field(default_factory=timezone.localdate)


def waiting_list(
    actor: Actor,
    product: CareProduct,
    team: Team,
    *,
    page: int = 1,
    per_page: int = 50,
    today: datetime.date | None = None,
) -> WaitingList:
    """One queue (a product at a team) in order, a page of it with each client's
    position and estimate. Positions count every active client in the queue; the
    page shows only clients the user may see, and each one shown is audited."""
    today = today or timezone.localdate()
    weeks = JourneyPolicy.current().outflow_weeks
    outflow = queue_outflow(product.pk, team.pk, today, weeks)
    order = list(_queue(product.pk, team.pk).values_list("id", "status"))
    positions, position = {}, 0
    for entry_id, status in order:
        if status in ACTIVE_STATUSES:
            position += 1
            positions[entry_id] = position
    shown = _queue(product.pk, team.pk).select_related("client", "care_office")
    start = (max(page, 1) - 1) * per_page
    if client_scope(actor.user) == ClientScope.ALL:
        # The page's ids come from the order read above: an OFFSET would make the
        # database join every entry before the page to its client (5,000 in a long
        # queue) only to skip them.
        ids = [entry_id for entry_id, _ in order[start : start + per_page + 1]]
        found = shown.filter(pk__in=ids).in_bulk()
        entries = [found[entry_id] for entry_id in ids if entry_id in found]
    else:
        shown = shown.filter(client__in=clients_visible_to(actor.user))
        entries = list(shown[start : start + per_page + 1])
    rows = [
        WaitingRow(
            entry,
            positions.get(entry.pk),
            estimate_start(positions[entry.pk], outflow, today)
            if entry.pk in positions
            else UNKNOWN,
            today,
        )
        for entry in entries[:per_page]
    ]
    audit_record_listing(
        actor,
        action=Action.READ,
        part="waiting_list",
        client_ids=[r.entry.client_id for r in rows],
    )
    return WaitingList(
        product=product,
        team=team,
        rows=rows,
        outflow=outflow,
        waiting=len(order),
        active=position,
        page=max(page, 1),
        has_next=len(entries) > per_page,
        today=today,
    )


def waiting_row(entry: WaitingListEntry, today: datetime.date | None = None) -> WaitingRow:
    """One entry's position and estimate, in two counting queries."""
    today = today or timezone.localdate()
    position = None
    if entry.is_waiting and entry.status in ACTIVE_STATUSES:
        ahead = (
            Q(priority__lt=entry.priority)
            | Q(priority=entry.priority, waiting_since__lt=entry.waiting_since)
            | Q(priority=entry.priority, waiting_since=entry.waiting_since, id__lt=entry.pk)
        )
        position = (
            1
            + _queue(entry.product_id, entry.team_id)
            .filter(ahead, status__in=ACTIVE_STATUSES)
            .count()
        )
    outflow = queue_outflow(
        entry.product_id, entry.team_id, today, JourneyPolicy.current().outflow_weeks
    )
    estimate = estimate_start(position, outflow, today) if position else UNKNOWN
    return WaitingRow(entry, position, estimate, today)


def queue_choices(user):
    """The (product, team) queues the user may open: teams they belong to, or every
    team for those who see all clients."""
    teams = Team.objects.all()
    if client_scope(user) != ClientScope.ALL:
        teams = teams.filter(pk__in=user.team_ids())
    return CareProduct.objects.filter(active=True), teams


# Work queues


def _scoped(queryset, user):
    if client_scope(user) == ClientScope.ALL:
        return queryset
    return queryset.filter(client__in=clients_visible_to(user))


def _referrals(user):
    return _scoped(
        Referral.objects.select_related("client", "product", "team", "owner"), user
    ).filter(stage__in=OPEN_STAGES - {Stage.WAITING})


def referrals_without_owner(user):
    return _referrals(user).filter(owner__isnull=True).order_by("received_at", "id")


def referrals_over_norm(user, now: datetime.datetime | None = None):
    return _referrals(user).filter(due_at__lt=now or timezone.now()).order_by("due_at", "id")


def intakes_to_plan(user):
    """Referrals with an owner that have no intake planned yet."""
    return (
        _referrals(user)
        .filter(owner__isnull=False, stage__in=[Stage.RECEIVED, Stage.CONTACTED])
        .order_by("due_at", "id")
    )


def waiting_needing_attention(user, today: datetime.date | None = None):
    """Waiting clients due for an update, or whose norm date is near or past."""
    today = today or timezone.localdate()
    return (
        _scoped(WaitingListEntry.objects.select_related("client", "product", "team"), user)
        .filter(left_on__isnull=True)
        .filter(Q(next_update_due__lte=today) | Q(norm_date__lte=today + NORM_WARNING))
        .order_by("next_update_due", "norm_date", "id")
    )


def care_starting_this_week(user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    return (
        _scoped(
            CareEpisode.objects.select_related("client", "product", "team", "contact_person"), user
        )
        .filter(starts_on__range=(monday, monday + datetime.timedelta(days=6)))
        .order_by("starts_on", "id")
    )


def referral_list(
    user,
    *,
    stage: str | None = None,
    owner=None,
    unowned: bool = False,
    over_norm: bool = False,
    client_id: int | None = None,
    now: datetime.datetime | None = None,
):
    """The referrals the user may see, as the API lists them: oldest received first,
    or, over their norm, soonest due first; with the intake, waiting place and care
    each one shows, in a fixed number of queries."""
    referrals = _scoped(
        Referral.objects.select_related(
            "client",
            "product",
            "team",
            "owner",
            "intake__held_by",
            "intake__indicated_product",
            "waiting_entry",
            "care_episode",
        ).prefetch_related("intake__relatives_present"),
        user,
    )
    if stage is not None:
        referrals = referrals.filter(stage=stage)
    if owner is not None:
        referrals = referrals.filter(owner=owner)
    if unowned:
        referrals = referrals.filter(owner__isnull=True)
    if client_id is not None:
        referrals = referrals.filter(client_id=client_id)
    if over_norm:
        return referrals.filter(stage__in=OPEN_STAGES, due_at__lt=now or timezone.now()).order_by(
            "due_at", "id"
        )
    return referrals.order_by("received_at", "id")


QUEUES = {
    "unowned": referrals_without_owner,
    "over_norm": referrals_over_norm,
    "intakes": intakes_to_plan,
    "waiting": waiting_needing_attention,
    "starting": care_starting_this_week,
}


def shown_in_full_at(name: str, row, now: datetime.datetime) -> str:
    """The queue that shows a row in full: the first of the page's queues it is in. A
    referral without owner that is also over its norm is shown in full among the new
    referrals (taking it on is the next step), an intake to plan over its norm among
    those over their norm; the later queues name it and link to it."""
    if name in ("over_norm", "intakes") and row.owner_id is None:
        return "unowned"
    if name == "intakes" and row.due_at is not None and row.due_at < now:
        return "over_norm"
    return name


def queue_counts(user) -> dict[str, int]:
    """How many items each work queue holds, in one query per queue."""
    return {name: query(user).count() for name, query in QUEUES.items()}


# One client's journey


def _counted(rows):
    """A correlated COUNT(*) of `rows` as a value, 0 when none match."""
    count = rows.order_by().values("product_id").annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(count), 0)


def with_place(entries, today: datetime.date, weeks: int):
    """Entries annotated with `ahead` (active clients before them in their queue) and
    `started` (their queue's care starts in the last `weeks` weeks): positions and
    estimates for any number of entries, in the one query that reads them."""
    queue = WaitingListEntry.objects.filter(
        product_id=OuterRef("product_id"), team_id=OuterRef("team_id")
    )
    ahead = queue.filter(left_on__isnull=True, status__in=ACTIVE_STATUSES).filter(
        Q(priority__lt=OuterRef("priority"))
        | Q(priority=OuterRef("priority"), waiting_since__lt=OuterRef("waiting_since"))
        | Q(
            priority=OuterRef("priority"),
            waiting_since=OuterRef("waiting_since"),
            id__lt=OuterRef("id"),
        )
    )
    started = queue.filter(
        left_reason=LeftReason.CARE_STARTED,
        left_on__gt=today - datetime.timedelta(weeks=weeks),
        left_on__lte=today,
    )
    return entries.annotate(ahead=_counted(ahead), started=_counted(started))


def placed_row(entry: WaitingListEntry, today: datetime.date, weeks: int) -> WaitingRow:
    """The waiting row of an entry read through `with_place`."""
    position = entry.ahead + 1 if entry.status in ACTIVE_STATUSES else None
    outflow = Outflow(started=entry.started, weeks=weeks)
    estimate = estimate_start(position, outflow, today) if position else UNKNOWN
    return WaitingRow(entry, position, estimate, today)


def client_journey(actor: Actor, client_pk: int) -> Journey:
    """Every journey of the client (one per referral, and care recorded without one),
    each with its bar, waiting place and care, in a fixed number of queries however
    many there are; audited as one read of the journey."""
    client = client_for_user(actor, client_pk, capability=Capability.VIEW_JOURNEY, part=PART)
    audit_record(actor, action=Action.READ, part=PART, client_id=client.pk)
    today = timezone.localdate()
    weeks = JourneyPolicy.current().outflow_weeks
    referrals = list(
        Referral.objects.filter(client=client)
        .select_related("product", "team", "owner")
        .order_by("-received_at", "-id")
    )
    events = list(
        JourneyEvent.objects.filter(client=client).select_related("by").order_by("at", "id")
    )
    entries = list(
        with_place(WaitingListEntry.objects.filter(client=client), today, weeks).select_related(
            "product", "team", "care_office"
        )
    )
    episodes = list(
        CareEpisode.objects.filter(client=client).select_related(
            "product", "team", "contact_person"
        )
    )
    for item in (*referrals, *entries):
        item.client = client  # the one client, read once
    rows = {e.pk: placed_row(e, today, weeks) for e in entries if e.is_waiting}
    tracks = build_tracks(
        referrals=referrals, events=events, entries=entries, rows=rows, episodes=episodes
    )
    return Journey(tracks=tracks, referrals=referrals, now=timezone.now())


def news_for_relatives(client_pk: int):
    """The steps a relative who may receive information is told about, newest first."""
    return JourneyEvent.objects.filter(client_id=client_pk, shared_with_relatives=True).order_by(
        "-at", "-id"
    )


# One record, through its client's access check


def referral_for_user(actor: Actor, pk: int, *, capability=Capability.VIEW_JOURNEY) -> Referral:
    referral = (
        Referral.objects.select_related("client", "product", "team", "owner", "referrer")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    referral.client = client_for_user(actor, referral.client_id, capability=capability, part=PART)
    return referral


def waiting_entry_for_user(
    actor: Actor, pk: int, *, capability=Capability.VIEW_JOURNEY
) -> WaitingListEntry:
    entry = (
        WaitingListEntry.objects.select_related("client", "product", "team", "care_office")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    entry.client = client_for_user(actor, entry.client_id, capability=capability, part=PART)
    return entry


def episode_for_user(actor: Actor, pk: int, *, capability=Capability.VIEW_JOURNEY) -> CareEpisode:
    episode = (
        CareEpisode.objects.select_related("client", "product", "team", "contact_person")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404
    episode.client = client_for_user(actor, episode.client_id, capability=capability, part=PART)
    return episode


@dataclass
class ReferralDetail:
    referral: Referral
    intake: Intake | None
    entry: WaitingListEntry | None
    waiting: WaitingRow | None  # the place in the queue while the client waits
    episode: CareEpisode | None
    events: list[JourneyEvent]
    stops: list[Stop]
    now: datetime.datetime

    @property
    def care_starts_later(self) -> bool:
        """Care is arranged (the stage says started) but its first day is still ahead."""
        return self.episode is not None and self.episode.starts_on > timezone.localdate(self.now)


def referral_detail(actor: Actor, pk: int) -> ReferralDetail:
    """One referral with its intake, waiting-list entry, care and events, for its
    page, in a fixed number of queries; audited as a read of the journey."""
    referral = referral_for_user(actor, pk)
    audit_record(actor, action=Action.READ, part=PART, client_id=referral.client_id)
    intake = (
        Intake.objects.filter(referral=referral)
        .select_related("held_by", "indicated_product")
        .prefetch_related("relatives_present")
        .first()
    )
    entry = (
        WaitingListEntry.objects.filter(referral=referral)
        .select_related("product", "team", "care_office")
        .first()
    )
    episode = (
        CareEpisode.objects.filter(referral=referral)
        .select_related("product", "team", "contact_person")
        .first()
    )
    events = list(
        JourneyEvent.objects.filter(referral=referral).select_related("by").order_by("at", "id")
    )
    return ReferralDetail(
        referral=referral,
        intake=intake,
        entry=entry,
        waiting=waiting_row(entry) if entry and entry.is_waiting else None,
        episode=episode,
        events=events,
        stops=journey_bar(events),
        now=timezone.now(),
    )


def intake_of(referral: Referral) -> Intake | None:
    return (
        Intake.objects.filter(referral=referral)
        .select_related("held_by", "indicated_product")
        .first()
    )


def product_to_wait_for(referral: Referral) -> CareProduct:
    """The care the client waits for or starts: the intake's indication, else the care
    asked for (as the services decide it)."""
    return referral.care_after(intake_of(referral))


# The care offices' export


CARE_OFFICE_COLUMNS = (
    "client_number",
    "bsn",
    "name",
    "date_of_birth",
    "product",
    "team",
    "waiting_status",
    "priority",
    "waiting_since",
    "norm_date",
    "bridging_care",
)


def care_office_rows(actor: Actor, care_office: CareOffice):
    """The Wlz clients waiting at `care_office`, one row each, for the office's CSV.
    Requires the export capability; the export is one entry naming every client in it
    (BSN included)."""
    if not can(actor.user, Capability.EXPORT_WAITING_LIST):
        raise PermissionDenied
    entries = list(
        _scoped(WaitingListEntry.objects.select_related("client", "product", "team"), actor.user)
        .filter(care_office=care_office, left_on__isnull=True)
        .order_by("product__name", "priority", "waiting_since", "id")
    )
    audit_record_listing(
        actor,
        action=Action.EXPORT,
        part="waiting_list_bsn",
        client_ids=[e.client_id for e in entries],
    )
    for entry in entries:
        client = entry.client
        yield {
            "client_number": client.client_number,
            "bsn": bsn_codec.decrypt(client.bsn_encrypted) if client.has_bsn else "",
            "name": client.full_name,
            "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
            "product": entry.product.name,
            "team": entry.team.name,
            "waiting_status": entry.get_status_display(),
            "priority": entry.get_priority_display(),
            "waiting_since": entry.waiting_since.isoformat(),
            "norm_date": entry.norm_date.isoformat(),
            "bridging_care": entry.bridging_care,
        }


# The client's timeline (contact's), through contact.extensions


def timeline_steps(client, *, limit, before=None, after=None) -> list[TimelineItem]:
    """The client's journey steps for its timeline, newest first (a TimelineSource,
    registered in JourneyConfig.ready())."""
    steps = JourneyEvent.objects.filter(client=client).select_related("by")
    if before is not None:
        steps = steps.filter(at__lt=before)
    if after is not None:
        steps = steps.filter(older_than(after, "journey", "at"))
    return [
        TimelineItem("journey", e.at, e, template="journey/_timeline_step.html")
        for e in steps.order_by("-at", "-id")[:limit]
    ]

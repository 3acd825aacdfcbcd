"""Writes along the client's journey. Each runs in one transaction, records its
JourneyEvent and appends to the audit log; stale versions and impossible steps are
refused before anything is written."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.access import clients_visible_to
from halte.clients.models import Client, ClientStatus, Relation
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.contact import services as contact_services
from halte.contact.models import (
    Channel,
    CommitmentKind,
    Direction,
    InteractionOutcome,
    ServiceLevelPolicy,
)
from halte.core.errors import Conflict
from halte.core.events import publish
from halte.core.models import Team, User
from halte.core.roles import Capability, ClientScope, can, client_scope
from halte.core.validation import (
    CARE_DAY,
    PAST_MOMENT,
    PLANNED_MOMENT,
    REQUIRED,
    Errors,
    check_choice,
    check_date,
    check_moment,
    check_text,
)
from halte.journey import events
from halte.journey.models import (
    NEEDS_REASON,
    OTHER_STATUSES,
    WLZ_STATUSES,
    CareEpisode,
    CareOffice,
    CareProduct,
    EndReason,
    EventKind,
    Intake,
    IntakeMode,
    IntakeOutcome,
    JourneyEvent,
    JourneyPolicy,
    LeftReason,
    Priority,
    Referral,
    ReferralSource,
    Stage,
    Urgency,
    WaitingListEntry,
    WaitingStatus,
)

PART = "journey"
STALE = _("Someone else changed this in the meantime; reload and try again.")
RELATION_OF_OTHER_CLIENT = _("This relation belongs to another client.")
BEFORE_RECEIPT = _("This cannot lie before the referral was received.")
IN_THE_FUTURE = _("This cannot lie in the future.")
NOT_OFFERED = _("We no longer offer this care.")
INACTIVE_STAFF = _("This person no longer works here.")
CANNOT_PLAN = _("This person does not plan referrals.")
CANNOT_HOLD_INTAKE = _("This person does not hold intakes.")
CANNOT_SEE_CLIENT = _("This person cannot work for this client.")
NOT_IN_TEAM = _("This person is not a member of the team.")
WLZ_STATUS_ONLY = _("Long-term care (Wlz) uses the care offices' statuses.")
PLAIN_STATUS_ONLY = _("Use active or not active for this care.")
CARE_OFFICE_NEEDED = _("Long-term care (Wlz) waits at a care office; choose one.")
NOTHING_CHANGED = _("Nothing was changed.")
NOT_WAITING = _("This client is no longer on the waiting list.")
ALREADY_ENDED = _("This care has already ended.")
END_BEFORE_START = _("Care cannot end before it started.")
NOT_A_NUMBER = _("Enter a number of hours between 0 and 99.")
# Stages with a form of their own: the generic move refuses them.
_OWN_FORMS = {
    Stage.INTAKE_PLANNED: _("Plan the intake instead."),
    Stage.INTAKE_DONE: _("Record the intake instead."),
    Stage.WAITING: _("Place the client on the waiting list instead."),
    Stage.CARE_STARTED: _("Start the care instead."),
}
_CLOSING_EVENTS = {
    Stage.DECLINED: EventKind.DECLINED,
    Stage.WITHDRAWN: EventKind.WITHDRAWN,
    Stage.REFERRED_ELSEWHERE: EventKind.REFERRED_ELSEWHERE,
}
_LEFT_REASONS = {
    Stage.WITHDRAWN: LeftReason.WITHDRAWN,
    Stage.REFERRED_ELSEWHERE: LeftReason.REFERRED_ELSEWHERE,
}


class TransitionRefused(Conflict):
    """The step does not fit the referral's stage (care start for a withdrawn one, ...)."""


def _refuse(referral: Referral, stage: str):
    return TransitionRefused(
        format_lazy(
            _("A referral that is “{current}” cannot go to “{target}”."),
            current=Stage(referral.stage).label,
            target=Stage(stage).label,
        )
    )


def _event(actor: Actor, client: Client, kind: str, *, at=None, shared=False, **links):
    return JourneyEvent.objects.create(
        client=client,
        kind=kind,
        at=at or timezone.now(),
        by=actor.user,
        shared_with_relatives=shared,
        **links,
    )


def _lock(model, instance, version: int | None):
    locked = model.objects.select_for_update().get(pk=instance.pk)
    if version is not None and locked.version != version:
        raise Conflict(STALE)
    return locked


def _save(instance, *fields: str) -> None:
    instance.version += 1
    instance.save(update_fields=[*fields, "version", "updated_at"])


def _due(
    stage: str, since: datetime.datetime, *, urgent: bool, intake_at=None
) -> datetime.datetime | None:
    """When the referral should have left `stage`, by the journey policy's norms. An
    urgent referral is contacted the same working day."""
    policy, hours = JourneyPolicy.current(), ServiceLevelPolicy.current().hours
    days = {
        Stage.RECEIVED: 0 if urgent else policy.contact_within_days,
        Stage.CONTACTED: policy.plan_intake_within_days,
        Stage.INTAKE_DONE: policy.decide_within_days,
    }
    if stage == Stage.INTAKE_PLANNED:
        # Written up by the end of the (working) day it was held.
        return hours.closing_on_or_after(intake_at, 0)
    if stage in days:
        return hours.closing_on_or_after(since, days[stage])
    return None


def _set_stage(referral: Referral, stage: str, now, *, intake_at=None) -> None:
    referral.stage = stage
    referral.stage_since = now
    referral.due_at = _due(
        stage, now, urgent=referral.urgency == Urgency.URGENT, intake_at=intake_at
    )


def _check_staff(errors: Errors, field: str, user: User | None, capability, message, client):
    if user is None:
        return
    if not user.is_active:
        errors.add(field, INACTIVE_STAFF)
    elif not can(user, capability):
        errors.add(field, message)
    elif not clients_visible_to(user).filter(pk=client.pk).exists():
        errors.add(field, CANNOT_SEE_CLIENT)


def _check_moment(errors: Errors, field: str, moment, referral: Referral, *, past_only=False):
    if moment is None:
        errors.add(field, REQUIRED)
    elif moment < referral.received_at:
        errors.add(field, BEFORE_RECEIPT)
    elif past_only and moment > timezone.now():
        errors.add(field, IN_THE_FUTURE)
    else:
        check_moment(errors, field, moment, PAST_MOMENT if past_only else PLANNED_MOMENT)


def _hours(errors: Errors, value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        hours = None
    if hours is None or not hours.is_finite() or not 0 <= hours < 100:
        errors.add("hours_per_week", NOT_A_NUMBER)
        return None
    return hours.quantize(Decimal("0.1"))


# Referral


def referral_register(
    *,
    actor: Actor,
    client: Client,
    source: str,
    product: CareProduct,
    team: Team | None = None,
    urgency: str = Urgency.REGULAR,
    received_at: datetime.datetime | None = None,
    referrer: Relation | None = None,
    question: str = "",
    owner: User | None = None,
) -> Referral:
    """Someone asks care for the client: the pipeline starts at 'received'."""
    with transaction.atomic():
        errors = Errors()
        check_choice(errors, "source", source, ReferralSource)
        check_choice(errors, "urgency", urgency, Urgency)
        text = check_text(errors, Referral, "question", question)
        if not product.active:
            errors.add("product", NOT_OFFERED)
        if referrer is not None and referrer.client_id != client.pk:
            errors.add("referrer_id", RELATION_OF_OTHER_CLIENT)
        team = team or client.team
        if team is None:
            errors.add("team", REQUIRED)
        _check_own_team(errors, team, actor)
        now = timezone.now()
        received_at = received_at or now
        if received_at > now:
            errors.add("received_at", IN_THE_FUTURE)
        else:
            check_moment(errors, "received_at", received_at, PAST_MOMENT)
        _check_staff(errors, "owner", owner, Capability.PLAN_JOURNEY, CANNOT_PLAN, client)
        errors.raise_if_any()
        referral = Referral(
            client=client,
            source=source,
            referrer=referrer,
            product=product,
            team=team,
            urgency=urgency,
            received_at=received_at,
            question=text,
            owner=owner,
        )
        _set_stage(referral, Stage.RECEIVED, received_at)
        referral.save()
        if client.team_id is None:
            # A new client belongs to the team that takes the referral.
            _update_client(client, team=team)
        _event(
            actor,
            client,
            EventKind.REFERRAL_RECEIVED,
            at=received_at,
            referral=referral,
            detail=str(product),
            shared=True,
        )
        if owner is not None:
            _event(
                actor,
                client,
                EventKind.OWNER_ASSIGNED,
                referral=referral,
                detail=owner.get_full_name(),
            )
        audit_record(actor, action=Action.CREATE, part=PART, client_id=client.pk)
        publish(
            events.ReferralReceived(
                client_id=client.pk,
                referral_id=referral.pk,
                product_id=product.pk,
                team_id=team.pk,
                urgency=urgency,
            )
        )
        return referral


def referral_assign(
    *, actor: Actor, referral: Referral, owner: User, version: int | None = None
) -> Referral:
    """Give the referral an owner: the planner who sees it through."""
    with transaction.atomic():
        locked = _lock(Referral, referral, version)
        errors = Errors()
        _check_staff(errors, "owner", owner, Capability.PLAN_JOURNEY, CANNOT_PLAN, locked.client)
        if not locked.is_open:
            errors.add("owner", _("This referral has been closed."))
        errors.raise_if_any()
        locked.owner = owner
        _save(locked, "owner")
        _event(
            actor,
            locked.client,
            EventKind.OWNER_ASSIGNED,
            referral=locked,
            detail=owner.get_full_name(),
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        return locked


def referral_move(
    *,
    actor: Actor,
    referral: Referral,
    stage: str,
    reason: str = "",
    version: int | None = None,
) -> Referral:
    """First contact made, or the referral ends: declined, withdrawn or referred
    elsewhere (with a reason). A client leaving this way also leaves the waiting list."""
    with transaction.atomic():
        errors = Errors()
        check_choice(errors, "stage", stage, Stage)
        errors.raise_if_any()
        if stage in _OWN_FORMS:
            raise TransitionRefused(_OWN_FORMS[stage])
        locked = _lock(Referral, referral, version)
        if not locked.can_move_to(stage):
            raise _refuse(locked, stage)
        text = check_text(errors, Referral, "closed_reason", reason, required=stage in NEEDS_REASON)
        if errors.by_field:
            errors.by_field["reason"] = errors.by_field.pop("closed_reason")
        errors.raise_if_any()
        now = timezone.now()
        _set_stage(locked, stage, now)
        locked.closed_reason = text if stage in NEEDS_REASON else locked.closed_reason
        _save(locked, "stage", "stage_since", "due_at", "closed_reason")
        if stage in _LEFT_REASONS:
            _leave_waiting_list(locked, _LEFT_REASONS[stage], timezone.localdate(now))
        kind = _CLOSING_EVENTS.get(stage, EventKind.CONTACTED)
        _event(
            actor,
            locked.client,
            kind,
            at=now,
            referral=locked,
            detail=text,
            shared=stage in NEEDS_REASON,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        if stage in _CLOSING_EVENTS:
            publish(
                events.ReferralClosed(
                    client_id=locked.client_id, referral_id=locked.pk, stage=stage
                )
            )
        return locked


def _leave_waiting_list(referral: Referral, reason: str, on: datetime.date) -> None:
    WaitingListEntry.objects.filter(referral=referral, left_on__isnull=True).update(
        left_on=on, left_reason=reason, version=F("version") + 1, updated_at=timezone.now()
    )


# Intake


def intake_plan(
    *,
    actor: Actor,
    referral: Referral,
    planned_at: datetime.datetime | None,
    held_by: User | None,
    mode: str = IntakeMode.HOME_VISIT,
    relatives_present: list[Relation] = (),
    version: int | None = None,
) -> Intake:
    """Plan the intake, or move it to another time (the same intake, planned anew)."""
    with transaction.atomic():
        locked = _lock(Referral, referral, version)
        if not locked.can_move_to(Stage.INTAKE_PLANNED):
            raise _refuse(locked, Stage.INTAKE_PLANNED)
        errors = Errors()
        check_choice(errors, "mode", mode, IntakeMode)
        _check_moment(errors, "planned_at", planned_at, locked)
        if held_by is None:
            errors.add("held_by", REQUIRED)
        _check_staff(
            errors, "held_by", held_by, Capability.RECORD_INTAKE, CANNOT_HOLD_INTAKE, locked.client
        )
        if any(relation.client_id != locked.client_id for relation in relatives_present):
            errors.add("relatives_present", RELATION_OF_OTHER_CLIENT)
        errors.raise_if_any()
        intake, created = Intake.objects.update_or_create(
            referral=locked, defaults={"planned_at": planned_at, "held_by": held_by, "mode": mode}
        )
        intake.relatives_present.set(relatives_present)
        now = timezone.now()
        _set_stage(locked, Stage.INTAKE_PLANNED, now, intake_at=planned_at)
        _save(locked, "stage", "stage_since", "due_at")
        when = timezone.localtime(planned_at).strftime("%d-%m-%Y %H:%M")
        _event(
            actor,
            locked.client,
            EventKind.INTAKE_PLANNED,
            at=now,
            referral=locked,
            detail=f"{when}, {held_by.get_full_name()}",
            shared=True,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        publish(
            events.IntakePlanned(
                client_id=locked.client_id,
                referral_id=locked.pk,
                intake_id=intake.pk,
                planned_at=planned_at,
                held_by_id=held_by.pk,
                mode=mode,
                rescheduled=not created,
            )
        )
        return intake


def intake_complete(
    *,
    actor: Actor,
    intake: Intake,
    held_at: datetime.datetime | None,
    outcome: str,
    indicated_product: CareProduct | None = None,
    hours_per_week=None,
    summary: str = "",
    agreements: list[str] = (),
    version: int | None = None,
) -> Intake:
    """The intake was held: its outcome, the indication and the agreements made, each
    agreement a promise owned by whoever held the intake."""
    with transaction.atomic():
        referral = _lock(Referral, intake.referral, version)
        if not referral.can_move_to(Stage.INTAKE_DONE):
            raise _refuse(referral, Stage.INTAKE_DONE)
        errors = Errors()
        check_choice(errors, "outcome", outcome, IntakeOutcome)
        _check_moment(errors, "held_at", held_at, referral, past_only=True)
        text = check_text(errors, Intake, "summary", summary)
        hours = _hours(errors, hours_per_week)
        if outcome == IntakeOutcome.CARE_NEEDED and indicated_product is None:
            errors.add("indicated_product", REQUIRED)
        elif indicated_product is not None and not indicated_product.active:
            errors.add("indicated_product", NOT_OFFERED)
        promises = [line.strip() for line in agreements if line and line.strip()]
        errors.raise_if_any()
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        intake.held_at, intake.outcome, intake.summary = held_at, outcome, text
        intake.indicated_product = (
            indicated_product if outcome == IntakeOutcome.CARE_NEEDED else None
        )
        intake.hours_per_week = hours if outcome == IntakeOutcome.CARE_NEEDED else None
        intake.save()
        for promise in promises:
            contact_services.commitment_create(
                actor=actor,
                client=referral.client,
                kind=CommitmentKind.OTHER,
                description=promise,
                owner_user=intake.held_by,
            )
        now = timezone.now()
        _set_stage(referral, Stage.INTAKE_DONE, now)
        _save(referral, "stage", "stage_since", "due_at")
        _event(
            actor,
            referral.client,
            EventKind.INTAKE_DONE,
            at=held_at,
            referral=referral,
            detail=str(IntakeOutcome(outcome).label),
            shared=True,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=referral.client_id)
        return intake


# Waiting list


def _check_status(errors: Errors, product: CareProduct, status: str, care_office) -> None:
    if status not in WaitingStatus.values:
        check_choice(errors, "status", status, WaitingStatus)
    elif product.is_wlz and status not in WLZ_STATUSES:
        errors.add("status", WLZ_STATUS_ONLY)
    elif not product.is_wlz and status not in OTHER_STATUSES:
        errors.add("status", PLAIN_STATUS_ONLY)
    if product.is_wlz and care_office is None:
        errors.add("care_office", CARE_OFFICE_NEEDED)


def _check_priority(errors: Errors, priority) -> None:
    if priority not in Priority.values:
        errors.add("priority", _("Choose a priority."))


def waiting_list_place(
    *,
    actor: Actor,
    referral: Referral,
    status: str,
    priority: int = Priority.NORMAL,
    care_office: CareOffice | None = None,
    bridging_care: str = "",
    version: int | None = None,
) -> WaitingListEntry:
    """The client waits for the indicated care (else the requested care) at the
    referral's team. The norm date counts from the referral's receipt."""
    with transaction.atomic():
        locked = _lock(Referral, referral, version)
        if not locked.can_move_to(Stage.WAITING):
            raise _refuse(locked, Stage.WAITING)
        intake = Intake.objects.filter(referral=locked).select_related("indicated_product").first()
        product = locked.care_after(intake)
        errors = Errors()
        _check_status(errors, product, status, care_office)
        _check_priority(errors, priority)
        bridging = check_text(errors, WaitingListEntry, "bridging_care", bridging_care)
        errors.raise_if_any()
        now = timezone.now()
        today = timezone.localdate(now)
        policy = JourneyPolicy.current()
        entry = WaitingListEntry.objects.create(
            referral=locked,
            client=locked.client,
            product=product,
            team=locked.team,
            care_office=care_office if product.is_wlz else None,
            priority=priority,
            status=status,
            waiting_since=today,
            norm_date=timezone.localdate(locked.received_at)
            + datetime.timedelta(days=product.norm_days),
            next_update_due=today + datetime.timedelta(days=policy.update_every_days),
            bridging_care=bridging,
        )
        _set_stage(locked, Stage.WAITING, now)
        _save(locked, "stage", "stage_since", "due_at")
        _event(
            actor,
            locked.client,
            EventKind.WAITING,
            at=now,
            referral=locked,
            detail=f"{product}, {WaitingStatus(status).label}",
            shared=True,
        )
        if bridging:
            _event(
                actor,
                locked.client,
                EventKind.BRIDGING_CARE,
                at=now,
                referral=locked,
                detail=bridging,
            )
        audit_record(actor, action=Action.CREATE, part=PART, client_id=locked.client_id)
        publish(
            events.WaitingListEntered(
                client_id=locked.client_id,
                referral_id=locked.pk,
                entry_id=entry.pk,
                product_id=product.pk,
                team_id=entry.team_id,
            )
        )
        return entry


def _lock_waiting(entry: WaitingListEntry, version: int | None) -> WaitingListEntry:
    locked = _lock(WaitingListEntry, entry, version)
    if not locked.is_waiting:
        raise Conflict(NOT_WAITING)
    return locked


def waiting_entry_change(
    *,
    actor: Actor,
    entry: WaitingListEntry,
    reason: str,
    priority: int | None = None,
    status: str | None = None,
    version: int | None = None,
) -> WaitingListEntry:
    """Change priority or waiting status; who and why go into the journey."""
    with transaction.atomic():
        locked = _lock_waiting(entry, version)
        errors = Errors()
        if priority is not None:
            _check_priority(errors, priority)
        if status is not None:
            _check_status(errors, locked.product, status, locked.care_office)
        why = check_text(errors, JourneyEvent, "detail", reason, required=True)
        if errors.by_field.get("detail"):
            errors.by_field["reason"] = errors.by_field.pop("detail")
        changes = []
        # An unknown value is refused above; it has no label to name the change with.
        if (
            priority is not None
            and "priority" not in errors.by_field
            and priority != locked.priority
        ):
            changes.append(f"{Priority(locked.priority).label} → {Priority(priority).label}")
        if status is not None and "status" not in errors.by_field and status != locked.status:
            changes.append(f"{WaitingStatus(locked.status).label} → {WaitingStatus(status).label}")
        if not changes and not errors.by_field:
            errors.add("priority", NOTHING_CHANGED)
        errors.raise_if_any()
        locked.priority = priority if priority is not None else locked.priority
        locked.status = status if status is not None else locked.status
        _save(locked, "priority", "status")
        _event(
            actor,
            locked.client,
            EventKind.PRIORITY_CHANGED,
            referral_id=locked.referral_id,
            detail=f"{'; '.join(changes)}: {why}"[:500],
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        return locked


def waiting_update_given(
    *,
    actor: Actor,
    entry: WaitingListEntry,
    channel: str,
    summary: str,
    version: int | None = None,
    log_contact: bool = True,
) -> WaitingListEntry:
    """The client (or a relative) was told where they stand: the contact is logged and
    the next update falls due a policy interval later. A message sent by Halte is its
    own contact on the timeline (`log_contact=False`)."""
    with transaction.atomic():
        locked = _lock_waiting(entry, version)
        if log_contact:
            contact_services.interaction_log(
                actor=actor,
                client=locked.client,
                channel=channel,
                direction=Direction.OUT,
                topic=str(_("Waiting-list update")),
                summary=summary,
                outcome=InteractionOutcome.RESOLVED,
            )
        today = timezone.localdate()
        locked.last_update_on = today
        locked.next_update_due = today + datetime.timedelta(
            days=JourneyPolicy.current().update_every_days
        )
        _save(locked, "last_update_on", "next_update_due")
        _event(
            actor,
            locked.client,
            EventKind.WAITING_UPDATE,
            referral_id=locked.referral_id,
            detail=str(Channel(channel).label),
            shared=True,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        publish(
            events.WaitingListUpdateGiven(
                client_id=locked.client_id,
                referral_id=locked.referral_id,
                entry_id=locked.pk,
                channel=channel,
                next_update_due=locked.next_update_due,
            )
        )
        return locked


def publish_waiting_updates_due(*, since: datetime.date, until: datetime.date) -> int:
    """Announce the waiting clients whose next update falls due on a day of
    [since, until); returns how many. Nothing is marked: a scheduler that runs each
    day once announces each due update once; giving the update moves the next one a
    policy interval on (waiting_update_given)."""
    with transaction.atomic():
        due = (
            WaitingListEntry.objects.filter(
                left_on__isnull=True, next_update_due__gte=since, next_update_due__lt=until
            )
            .order_by("next_update_due", "pk")
            .values_list("client_id", "referral_id", "pk", "next_update_due")
        )
        count = 0
        for client_id, referral_id, pk, due_on in due:
            publish(
                events.WaitingListUpdateDue(
                    client_id=client_id, referral_id=referral_id, entry_id=pk, due_on=due_on
                )
            )
            count += 1
        return count


def bridging_care_record(
    *, actor: Actor, entry: WaitingListEntry, text: str, version: int | None = None
) -> WaitingListEntry:
    """What care the client gets while waiting (empty: none any more)."""
    with transaction.atomic():
        locked = _lock_waiting(entry, version)
        errors = Errors()
        bridging = check_text(errors, WaitingListEntry, "bridging_care", text)
        errors.raise_if_any()
        locked.bridging_care = bridging
        _save(locked, "bridging_care")
        _event(
            actor,
            locked.client,
            EventKind.BRIDGING_CARE,
            referral_id=locked.referral_id,
            detail=bridging or str(_("Bridging care stopped")),
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        return locked


# Care


def _update_client(client: Client, **fields) -> None:
    locked = Client.objects.select_for_update().get(pk=client.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*fields, "version", "updated_at"])


def _check_own_team(errors: Errors, team: Team | None, actor: Actor) -> None:
    """A user who sees only their own teams' clients (care professional, team lead)
    keeps a referral and care in one of them, as the forms offer: the client follows
    the care's team, and would drop out of their view."""
    user = actor.user
    if team is None or client_scope(user) != ClientScope.OWN_TEAMS:
        return
    if team.pk not in user.team_ids():
        errors.add("team", TEAM_OUTSIDE_OWN)


def _check_contact_person(errors: Errors, person: User | None, team: Team) -> None:
    """A care professional of the care team: membership lets them see the client."""
    if person is None:
        errors.add("contact_person", REQUIRED)
    elif not person.is_active:
        errors.add("contact_person", INACTIVE_STAFF)
    elif not can(person, Capability.VIEW_CARE_NOTES):
        errors.add("contact_person", CANNOT_SEE_CLIENT)
    elif not person.teams.filter(pk=team.pk).exists():
        errors.add("contact_person", NOT_IN_TEAM)


def care_start(
    *,
    actor: Actor,
    referral: Referral,
    starts_on: datetime.date | None,
    contact_person: User | None,
    team: Team | None = None,
    hours_per_week=None,
    version: int | None = None,
) -> CareEpisode:
    """Care begins (today or on a planned day) with a fixed contact person, who from
    now on is the client's contact wherever the client appears."""
    with transaction.atomic():
        locked = _lock(Referral, referral, version)
        if not locked.can_move_to(Stage.CARE_STARTED):
            raise _refuse(locked, Stage.CARE_STARTED)
        team = team or locked.team
        intake = Intake.objects.filter(referral=locked).first()
        product = locked.care_after(intake)
        errors = Errors()
        if starts_on is None:
            errors.add("starts_on", REQUIRED)
        elif starts_on < timezone.localdate(locked.received_at):
            errors.add("starts_on", BEFORE_RECEIPT)
        else:
            check_date(errors, "starts_on", starts_on, CARE_DAY)
        client = locked.client
        _check_own_team(errors, team, actor)
        _check_contact_person(errors, contact_person, team)
        hours = _hours(errors, hours_per_week)
        if hours is None and intake is not None:
            hours = intake.hours_per_week
        errors.raise_if_any()
        episode = CareEpisode.objects.create(
            client=client,
            referral=locked,
            product=product,
            team=team,
            contact_person=contact_person,
            hours_per_week=hours,
            starts_on=starts_on,
        )
        now = timezone.now()
        _set_stage(locked, Stage.CARE_STARTED, now)
        _save(locked, "stage", "stage_since", "due_at")
        _leave_waiting_list(locked, LeftReason.CARE_STARTED, timezone.localdate(now))
        _update_client(
            client, team=team, primary_contact=contact_person, status=ClientStatus.IN_CARE
        )
        _event(
            actor,
            client,
            EventKind.CARE_STARTED,
            at=now,
            referral=locked,
            episode=episode,
            detail=f"{product}, {contact_person.get_full_name()}",
            shared=True,
        )
        audit_record(actor, action=Action.CREATE, part=PART, client_id=client.pk)
        publish(
            events.CareStarted(
                client_id=client.pk,
                referral_id=locked.pk,
                episode_id=episode.pk,
                team_id=team.pk,
                contact_person_id=contact_person.pk,
                starts_on=starts_on,
            )
        )
        return episode


def _lock_running(episode: CareEpisode, version: int | None) -> CareEpisode:
    locked = _lock(CareEpisode, episode, version)
    if not locked.is_running:
        raise Conflict(ALREADY_ENDED)
    return locked


def contact_person_change(
    *,
    actor: Actor,
    episode: CareEpisode,
    contact_person: User | None,
    version: int | None = None,
) -> CareEpisode:
    """A new fixed contact person; relatives who may receive information see it."""
    with transaction.atomic():
        locked = _lock_running(episode, version)
        errors = Errors()
        _check_contact_person(errors, contact_person, locked.team)
        if contact_person is not None and contact_person.pk == locked.contact_person_id:
            errors.add("contact_person", NOTHING_CHANGED)
        errors.raise_if_any()
        previous_id = locked.contact_person_id
        locked.contact_person = contact_person
        _save(locked, "contact_person")
        _update_client(locked.client, primary_contact=contact_person)
        _event(
            actor,
            locked.client,
            EventKind.CONTACT_PERSON_CHANGED,
            episode=locked,
            referral_id=locked.referral_id,
            detail=contact_person.get_full_name(),
            shared=True,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        publish(
            events.ContactPersonChanged(
                client_id=locked.client_id,
                episode_id=locked.pk,
                contact_person_id=contact_person.pk,
                previous_contact_person_id=previous_id,
            )
        )
        return locked


def care_end(
    *,
    actor: Actor,
    episode: CareEpisode,
    ended_on: datetime.date | None,
    reason: str,
    version: int | None = None,
) -> CareEpisode:
    """Care ends, with the reason. Without other running care the client's contact
    person is cleared and their status follows."""
    with transaction.atomic():
        locked = _lock_running(episode, version)
        errors = Errors()
        check_choice(errors, "reason", reason, EndReason)
        if ended_on is None:
            errors.add("ended_on", REQUIRED)
        elif ended_on < locked.starts_on:
            errors.add("ended_on", END_BEFORE_START)
        elif ended_on > timezone.localdate():
            errors.add("ended_on", IN_THE_FUTURE)
        else:
            check_date(errors, "ended_on", ended_on, CARE_DAY)
        errors.raise_if_any()
        locked.ended_on, locked.end_reason = ended_on, reason
        _save(locked, "ended_on", "end_reason")
        others = CareEpisode.objects.filter(client_id=locked.client_id, ended_on__isnull=True)
        if reason == EndReason.DECEASED:
            _update_client(locked.client, primary_contact=None, status=ClientStatus.DECEASED)
        elif not others.exists():
            _update_client(locked.client, primary_contact=None, status=ClientStatus.ENDED)
        _event(
            actor,
            locked.client,
            EventKind.CARE_ENDED,
            episode=locked,
            referral_id=locked.referral_id,
            detail=str(EndReason(reason).label),
            shared=True,
        )
        audit_record(actor, action=Action.UPDATE, part=PART, client_id=locked.client_id)
        publish(
            events.CareEnded(
                client_id=locked.client_id,
                referral_id=locked.referral_id,
                episode_id=locked.pk,
                ended_on=ended_on,
                reason=reason,
            )
        )
        return locked

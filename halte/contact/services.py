"""Writes of contacts and promises. Each runs in one transaction with its audit entry."""

import dataclasses
import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing, audit_record_many
from halte.clients.access import clients_visible_to
from halte.clients.models import Client, ClientStatus, Relation
from halte.contact.events import PromiseKept, PromiseMade, PromiseNearlyDue, PromiseOverdue
from halte.contact.models import (
    AttemptOutcome,
    CallEvent,
    CallState,
    Channel,
    Commitment,
    CommitmentAttempt,
    CommitmentKind,
    CommitmentStatus,
    Direction,
    Interaction,
    InteractionOutcome,
    InteractionStatus,
    ServiceLevelPolicy,
    call_timeouts,
    stale_call_q,
)
from halte.contact.queries import CallerMatch, callers_for_number, default_callback_number
from halte.core import phone as phone_codec
from halte.core.errors import Conflict
from halte.core.events import publish
from halte.core.models import Team, User
from halte.core.roles import Capability, can
from halte.core.validation import (
    PAST_MOMENT,
    PLANNED_MOMENT,
    SYSTEM_MOMENT,
    Errors,
    check_choice,
    check_moment,
    check_text,
)

RELATION_OF_OTHER_CLIENT = _("This relation belongs to another client.")
IN_THE_FUTURE = _("A contact cannot take place in the future.")
DUE_IN_THE_PAST = _("The due time must lie in the future.")
ONE_OWNER = _("Give the promise one owner: a person or a team.")
INACTIVE_OWNER = _("This person no longer works here.")
OWNER_CANNOT_SEE_CLIENT = _("This person cannot work for this client; choose a team instead.")
ALREADY_DONE = _("This promise has already been kept.")
ALREADY_COMPLETED = _("This contact has already been written up.")
ALREADY_PUT_ASIDE = _("This call has already been put aside.")
CALL_STILL_GOING = _("This call is still going on; it can be put aside once it is over.")
ANSWERED_CALL_TO_WRITE_UP = _(
    "This call was answered: write it up. Only a call no one answered can be put aside."
)
CLIENT_DECEASED = _("This client has died: no promises are made about them any more.")
WITHHELD_NUMBERS = frozenset({"", "anonymous", "withheld", "private", "unknown", "restricted"})
TELEPHONY = "telephone system"
CALL_TIMEOUT = "call time-out"


def _check_relation(errors: Errors, client: Client | None, relation: Relation | None) -> None:
    if relation is not None and (client is None or relation.client_id != client.pk):
        errors.add("relation_id", RELATION_OF_OTHER_CLIENT)


def _clean_contact(errors: Errors, fields: dict) -> dict:
    return {
        "topic": check_text(errors, Interaction, "topic", fields.get("topic", ""), one_line=True),
        "summary": check_text(errors, Interaction, "summary", fields.get("summary", "")),
        "outcome": check_choice(errors, "outcome", fields.get("outcome"), InteractionOutcome),
    }


def interaction_log(
    *,
    actor: Actor,
    client: Client | None,
    channel: str,
    direction: str,
    relation: Relation | None = None,
    occurred_at: datetime.datetime | None = None,
    **fields,
) -> Interaction:
    """Record a contact that took place on any channel."""
    with transaction.atomic():
        errors = Errors()
        clean = _clean_contact(errors, fields)
        check_choice(errors, "channel", channel, Channel)
        check_choice(errors, "direction", direction, Direction)
        _check_relation(errors, client, relation)
        now = timezone.now()
        if occurred_at is not None and occurred_at > now + datetime.timedelta(minutes=5):
            errors.add("occurred_at", IN_THE_FUTURE)
        else:
            check_moment(errors, "occurred_at", occurred_at, PAST_MOMENT)
        errors.raise_if_any()
        interaction = Interaction.objects.create(
            client=client,
            relation=relation,
            channel=channel,
            direction=direction,
            staff=actor.user,
            occurred_at=occurred_at or now,
            status=InteractionStatus.COMPLETED,
            **clean,
        )
        if client is not None:
            audit_record(actor, action=Action.CREATE, part="contacts", client_id=client.pk)
        return interaction


def interaction_complete(
    *,
    actor: Actor,
    interaction: Interaction,
    client: Client | None,
    relation: Relation | None = None,
    **fields,
) -> Interaction:
    """Write up an open (telephone) contact: who it was with, about what, and how it ended."""
    with transaction.atomic():
        locked = _lock_open_call(interaction)
        errors = Errors()
        clean = _clean_contact(errors, fields)
        _check_relation(errors, client, relation)
        errors.raise_if_any()
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.client, locked.relation = client, relation
        locked.staff = locked.staff or actor.user
        locked.status = InteractionStatus.COMPLETED
        locked.save()
        if client is not None:
            audit_record(actor, action=Action.CREATE, part="contacts", client_id=client.pk)
        return locked


def _lock_open_call(interaction: Interaction) -> Interaction:
    locked = Interaction.objects.select_for_update().get(pk=interaction.pk)
    if locked.status == InteractionStatus.DISCARDED:
        raise Conflict(ALREADY_PUT_ASIDE)
    if locked.status != InteractionStatus.OPEN:
        raise Conflict(ALREADY_COMPLETED)
    return locked


def interaction_discard(*, actor: Actor, interaction: Interaction) -> Interaction:
    """Put aside a call no one answered, without a write-up: it leaves the agent's
    list and never enters the client's history. An answered call is a contact and
    must be written up."""
    with transaction.atomic():
        locked = _lock_open_call(interaction)
        if locked.call_state_at(timezone.now()) != CallState.ENDED:
            raise Conflict(CALL_STILL_GOING)
        if not locked.is_missed_call:
            raise Conflict(ANSWERED_CALL_TO_WRITE_UP)
        locked.status = InteractionStatus.DISCARDED
        locked.staff = locked.staff or actor.user
        locked.save(update_fields=["status", "staff", "updated_at"])
        if locked.client_id is not None:
            audit_record(actor, action=Action.UPDATE, part="contacts", client_id=locked.client_id)
        return locked


def close_stale_calls(*, now: datetime.datetime | None = None) -> int:
    """End the calls still ringing or answered past their time-out (the telephone
    system never sent `ended`); returns how many. Idempotent: a closed call is no
    longer stale. The draft itself stays open for the agent to write up.

    The first read touches only the few live calls (a partial index holds them) and
    takes no write lock, so the usual case, nothing stale, costs one small query."""
    now = now or timezone.now()
    if not Interaction.objects.filter(stale_call_q(now)).exists():
        return 0
    with transaction.atomic():
        # Again under the lock: another closer may have been first (on PostgreSQL
        # its rows are skipped; on SQLite writers queue on the writer lock).
        stale = list(
            Interaction.objects.filter(stale_call_q(now))
            .select_for_update(skip_locked=True)
            .values_list("pk", "client_id")
        )
        Interaction.objects.filter(pk__in=[pk for pk, _ in stale]).update(
            call_state=CallState.ENDED,
            ended_at=_timed_out_at(),
            call_timed_out=True,
            updated_at=now,
        )
        # A change to each client's contact record, not a look at a list: an entry each.
        client_ids = sorted({client_id for _, client_id in stale if client_id is not None})
        audit_record_many(
            Actor.system(CALL_TIMEOUT), action=Action.UPDATE, part="contacts", client_ids=client_ids
        )
    return len(stale)


def _timed_out_at() -> Case:
    """When a stale call's time-out passed: its end as far as anyone can know, not the
    later moment the closer happened to run (durations and reports read it)."""
    ring, answered = call_timeouts()
    return Case(
        When(call_state=CallState.RINGING, then=F("occurred_at") + ring),
        default=Coalesce(F("answered_at"), F("occurred_at")) + answered,
    )


@dataclass
class CallRegistration:
    interaction: Interaction
    replayed: bool  # the same call and event came in before: nothing was changed
    # Who the caller may be; filled when asked for (with_matches) or when the
    # event opened the call and so looked the number up anyway.
    matches: list[CallerMatch] = dataclasses.field(default_factory=list)


def caller_number(raw: str | None) -> str:
    """The caller's E.164 number, or '' when withheld or not a usable number: the call
    is real either way and still gets its contact record."""
    text = (raw or "").strip()
    if text.lower() in WITHHELD_NUMBERS:
        return ""
    return phone_codec.try_normalize(text) or ""


def call_event_register(
    *,
    call_id: str,
    event: str,
    caller: str | None,
    agent_extension: str = "",
    at: datetime.datetime,
    source_ip: str | None = None,
    with_matches: bool = False,
) -> CallRegistration:
    """One event from the telephone system; idempotent per call and event.

    `ringing` opens the call's draft contact (one per call) with the recognised
    client when the number belongs to exactly one; later events move its state on.
    `with_matches` also looks the caller up for events that do not open the call
    (a replay among them), so a CTI client can show the caller on every answer.
    """
    errors = Errors()
    check_choice(errors, "event", event, CallState)
    if not call_id or len(call_id) > 100:
        errors.add("call_id", _("Give the call's id (at most 100 characters)."))
    check_moment(errors, "at", at, SYSTEM_MOMENT)
    errors.raise_if_any()
    system = Actor.system(TELEPHONY, source_ip=source_ip)
    # Each event is a cheap moment to end the calls whose `ended` never came: the
    # webhook writes anyway, and only the few live calls are read.
    close_stale_calls()
    args = (call_id, event, caller_number(caller), agent_extension.strip()[:20], at, system)
    # Two different first events of one call arriving together both try to open its
    # contact; the loser meets the unique call_id and goes again, now finding it.
    for attempt in range(2):
        try:
            with transaction.atomic():
                CallEvent.objects.create(call_id=call_id, event=event, at=at)
                interaction, matches = _apply_call_event(*args)
            replayed = False
            break
        except IntegrityError:
            if attempt == 0 and not CallEvent.objects.filter(call_id=call_id, event=event).exists():
                continue
            interaction = Interaction.objects.filter(call_id=call_id).first()
            if interaction is None:
                raise
            matches, replayed = None, True
            break
    if matches is None:
        matches = _recognise(interaction.caller_e164, system) if with_matches else []
    return CallRegistration(interaction, replayed=replayed, matches=matches)


def _agent_for(extension: str) -> User | None:
    if not extension:
        return None
    agents = list(User.objects.filter(phone_extension=extension, is_active=True)[:2])
    return agents[0] if len(agents) == 1 else None


def audit_callers_shown(actor: Actor, client_ids) -> None:
    """One look at who has a number: one read entry naming the clients it shows.

    Caller recognition is the hot path (every ringing call, every CTI lookup) and
    nearly always finds one client: that entry names it in its own `client_id`, three
    statements, as before. A number several clients share (a family's landline) is a
    listing entry naming them all, one statement more whatever their number."""
    shown = set(client_ids)
    if len(shown) == 1:
        audit_record(actor, action=Action.READ, part="caller_recognition", client_id=shown.pop())
    else:
        audit_record_listing(actor, action=Action.READ, part="caller_recognition", client_ids=shown)


def _recognise(e164: str, system: Actor) -> list[CallerMatch]:
    """Everyone with the caller's number, audited as one look."""
    matches = callers_for_number(e164) if e164 else []
    audit_callers_shown(system, [match.client.pk for match in matches])
    return matches


def _apply_call_event(
    call_id, event, e164, extension, at, system: Actor
) -> tuple[Interaction, list[CallerMatch] | None]:
    """The call's contact after the event, and the caller's matches if it was opened now."""
    interaction = Interaction.objects.select_for_update().filter(call_id=call_id).first()
    matches = None
    if interaction is None:
        interaction, matches = _open_call(call_id, e164, extension, at, system)
    if interaction.call_timed_out:
        # Halte guessed the call had ended; the telephone system knows better.
        answered = interaction.answered_at is not None
        interaction.call_state = CallState.ANSWERED if answered else CallState.RINGING
        interaction.ended_at = None
        interaction.call_timed_out = False
    order = [CallState.RINGING, CallState.ANSWERED, CallState.ENDED]
    if order.index(event) > order.index(interaction.call_state or CallState.RINGING):
        interaction.call_state = event
    if event == CallState.ANSWERED:
        interaction.answered_at = interaction.answered_at or at
        if extension:
            # Whoever answers writes the call up, also when it rang elsewhere first.
            interaction.agent_extension = extension
            interaction.staff = _agent_for(extension) or interaction.staff
    elif event == CallState.ENDED:
        interaction.ended_at = at
    interaction.save()
    return interaction, matches


def _open_call(
    call_id, e164, extension, at, system: Actor
) -> tuple[Interaction, list[CallerMatch]]:
    matches = _recognise(e164, system)
    client_ids = {match.client.pk for match in matches}
    only = matches[0] if len(client_ids) == 1 else None
    interaction = Interaction(
        call_id=call_id,
        channel=Channel.PHONE,
        direction=Direction.IN,
        occurred_at=at,
        status=InteractionStatus.OPEN,
        call_state=CallState.RINGING,
        caller_e164=e164,
        agent_extension=extension,
        staff=_agent_for(extension),
        client=only.client if only else None,
        relation=only.relation if only and len(matches) == 1 else None,
    )
    return interaction, matches


def commitment_create(
    *,
    actor: Actor,
    client: Client,
    kind: str,
    description: str,
    owner_user: User | None = None,
    owner_team: Team | None = None,
    due_at: datetime.datetime | None = None,
    relation: Relation | None = None,
    callback_number: str = "",
    origin: Interaction | None = None,
) -> Commitment:
    """A promise, due by the service-level policy unless a due time is given. A callback
    without a number goes to the caller's (queries.default_callback_number)."""
    with transaction.atomic():
        errors = Errors()
        check_choice(errors, "kind", kind, CommitmentKind)
        text = check_text(errors, Commitment, "description", description, required=True)
        if (owner_user is None) == (owner_team is None):
            errors.add("owner", ONE_OWNER)
        elif owner_user is not None and not owner_user.is_active:
            errors.add("owner_user", INACTIVE_OWNER)
        elif owner_user is not None and not _may_keep_promises_for(owner_user, client):
            errors.add("owner_user", OWNER_CANNOT_SEE_CLIENT)
        if client.status == ClientStatus.DECEASED:
            errors.add("client_id", CLIENT_DECEASED)
        _check_relation(errors, client, relation)
        if callback_number:
            callback = errors.capture("callback_number", phone_codec.normalize, callback_number)
        elif kind == CommitmentKind.CALLBACK and not errors.by_field.get("relation_id"):
            callback = default_callback_number(client, relation=relation, origin=origin)
        else:
            callback = ""
        now = timezone.now()
        if due_at is not None and due_at <= now:
            errors.add("due_at", DUE_IN_THE_PAST)
        else:
            check_moment(errors, "due_at", due_at, PLANNED_MOMENT)
        errors.raise_if_any()
        commitment = Commitment.objects.create(
            client=client,
            relation=relation,
            kind=kind,
            description=text,
            owner_user=owner_user,
            owner_team=owner_team,
            due_at=due_at or ServiceLevelPolicy.current().due_at(kind, now),
            callback_e164=callback or "",
            created_by=actor.user,
            origin=origin,
        )
        audit_record(actor, action=Action.CREATE, part="promises", client_id=client.pk)
        publish(
            PromiseMade(
                client_id=client.pk,
                commitment_id=commitment.pk,
                kind=kind,
                due_at=commitment.due_at,
                owner_user_id=commitment.owner_user_id,
                owner_team_id=commitment.owner_team_id,
            )
        )
        return commitment


def _may_keep_promises_for(user: User, client: Client) -> bool:
    return (
        can(user, Capability.MAKE_COMMITMENT)
        and clients_visible_to(user).filter(pk=client.pk).exists()
    )


def _lock_open(commitment: Commitment) -> Commitment:
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.status != CommitmentStatus.OPEN:
        raise Conflict(ALREADY_DONE)
    return locked


def commitment_attempt(
    *, actor: Actor, commitment: Commitment, outcome: str, note: str = ""
) -> CommitmentAttempt:
    """A try that did not reach the person; the promise stays open."""
    with transaction.atomic():
        locked = _lock_open(commitment)
        errors = Errors()
        check_choice(errors, "outcome", outcome, AttemptOutcome)
        note = check_text(errors, CommitmentAttempt, "note", note)
        errors.raise_if_any()
        attempt = CommitmentAttempt.objects.create(
            commitment=locked, at=timezone.now(), by=actor.user, outcome=outcome, note=note
        )
        audit_record(actor, action=Action.UPDATE, part="promises", client_id=locked.client_id)
        return attempt


def commitment_complete(
    *,
    actor: Actor,
    commitment: Commitment,
    summary: str,
    outcome: str = InteractionOutcome.RESOLVED,
    channel: str = Channel.PHONE,
    direction: str = Direction.OUT,
    topic: str = "",
) -> Commitment:
    """Keep the promise: the contact that kept it is recorded with it."""
    with transaction.atomic():
        locked = _lock_open(commitment)
        result = interaction_log(
            actor=actor,
            client=locked.client,
            relation=locked.relation,
            channel=channel,
            direction=direction,
            topic=topic or locked.get_kind_display(),
            summary=summary,
            outcome=outcome,
        )
        locked.status = CommitmentStatus.DONE
        locked.completed_at, locked.completed_by, locked.result = timezone.now(), actor.user, result
        locked.version += 1
        locked.save()
        audit_record(actor, action=Action.UPDATE, part="promises", client_id=locked.client_id)
        publish(
            PromiseKept(
                client_id=locked.client_id, commitment_id=locked.pk, interaction_id=result.pk
            )
        )
        return locked


def publish_promises_due(
    *, since: datetime.datetime, until: datetime.datetime, warn_before: datetime.timedelta
) -> int:
    """Announce the open promises that, in the time slot [since, until), came within
    `warn_before` of their due time (PromiseNearlyDue) or passed it (PromiseOverdue);
    returns how many events. Nothing is marked: each slot covers its own moments, so
    a scheduler that runs every slot once announces each promise once of each kind.
    A promise made already within `warn_before` of its due time gets no warning: its
    owner has just made it. All or nothing: delivered when the whole slot is read."""
    with transaction.atomic():
        fields = ("client_id", "pk", "due_at", "owner_user_id", "owner_team_id")
        open_promises = Commitment.objects.filter(status=CommitmentStatus.OPEN).order_by(
            "due_at", "pk"
        )
        windows = [
            (PromiseNearlyDue, since + warn_before, until + warn_before),
            (PromiseOverdue, since, until),
        ]
        count = 0
        made_before_warning = Q(created_at__lte=F("due_at") - warn_before)
        for event_type, start, end in windows:
            rows = open_promises.filter(due_at__gte=start, due_at__lt=end)
            if event_type is PromiseNearlyDue:
                rows = rows.filter(made_before_warning)
            rows = rows.values_list(*fields)
            for client_id, pk, due_at, owner_user_id, owner_team_id in rows:
                publish(
                    event_type(
                        client_id=client_id,
                        commitment_id=pk,
                        due_at=due_at,
                        owner_user_id=owner_user_id,
                        owner_team_id=owner_team_id,
                    )
                )
                count += 1
        return count

"""What the journey's events make Halte send.

The subscribers run in the request that published, inside its transaction: they
only write the `compose_for_event` task row, which commits with the request's write,
so a request pays next to nothing for its messages. The worker then reads what the
message needs and composes it."""

import datetime

from babel.dates import format_date
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from halte.core import events
from halte.core.models import User
from halte.core.tasks import enqueue_in_transaction
from halte.journey import events as journey_events
from halte.journey.models import CareProduct, Intake, IntakeMode, WaitingListEntry
from halte.outreach.compose import Occasion, compose
from halte.outreach.models import Trigger

# The events outreach acts on, by name (the name travels in the task).
EVENTS = {
    cls.__name__: cls
    for cls in (
        journey_events.ReferralReceived,
        journey_events.IntakePlanned,
        journey_events.WaitingListUpdateDue,
        journey_events.CareStarted,
        journey_events.ContactPersonChanged,
        journey_events.CareEnded,
    )
}


def on_event(event: events.DomainEvent) -> None:
    from halte.outreach import tasks

    enqueue_in_transaction(tasks.compose_for_event, type(event).__name__, events.to_payload(event))


def subscribe_all() -> None:
    # In the publishing transaction: the task row commits with the write.
    for cls in EVENTS.values():
        events.subscribe(cls, on_event, in_transaction=True)


def handle(event_name: str, payload: dict) -> int:
    """Compose the messages for one event; returns how many were queued now."""
    event = events.from_payload(EVENTS[event_name], payload)
    occasion = OCCASIONS[type(event)](event)
    if occasion is None:
        return 0
    made = compose(occasion)
    if type(event) is journey_events.WaitingListUpdateDue and made:
        from halte.outreach import waiting

        waiting.mark_update_sent(event.entry_id, made)
    return len(made)


def _person(user_id: int | None) -> User | None:
    return User.objects.filter(pk=user_id).first() if user_id else None


def _referral_received(event: journey_events.ReferralReceived) -> Occasion:
    product = CareProduct.objects.filter(pk=event.product_id).first()
    return Occasion(
        trigger=Trigger.REFERRAL_RECEIVED,
        client_id=event.client_id,
        key=f"referral:{event.referral_id}",
        details={"product": product.name if product else ""},
    )


MODE_TEXT = {
    IntakeMode.HOME_VISIT: lambda: _("at your home"),
    IntakeMode.OFFICE: lambda: _("at our office"),
    IntakeMode.PHONE: lambda: _("by phone"),
    IntakeMode.VIDEO: lambda: _("by video call"),
}


def intake_occasion(intake: Intake, trigger: str) -> Occasion:
    """The occasion for an intake's confirmation or reminder: a moved intake is a new
    occasion (its time is part of the key), so the client hears the new time."""
    planned = timezone.localtime(intake.planned_at)
    held_by = intake.held_by
    return Occasion(
        trigger=trigger,
        client_id=intake.referral.client_id,
        key=f"intake:{intake.pk}:{planned:%Y%m%dT%H%M}",
        details={
            "intake_date": planned.date(),
            "intake_time": f"{planned:%H:%M}",
            "intake_with": held_by.get_full_name() if held_by else "",
            "intake_mode": _mode_text(intake.mode),
        },
    )


def _mode_text(mode: str):
    """The intake's mode in the recipient's language (called under their language)."""
    text = MODE_TEXT.get(mode)
    return lambda: text() if text else ""


def _intake_planned(event: journey_events.IntakePlanned) -> Occasion | None:
    intake = Intake.objects.select_related("referral", "held_by").filter(pk=event.intake_id).first()
    if intake is None or intake.planned_at != event.planned_at or intake.held_at is not None:
        return None  # moved again or held since: a later event tells the newer story
    return intake_occasion(intake, Trigger.INTAKE_PLANNED)


def _waiting_update_due(event: journey_events.WaitingListUpdateDue) -> Occasion | None:
    from halte.journey.queries import waiting_row

    entry = (
        WaitingListEntry.objects.select_related("product", "team")
        .filter(pk=event.entry_id, left_on__isnull=True)
        .first()
    )
    if entry is None or entry.next_update_due != event.due_on:
        return None  # left the list, or the update was given by hand already
    row = waiting_row(entry)
    expected = row.estimate.expected
    return Occasion(
        trigger=Trigger.WAITING_LIST_UPDATE,
        client_id=event.client_id,
        key=f"waiting:{entry.pk}:{event.due_on.isoformat()}",
        details={
            "product": entry.product.name,
            "position": str(row.position or "-"),
            "expected_start": _expected_month(expected),
        },
    )


def _expected_month(expected: datetime.date | None):
    """The expected start as a month in the recipient's language, or 'not yet known'."""

    def text() -> str:
        if expected is None:
            return _("not yet known")
        return format_date(expected, "MMMM y", locale=get_language() or "nl")

    return text


def _care_started(event: journey_events.CareStarted) -> Occasion:
    person = _person(event.contact_person_id)
    return Occasion(
        trigger=Trigger.CARE_STARTED,
        client_id=event.client_id,
        key=f"episode:{event.episode_id}",
        details={
            "contact_person": person.get_full_name() if person else "",
            "start_date": event.starts_on,
        },
    )


def _contact_person_changed(event: journey_events.ContactPersonChanged) -> Occasion:
    person = _person(event.contact_person_id)
    previous = _person(event.previous_contact_person_id)
    return Occasion(
        trigger=Trigger.CONTACT_PERSON_CHANGED,
        client_id=event.client_id,
        key=f"episode:{event.episode_id}:person:{event.contact_person_id}",
        details={
            "contact_person": person.get_full_name() if person else "",
            "previous_contact_person": previous.get_full_name() if previous else "",
        },
        tell_informed_relatives=True,
    )


def _care_ended(event: journey_events.CareEnded) -> Occasion | None:
    if event.reason == "deceased":
        return None  # no thank-you to a client who died; their relatives get a call
    return Occasion(
        trigger=Trigger.CARE_ENDED,
        client_id=event.client_id,
        key=f"episode:{event.episode_id}:ended",
        details={"end_date": event.ended_on},
    )


OCCASIONS = {
    journey_events.ReferralReceived: _referral_received,
    journey_events.IntakePlanned: _intake_planned,
    journey_events.WaitingListUpdateDue: _waiting_update_due,
    journey_events.CareStarted: _care_started,
    journey_events.ContactPersonChanged: _contact_person_changed,
    journey_events.CareEnded: _care_ended,
}

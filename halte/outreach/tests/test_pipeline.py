"""From a journey event to a message at the SMTP server: composed once, in the
recipient's language, sent once, on the timeline; failures kept for retry."""

import datetime
import logging
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.clients.models import ClientStatus, ContactChannel, MessageCopy
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.contact.models import Direction, Interaction
from halte.journey import services as journey
from halte.journey.models import Stage
from halte.journey.tests.factories import referral_at
from halte.outreach import sending, triggers
from halte.outreach.models import (
    Message,
    MessageChannel,
    MessageStatus,
    Trigger,
    TriggerSetting,
)
from halte.outreach.recipients import Purpose, Reason, reach
from halte.outreach.tests.helpers import install_templates

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates(db):
    install_templates()


@pytest.fixture
def riek(teams):
    teams["noord"].phone = "+31334612345"
    teams["noord"].save()
    return ClientFactory(
        team=teams["noord"],
        given_names="Hendrika",
        preferred_name="Riek",
        name_prefix="van den",
        family_name="Berg",
        salutation="mrs",
        email="riek@example.nl",
    )


def start_care(personas, client, published):
    referral = referral_at(
        Stage.WAITING, planner=personas["planner"], nurse=personas["nurse_noord"], client=client
    )
    with published():
        journey.care_start(
            actor=Actor(personas["planner"]),
            referral=referral,
            starts_on=timezone.localdate(),
            contact_person=personas["nurse_noord"],
        )
    return referral


def test_care_start_reaches_the_client_by_email_once(
    personas, riek, published, run_tasks, smtp_server
):
    personas["nurse_noord"].first_name, personas["nurse_noord"].last_name = "Sanne", "de Wit"
    personas["nurse_noord"].save()
    start_care(personas, riek, published)
    run_tasks()

    mail = smtp_server.to("riek@example.nl")
    care_started = [m for m in mail if "contact=" in m.get_content()]
    assert len(care_started) == 1
    text = care_started[0].get_content()
    assert "Beste mevrouw Van den Berg, [nl-u]" in text
    assert "contact=Sanne de Wit" in text
    assert "033 461 23 45" in text  # the team's number, written the Dutch way
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert message.status == MessageStatus.SENT
    assert message.provider_id == care_started[0]["Message-ID"]

    # A second run of the worker, and the same event again, send nothing more.
    assert run_tasks() == 0
    event = triggers.EVENTS["CareStarted"]
    from halte.core.events import to_payload
    from halte.journey.models import CareEpisode

    episode = CareEpisode.objects.get(client=riek)
    triggers.handle(
        "CareStarted",
        to_payload(
            event(
                client_id=riek.pk,
                referral_id=episode.referral_id,
                episode_id=episode.pk,
                team_id=episode.team_id,
                contact_person_id=episode.contact_person_id,
                starts_on=episode.starts_on,
            )
        ),
    )
    run_tasks()
    assert len([m for m in smtp_server.to("riek@example.nl") if "contact=" in m.get_content()]) == 1
    assert Message.objects.filter(trigger=Trigger.CARE_STARTED).count() == 1


def test_the_sent_message_is_an_outgoing_contact_on_the_timeline(
    personas, riek, published, run_tasks, smtp_server
):
    start_care(personas, riek, published)
    run_tasks()
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    contact = Interaction.objects.get(pk=message.interaction_id)
    assert contact.client_id == riek.pk
    assert contact.direction == Direction.OUT
    assert contact.channel == MessageChannel.EMAIL
    assert contact.topic == message.subject
    assert contact.staff_id is None  # sent by Halte, not by a person


def test_informal_client_in_english_gets_english_with_preferred_name(
    personas, riek, published, run_tasks, smtp_server
):
    riek.language, riek.address_form = "en", "je"
    riek.save()
    start_care(personas, riek, published)
    run_tasks()
    text = next(m for m in smtp_server.messages if "contact=" in m.get_content()).get_content()
    # English has one variant for both forms; the name follows the client's form.
    assert "Dear Riek, [en]" in text
    start = timezone.localdate()
    assert f"start={start:%A} {start.day} {start:%B %Y}" in text  # written out, in English


def test_a_language_without_templates_falls_back_to_dutch(
    personas, riek, published, run_tasks, smtp_server
):
    riek.language, riek.address_form = "tr", "je"
    riek.save()
    start_care(personas, riek, published)
    run_tasks()
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert message.language == "nl"
    assert message.body.startswith("Hoi Riek, [nl-je]")


def test_a_relative_set_to_receive_gets_a_copy_and_instead_replaces_the_client(riek):
    daughter = RelationFactory(
        client=riek,
        name="Marieke de Vries",
        kind="child",
        email="marieke@example.nl",
        may_receive_information=True,
        message_copy=MessageCopy.COPY,
    )
    names = [r.name for r in reach(riek, Purpose.JOURNEY).recipients]
    assert names == [riek.full_name, "Marieke de Vries"]

    daughter.message_copy = MessageCopy.INSTEAD
    daughter.save()
    result = reach(riek, Purpose.JOURNEY)
    assert [r.name for r in result.recipients] == ["Marieke de Vries"]
    assert [(o.name, o.reason) for o in result.left_out] == [
        (riek.full_name, Reason.RELATIVE_INSTEAD)
    ]


def test_who_gets_nothing_and_why(riek):
    riek.journey_messages = False
    riek.save()
    assert reach(riek, Purpose.JOURNEY).left_out[0].reason == Reason.OPTED_OUT
    # Announcements only to those who agreed.
    assert reach(riek, Purpose.ANNOUNCEMENT).left_out[0].reason == Reason.NOT_OPTED_IN
    riek.announcements = True
    riek.save()
    assert [r.channel for r in reach(riek, Purpose.ANNOUNCEMENT).recipients] == ["email"]
    riek.contact_channel = ContactChannel.NONE
    riek.save()
    assert reach(riek, Purpose.ANNOUNCEMENT).left_out[0].reason == Reason.NO_MESSAGES
    riek.status = ClientStatus.DECEASED
    riek.save()
    assert reach(riek, Purpose.JOURNEY).left_out[0].reason == Reason.DECEASED


def test_preferred_channel_then_the_first_usable_one(riek):
    PhoneFactory(client=riek, e164="+31612345678")
    PhoneFactory(client=riek, e164="+31334612345", label="home")
    riek.street, riek.house_number = "Stationsweg", 12
    riek.save()
    assert reach(riek, Purpose.JOURNEY).recipients[0].channel == "email"
    riek.contact_channel = ContactChannel.SMS
    riek.save()
    recipient = reach(riek, Purpose.JOURNEY).recipients[0]
    assert (recipient.channel, recipient.address) == ("sms", "+31612345678")
    riek.contact_channel = ContactChannel.LETTER
    riek.save()
    recipient = reach(riek, Purpose.JOURNEY).recipients[0]
    assert recipient.channel == "letter"
    assert recipient.address.splitlines() == [
        "mevrouw Van den Berg",
        "Stationsweg 12",
        "3512 JK  AMERSFOORT",
    ]


def test_an_invalid_address_is_caught_before_queueing(riek):
    riek.email = "riek@@example"
    riek.postcode = ""
    riek.save()
    PhoneFactory(client=riek, e164="+31334612345", label="home")  # a landline: no SMS
    result = reach(riek, Purpose.JOURNEY)
    assert result.recipients == []
    assert result.left_out[0].reason == Reason.NO_CHANNEL


def test_a_temporary_smtp_refusal_keeps_the_message_queued_and_it_goes_later(
    personas, riek, published, run_tasks, smtp_server, time_machine
):
    smtp_server.refuse = "451 4.3.0 Try again later"
    start_care(personas, riek, published)
    run_tasks()
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert (message.status, message.attempts, message.last_error) == (
        MessageStatus.QUEUED,
        1,
        "smtp_451",
    )
    assert message.send_after > timezone.now()

    smtp_server.refuse = None
    time_machine.move_to(message.send_after + datetime.timedelta(seconds=1))
    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    # Sent: the first attempt's refusal is no longer the message's last error.
    assert message.last_error == ""
    assert message.sent_at > message.send_after
    assert len(smtp_server.to("riek@example.nl")) >= 1


def test_a_server_that_is_down_loses_nothing(personas, riek, published, run_tasks, smtp_server):
    smtp_server.controller.stop()
    start_care(personas, riek, published)
    run_tasks()
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert message.status == MessageStatus.QUEUED
    assert message.last_error == "smtp_unreachable"


def test_a_permanent_refusal_fails_without_retry(personas, riek, published, run_tasks, smtp_server):
    smtp_server.refuse = "550 5.1.1 No such user"
    start_care(personas, riek, published)
    run_tasks()
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "smtp_550")
    assert run_tasks(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_retries_stop_after_the_last_attempt(
    personas, riek, published, run_tasks, smtp_server, time_machine
):
    smtp_server.refuse = "421 4.7.0 Busy"
    start_care(personas, riek, published)
    later = timezone.now()
    for _attempt in range(sending.MAX_ATTEMPTS + 2):
        run_tasks()
        later += datetime.timedelta(days=1)
        time_machine.move_to(later)
    message = Message.objects.get(trigger=Trigger.CARE_STARTED)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, sending.MAX_ATTEMPTS)


def test_a_message_is_claimed_once(riek, smtp_server):
    message = _queued_message(riek)
    assert sending.send(message.pk) == MessageStatus.SENT
    assert sending.send(message.pk) == MessageStatus.SENT  # nothing happens the second time
    assert len(smtp_server.messages) == 1


def test_a_message_left_sending_by_a_stopped_worker_is_never_sent_again(riek, smtp_server):
    message = _queued_message(riek)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING, claimed_at=long_ago)
    assert sending.recover_stalled() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.UNCERTAIN
    assert sending.send(message.pk) == MessageStatus.UNCERTAIN
    assert smtp_server.messages == []


def _queued_message(client, **fields):
    values = {
        "client": client,
        "recipient_name": client.full_name,
        "channel": MessageChannel.EMAIL,
        "address": client.email,
        "language": "nl",
        "trigger": Trigger.CARE_ENDED,
        "subject": "Bedankt",
        "body": "Beste mevrouw Van den Berg",
        "idempotency_key": f"test:{client.pk}",
        "send_after": timezone.now(),
    }
    return Message.objects.create(**(values | fields))


def test_a_trigger_switched_off_sends_nothing(personas, riek, published, run_tasks, smtp_server):
    TriggerSetting.objects.update_or_create(
        trigger=Trigger.CARE_STARTED, defaults={"enabled": False}
    )
    start_care(personas, riek, published)
    run_tasks()
    assert not Message.objects.filter(trigger=Trigger.CARE_STARTED).exists()


def test_a_moved_intake_is_confirmed_again_with_the_new_time(
    personas, riek, published, run_tasks, smtp_server
):
    referral = referral_at(
        Stage.CONTACTED, planner=personas["planner"], nurse=personas["nurse_noord"], client=riek
    )
    first = timezone.localtime() + datetime.timedelta(days=3)
    for planned in (first, first + datetime.timedelta(days=1)):
        with published():
            journey.intake_plan(
                actor=Actor(personas["planner"]),
                referral=referral,
                planned_at=planned.replace(hour=9, minute=30),
                held_by=personas["nurse_noord"],
            )
        referral.refresh_from_db()
        run_tasks()
    confirmations = Message.objects.filter(trigger=Trigger.INTAKE_PLANNED)
    assert confirmations.count() == 2
    assert all("09:30" in m.body for m in confirmations)


def test_text_messages_wait_for_the_end_of_the_quiet_hours(personas, riek, time_machine):
    from halte.outreach.compose import Occasion, compose

    PhoneFactory(client=riek, e164="+31612345678")
    riek.contact_channel = ContactChannel.SMS
    riek.save()
    evening = timezone.make_aware(datetime.datetime(2026, 12, 1, 22, 15))
    time_machine.move_to(evening, tick=False)
    [message] = compose(
        Occasion(trigger=Trigger.CARE_ENDED, client_id=riek.pk, key="episode:1:ended")
    )
    assert timezone.localtime(message.send_after) == timezone.make_aware(
        datetime.datetime(2026, 12, 2, 8, 0)
    )
    assert sending.send(message.pk) == MessageStatus.QUEUED  # not yet due


def test_a_waiting_list_update_sent_counts_as_given(
    personas, riek, published, run_tasks, smtp_server
):
    from halte.journey.models import WaitingListEntry

    referral_at(
        Stage.WAITING, planner=personas["planner"], nurse=personas["nurse_noord"], client=riek
    )
    run_tasks()  # the referral's and the intake's own messages
    entry = WaitingListEntry.objects.get(referral__client=riek)
    today = timezone.localdate()
    WaitingListEntry.objects.filter(pk=entry.pk).update(next_update_due=today)
    contacts_before = Interaction.objects.filter(client=riek).count()

    with published():
        due = journey.publish_waiting_updates_due(
            since=today, until=today + datetime.timedelta(days=1)
        )
    assert due == 1
    run_tasks()

    message = Message.objects.get(trigger=Trigger.WAITING_LIST_UPDATE)
    assert message.status == MessageStatus.SENT
    assert "pos=1" in message.body
    entry.refresh_from_db()
    assert entry.last_update_on == today
    assert entry.next_update_due > today
    # One contact on the timeline: the message, not a second "update given".
    assert Interaction.objects.filter(client=riek).count() == contacts_before + 1


def test_a_waiting_client_no_message_reaches_stays_on_the_planners_queue(
    personas, riek, published, run_tasks
):
    from halte.journey.models import WaitingListEntry

    riek.email = ""
    riek.postcode = ""
    riek.save()
    referral_at(
        Stage.WAITING, planner=personas["planner"], nurse=personas["nurse_noord"], client=riek
    )
    run_tasks()  # the referral's and the intake's (nobody to send them to)
    today = timezone.localdate()
    WaitingListEntry.objects.filter(referral__client=riek).update(next_update_due=today)
    with published() as seen:
        journey.publish_waiting_updates_due(since=today, until=today + datetime.timedelta(days=1))
    assert len(seen) == 1
    assert run_tasks() == 1  # composed, and nobody to send to
    assert not Message.objects.exists()
    assert WaitingListEntry.objects.get(referral__client=riek).next_update_due == today


def test_the_day_before_the_intake_a_reminder_goes_once(
    personas, riek, published, run_tasks, smtp_server
):
    from halte.outreach import tasks

    referral = referral_at(
        Stage.CONTACTED, planner=personas["planner"], nurse=personas["nurse_noord"], client=riek
    )
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    journey.intake_plan(
        actor=Actor(personas["planner"]),
        referral=referral,
        planned_at=tomorrow.replace(hour=14, minute=0),
        held_by=personas["nurse_noord"],
    )
    slot_end = timezone.localtime().replace(hour=10, minute=0)
    since = (slot_end - datetime.timedelta(days=1)).isoformat()
    for _run in range(2):
        tasks.remind_intakes.enqueue(since=since, until=slot_end.isoformat())
        run_tasks()
    [reminder] = Message.objects.filter(trigger=Trigger.INTAKE_REMINDER)
    assert reminder.status == MessageStatus.SENT
    assert "14:00" in reminder.body


def test_a_text_message_too_long_fails_before_the_queue(riek, settings):
    from halte.outreach.compose import Occasion, compose
    from halte.outreach.models import MessageTemplate

    settings.SMS_MAX_SEGMENTS = 1
    PhoneFactory(client=riek, e164="+31612345678")
    riek.contact_channel = ContactChannel.SMS
    riek.save()
    MessageTemplate.objects.filter(
        trigger=Trigger.CARE_ENDED, channel="sms", language="nl", address_form="u"
    ).update(body="Beste {{ name }}, " + "bedankt voor alles. " * 12)
    [message] = compose(
        Occasion(trigger=Trigger.CARE_ENDED, client_id=riek.pk, key="episode:9:ended")
    )
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "sms_text_too_long")


def test_a_message_whose_answer_was_lost_is_uncertain_not_resent(riek, monkeypatch):
    from halte.outreach import channels

    message = _queued_message(riek)

    def lost_answer(message):
        raise channels.DeliveryError("gateway_timeout", temporary=True, maybe_sent=True)

    monkeypatch.setattr(channels, "deliver", lost_answer)
    assert sending.send(message.pk) == MessageStatus.UNCERTAIN
    message.refresh_from_db()
    assert (message.status, message.last_error) == (MessageStatus.UNCERTAIN, "gateway_timeout")
    assert sending.due_without_task(timezone.now() + datetime.timedelta(days=1)) == []


class ChannelBroke(Exception):
    """A fault of ours or a library's while handing a message over."""


class WorkerStopped(BaseException):
    """The worker process ends mid-delivery (killed, out of memory): nothing after the
    hand-over runs."""


def test_an_unexpected_error_queues_the_message_again_after_the_first_wait(
    riek, monkeypatch, caplog, run_tasks, smtp_server, time_machine
):
    from halte.outreach import channels

    message = _queued_message(riek)
    real_deliver = channels.deliver

    def broken(message):
        raise ChannelBroke(f"could not hand over {message.body}")

    monkeypatch.setattr(channels, "deliver", broken)
    now = timezone.now()
    with caplog.at_level(logging.ERROR, logger="halte.outreach.sending"):
        assert sending.send(message.pk, now=now) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error, message.claimed_at) == (
        MessageStatus.QUEUED,
        1,
        "error_ChannelBroke",
        None,
    )
    assert message.send_after == now + sending.BACKOFF[0]
    # The log names the message and the kind of error, never the message's text.
    [logged] = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert str(message.pk) in logged and "ChannelBroke" in logged
    assert "Berg" not in logged

    # The queue tries again once the wait is over, and it goes once.
    monkeypatch.setattr(channels, "deliver", real_deliver)
    time_machine.move_to(message.send_after + datetime.timedelta(seconds=1))
    run_tasks()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert len(smtp_server.to("riek@example.nl")) == 1


def test_an_unexpected_errors_code_fits_the_outbox_field(riek, monkeypatch):
    from halte.outreach import channels

    message = _queued_message(riek)
    long_named = type("Broke" + "n" * 120, (Exception,), {})

    def broken(message):
        raise long_named

    monkeypatch.setattr(channels, "deliver", broken)
    sending.send(message.pk)
    message.refresh_from_db()
    # Cut to the column's 100 characters (PostgreSQL would refuse more and leave the
    # message `sending`).
    assert message.last_error == ("error_Broke" + "n" * 120)[:100]


FAILURES = {
    "temporary": lambda: channels_module().DeliveryError("smtp_451", temporary=True),
    "permanent": lambda: channels_module().DeliveryError("smtp_550", temporary=False),
    "maybe sent": lambda: channels_module().DeliveryError(
        "gateway_timeout", temporary=True, maybe_sent=True
    ),
    "unexpected": lambda: ChannelBroke("boom"),
}


def channels_module():
    from halte.outreach import channels

    return channels


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failure_marks_only_the_message_that_failed(riek, monkeypatch, failure):
    other_client = ClientFactory(team=riek.team, email="jan@example.nl")
    being_sent = _queued_message(other_client)
    claimed_at = timezone.now() - datetime.timedelta(minutes=1)
    # Another worker is handing this one over right now.
    Message.objects.filter(pk=being_sent.pk).update(
        status=MessageStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    message = _queued_message(riek)

    def failing(message):
        raise FAILURES[failure]()

    monkeypatch.setattr(channels_module(), "deliver", failing)
    assert sending.send(message.pk) != MessageStatus.SENT
    being_sent.refresh_from_db()
    assert (being_sent.status, being_sent.claimed_at, being_sent.last_error) == (
        MessageStatus.SENDING,
        claimed_at,
        "",
    )


@pytest.mark.parametrize("failure", FAILURES)
def test_a_message_cancelled_while_its_worker_hung_stays_cancelled(
    riek, monkeypatch, run_tasks, smtp_server, failure
):
    """The worker hangs in the hand-over; the sweep marks the message uncertain and
    staff cancel it. When the hand-over then fails, the message is not queued again."""
    message = _queued_message(riek)

    def hangs_then_fails(message):
        assert sending.recover_stalled(timezone.now() + datetime.timedelta(minutes=11)) == 1
        assert sending.cancel(message)
        raise FAILURES[failure]()

    monkeypatch.setattr(channels_module(), "deliver", hangs_then_fails)
    sending.send(message.pk)
    monkeypatch.undo()
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    run_tasks(now=timezone.now() + datetime.timedelta(days=1))
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert smtp_server.messages == []


def test_an_uncertain_message_is_no_longer_claimed(riek, monkeypatch):
    message = _queued_message(riek)

    def lost_answer(message):
        raise channels_module().DeliveryError("gateway_timeout", temporary=True, maybe_sent=True)

    monkeypatch.setattr(channels_module(), "deliver", lost_answer)
    sending.send(message.pk)
    message.refresh_from_db()
    assert (message.status, message.claimed_at) == (MessageStatus.UNCERTAIN, None)


def test_a_worker_that_stops_mid_send_leaves_the_message_uncertain_after_ten_minutes(
    riek, monkeypatch, smtp_server
):
    now = timezone.now()
    # Sent an hour ago: it keeps its claim time and is no business of the sweep.
    sent = _queued_message(
        ClientFactory(team=riek.team, email="jan@example.nl"),
        send_after=now - datetime.timedelta(hours=2),
    )
    assert sending.send(sent.pk, now=now - datetime.timedelta(hours=1)) == MessageStatus.SENT
    message = _queued_message(riek, send_after=now)

    def stops(message):
        raise WorkerStopped

    monkeypatch.setattr(channels_module(), "deliver", stops)
    with pytest.raises(WorkerStopped):
        sending.send(message.pk, now=now)
    monkeypatch.undo()
    message.refresh_from_db()
    assert (message.status, message.claimed_at, message.attempts) == (
        MessageStatus.SENDING,
        now,
        1,
    )

    # It may still be on its way: left alone for ten minutes.
    assert sending.recover_stalled(now + datetime.timedelta(minutes=9)) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING

    assert sending.recover_stalled(now + datetime.timedelta(minutes=11)) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.UNCERTAIN
    assert message.last_error == "worker_stopped"  # the outbox says Halte stopped
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT

    # Never sent again by itself.
    assert sending.send(message.pk, now=now + datetime.timedelta(hours=1)) == (
        MessageStatus.UNCERTAIN
    )
    assert len(smtp_server.messages) == 1


def test_a_queued_message_counts_as_without_task_ten_minutes_after_it_was_due(riek):
    due = timezone.now() + datetime.timedelta(days=1)
    message = _queued_message(riek, send_after=due)
    # Being sent, however long ago it was due: not the sweep's.
    _queued_message(
        ClientFactory(team=riek.team),
        status=MessageStatus.SENDING,
        send_after=due - datetime.timedelta(days=2),
    )
    assert sending.due_without_task(due + datetime.timedelta(minutes=9)) == []
    assert sending.due_without_task(due + datetime.timedelta(minutes=11)) == [message.pk]


def test_send_of_a_message_that_is_gone_does_nothing(smtp_server):
    assert sending.send(10**9) == "missing"
    assert smtp_server.messages == []


# 158 characters, then a one-letter word: the opening is cut at the last space that
# leaves room for the ellipsis in 160 characters.
HEAD = " ".join(["bedankt"] * 19) + " voor u"


def test_the_timeline_entry_of_a_letter_to_a_relative(riek):
    assert len(HEAD) == 158
    relative = RelationFactory(client=riek, name="J. de Vries")
    message = _queued_message(
        riek,
        relation=relative,
        recipient_name="J. de Vries",
        channel=MessageChannel.LETTER,
        address="Kruiskamp 118\n3817 VK  AMERSFOORT",
        subject="",
        body=HEAD.replace(" voor", "\n\nvoor") + "\n a  laatste woorden",
    )
    assert sending.send(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    contact = Interaction.objects.get(pk=message.interaction_id)
    assert contact.relation_id == relative.pk
    # No subject: the trigger's name, in the message's language (Dutch here).
    assert contact.topic == "Zorg gestopt: bedankt"
    assert contact.summary == f"J. de Vries (brief): {HEAD}…"


def test_a_text_of_160_characters_is_shown_whole(riek, smtp_server):
    message = _queued_message(riek, body=HEAD + " a")
    assert sending.send(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    contact = Interaction.objects.get(pk=message.interaction_id)
    assert contact.summary == f"{riek.full_name} (e-mail): {HEAD} a"
    assert contact.topic == "Bedankt"


@pytest.mark.parametrize(
    ("failure", "code"),
    [("temporary", "smtp_451"), ("permanent", "smtp_550"), ("maybe sent", "gateway_timeout")],
)
def test_a_failure_is_logged_with_the_message_and_the_code_only(
    riek, monkeypatch, caplog, failure, code
):
    message = _queued_message(riek, pk=9_876_543)  # a number no code or count holds

    def failing(message):
        raise FAILURES[failure]()

    monkeypatch.setattr(channels_module(), "deliver", failing)
    with caplog.at_level(logging.WARNING, logger="halte.outreach.sending"):
        sending.send(message.pk)
    [logged] = [record.getMessage() for record in caplog.records]
    assert str(message.pk) in logged and code in logged
    assert "Berg" not in logged and "riek@" not in logged


@contextmanager
def _marking_sent_fails():
    """The UPDATE that marks a message sent fails in the database (a lost connection)."""
    table = Message._meta.db_table

    def fail(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and table in sql and "sent_at" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield


def test_a_message_whose_marking_as_sent_fails_leaves_no_timeline_entry(riek, smtp_server):
    """The timeline entry (and its audit entry) and the message marked sent are one
    write: when the marking fails, no contact is on the timeline for a message the
    outbox does not show as sent (it stays `sending`, for recover_stalled)."""
    message = _queued_message(riek)
    with _marking_sent_fails(), pytest.raises(OperationalError):
        sending.send(message.pk)
    message.refresh_from_db()
    assert (message.status, message.interaction_id) == (MessageStatus.SENDING, None)
    assert not Interaction.objects.exists()
    assert not AuditEntry.objects.filter(client_id=riek.pk).exists()


def test_a_long_provider_reference_is_cut_to_its_column(riek, monkeypatch):
    """A gateway's reference longer than the column (PostgreSQL would refuse it after
    the message went out) is kept cut, and the message is sent."""
    from halte.outreach import channels

    message = _queued_message(riek)
    monkeypatch.setattr(channels, "deliver", lambda message: "r" * 250)
    assert sending.send(message.pk) == MessageStatus.SENT
    message.refresh_from_db()
    assert message.provider_id == "r" * 200


def test_staff_resend_only_a_failed_or_uncertain_message(
    riek, django_capture_on_commit_callbacks, run_tasks, smtp_server
):
    failed = _queued_message(riek, status=MessageStatus.FAILED, last_error="smtp_550")
    other = _queued_message(riek, status=MessageStatus.FAILED, idempotency_key="test:other")
    sent = _queued_message(
        riek, status=MessageStatus.SENT, sent_at=timezone.now(), idempotency_key="test:sent"
    )
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        resent = sending.resend(failed)
        assert (resent.status, resent.last_error) == (MessageStatus.QUEUED, "")
        assert resent.send_after >= before
        assert sending.resend(sent).status == MessageStatus.SENT
    assert run_tasks() == 1  # the send task, for the resent message only
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {
        failed.pk: MessageStatus.SENT,
        other.pk: MessageStatus.FAILED,
        sent.pk: MessageStatus.SENT,
    }


def test_staff_cancel_only_that_message_and_never_a_sent_one(riek):
    failed = _queued_message(riek, status=MessageStatus.FAILED, last_error="smtp_550")
    queued = _queued_message(riek, idempotency_key="test:queued")
    sent = _queued_message(
        riek, status=MessageStatus.SENT, sent_at=timezone.now(), idempotency_key="test:sent"
    )
    assert sending.cancel(failed) is True
    assert sending.cancel(sent) is False
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {
        failed.pk: MessageStatus.CANCELLED,
        queued.pk: MessageStatus.QUEUED,
        sent.pk: MessageStatus.SENT,
    }

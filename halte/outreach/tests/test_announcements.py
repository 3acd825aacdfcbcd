"""Announcements: the segment's filters, who is reached (opt-in), the preview, sending
once however often it is clicked or the task runs, and the scheduled start."""

import datetime
import os
import time

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from halte.clients.models import ClientStatus, ContactChannel, MessageCopy
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.core.phone import display
from halte.journey.models import Stage
from halte.journey.tests.factories import product
from halte.outreach import announcement_tasks, announcements, tasks
from halte.outreach.models import (
    Announcement,
    AnnouncementStatus,
    Message,
    MessageChannel,
    MessageStatus,
    Trigger,
)
from halte.outreach.recipients import Purpose, Reason, reach
from halte.outreach.tests.announcement_helpers import (
    TEXTS,
    agreed,
    announcement,
    in_care,
    referral,
    waiting,
)

pytestmark = pytest.mark.django_db


def in_segment(user, **segment) -> set[int]:
    clean = announcements.clean_segment(segment, user)
    return set(announcements.segment_clients(clean, user).values_list("pk", flat=True))


# The segment's filters, one by one


def test_teams(personas, teams):
    noord, zuid = agreed(teams["noord"]), agreed(teams["zuid"])
    planner = personas["planner"]
    assert in_segment(planner, teams=[teams["noord"].pk]) == {noord.pk}
    assert in_segment(planner) == {noord.pk, zuid.pk}


def test_postcode_range_is_inclusive_at_both_ends(personas, teams):
    inside = [agreed(teams["noord"], n, postcode=pc) for n, pc in enumerate(["3811AA", "3818ZZ"])]
    outside = [
        agreed(teams["noord"], 9 + n, postcode=pc) for n, pc in enumerate(["3810ZZ", "3819AA"])
    ]
    agreed(teams["noord"], 20, postcode="")
    found = in_segment(personas["planner"], postcode_from="3811", postcode_to="3818")
    assert found == {client.pk for client in inside}
    assert not found & {client.pk for client in outside}


def test_a_postcode_range_is_checked(personas):
    for segment, field in [
        ({"postcode_from": "381", "postcode_to": "3818"}, "postcode_from"),
        ({"postcode_from": "0811", "postcode_to": "3818"}, "postcode_from"),
        ({"postcode_from": "3818", "postcode_to": "3811"}, "postcode_to"),
        ({"postcode_from": "3811"}, "postcode_to"),
    ]:
        with pytest.raises(ValidationError) as error:
            announcements.clean_segment(segment, personas["planner"])
        assert field in error.value.message_dict, segment


def test_care_products_count_open_referrals_waiting_and_running_care(personas, teams):
    nurse = personas["nurse_noord"]
    care, other = product("wijkverpleging"), product("dagbesteding")
    referred, on_list, cared = (agreed(teams["noord"], n) for n in range(3))
    referral(referred, care=care)
    waiting(on_list, care)
    in_care(cared, nurse, care)
    ended, left, declined, elsewhere = (agreed(teams["noord"], n) for n in range(3, 7))
    in_care(ended, nurse, care, ended=True)
    waiting(left, care, left=True)
    referral(declined, stage=Stage.DECLINED, care=care)
    in_care(elsewhere, nurse, other)
    assert in_segment(personas["planner"], products=[care.pk]) == {
        referred.pk,
        on_list.pk,
        cared.pk,
    }


def test_journey_stages(personas, teams):
    nurse = personas["nurse_noord"]
    referred, on_list, cared, done = (agreed(teams["noord"], n) for n in range(4))
    referral(referred, stage=Stage.INTAKE_PLANNED)
    waiting(on_list)
    in_care(cared, nurse)
    done.status = ClientStatus.ENDED
    done.save()
    planner = personas["planner"]
    assert in_segment(planner, stages=["referred"]) == {referred.pk}
    assert in_segment(planner, stages=["waiting"]) == {on_list.pk}
    assert in_segment(planner, stages=["in_care"]) == {cared.pk}
    assert in_segment(planner, stages=["ended"]) == {done.pk}
    assert in_segment(planner, stages=["waiting", "in_care"]) == {on_list.pk, cared.pk}


def test_a_stage_and_a_product_together_mean_that_stage_for_that_product(personas, teams):
    care, other = product("wijkverpleging"), product("dagbesteding")
    waits_for_care, waits_for_other = agreed(teams["noord"], 1), agreed(teams["noord"], 2)
    waiting(waits_for_care, care)
    waiting(waits_for_other, other)
    in_care(waits_for_other, personas["nurse_noord"], care)
    found = in_segment(personas["planner"], stages=["waiting"], products=[care.pk])
    assert found == {waits_for_care.pk}


def test_languages(personas, teams):
    dutch = agreed(teams["noord"], 1)
    turkish = agreed(teams["noord"], 2, language="tr")
    english = agreed(teams["noord"], 3, language="en")
    assert in_segment(personas["planner"], languages=["tr", "en"]) == {turkish.pk, english.pk}
    assert dutch.pk in in_segment(personas["planner"], languages=["nl"])
    with pytest.raises(ValidationError):
        announcements.clean_segment({"languages": ["xx"]}, personas["planner"])


def test_filters_combine(personas, teams):
    match = agreed(teams["noord"], 1, postcode="3812AB", language="tr")
    waiting(match)
    agreed(teams["zuid"], 2, postcode="3812AB", language="tr")  # other team
    waiting(agreed(teams["noord"], 3, postcode="3830AB", language="tr"))  # postcode
    waiting(agreed(teams["noord"], 4, postcode="3812AB"))  # language
    agreed(teams["noord"], 5, postcode="3812AB", language="tr")  # not waiting
    found = in_segment(
        personas["planner"],
        teams=[teams["noord"].pk],
        postcode_from="3811",
        postcode_to="3818",
        stages=["waiting"],
        languages=["tr"],
    )
    assert found == {match.pk}


def test_the_segment_is_one_query(personas, teams, django_assert_num_queries):
    care = product()
    for n in range(5):
        waiting(agreed(teams["noord"], n, postcode="3812AB"), care)
    segment = announcements.clean_segment(
        {
            "teams": [teams["noord"].pk],
            "postcode_from": "3811",
            "postcode_to": "3818",
            "products": [care.pk],
            "stages": ["waiting", "in_care", "referred", "ended"],
            "languages": ["nl"],
        },
        personas["planner"],
    )
    with django_assert_num_queries(1):
        assert len(list(announcements.segment_clients(segment, personas["planner"]))) == 5


def test_a_team_lead_reaches_only_their_own_teams(personas, teams):
    noord, zuid = agreed(teams["noord"]), agreed(teams["zuid"])
    lead = personas["team_lead"]
    assert in_segment(lead) == {noord.pk}
    with pytest.raises(ValidationError) as error:
        announcements.clean_segment({"teams": [teams["zuid"].pk]}, lead)
    assert "teams" in error.value.message_dict
    assert zuid.pk in in_segment(personas["planner"])


# Who is reached


def test_only_clients_who_agreed_receive_it_and_the_others_are_counted(personas, teams):
    yes = agreed(teams["noord"], 1)
    agreed(teams["noord"], 2, announcements=False)
    agreed(teams["noord"], 3, contact_channel=ContactChannel.NONE)
    agreed(teams["noord"], 4, status=ClientStatus.DECEASED)
    agreed(teams["noord"], 5, email="", contact_channel="", street="")
    preview = announcements.preview(announcement(personas["planner"]))
    assert preview.clients == 5
    assert preview.recipients == 1
    assert [r.client.pk for r in preview.sample] == [yes.pk]
    assert preview.left_out == {
        Reason.NOT_OPTED_IN: 1,
        Reason.NO_MESSAGES: 1,
        Reason.DECEASED: 1,
        Reason.NO_CHANNEL: 1,
    }


def test_the_left_out_counts_are_those_reach_gives(personas, teams):
    """The preview counts some reasons in the database: the same as reach() per client."""
    clients = [
        agreed(teams["noord"], 1, announcements=False, contact_channel=ContactChannel.NONE),
        agreed(teams["noord"], 2, announcements=False, status=ClientStatus.DECEASED),
        agreed(teams["noord"], 3, contact_channel=ContactChannel.NONE, status="deceased"),
        agreed(teams["noord"], 4, announcements=False),
    ]
    expected = {}
    for client in clients:
        for person in reach(client, Purpose.ANNOUNCEMENT).left_out:
            expected[person.reason] = expected.get(person.reason, 0) + 1
    assert announcements.preview(announcement(personas["planner"])).left_out == expected


def test_relatives_set_to_receive_get_it_beside_or_instead(personas, teams):
    beside = agreed(teams["noord"], 1)
    RelationFactory(
        client=beside, name="Kees", email="kees@example.nl", message_copy=MessageCopy.COPY
    )
    instead = agreed(teams["noord"], 2)
    RelationFactory(
        client=instead, name="Anna", email="anna@example.nl", message_copy=MessageCopy.INSTEAD
    )
    refused = agreed(teams["noord"], 3, announcements=False)
    RelationFactory(
        client=refused, name="Piet", email="piet@example.nl", message_copy=MessageCopy.COPY
    )
    preview = announcements.preview(announcement(personas["planner"]))
    assert sorted(r.name for r in preview.sample) == sorted([beside.full_name, "Kees", "Anna"])
    assert preview.left_out[Reason.RELATIVE_INSTEAD] == 1
    assert preview.left_out[Reason.NOT_OPTED_IN] == 1


def test_the_preview_renders_each_language_for_a_recipient_who_reads_it(personas, teams):
    teams["noord"].phone = "+31335551234"
    teams["noord"].save()
    agreed(teams["noord"], 1, salutation="mrs", name_prefix="van", family_name="Dam")
    agreed(teams["noord"], 2, language="en", salutation="mr", family_name="Smith")
    agreed(teams["noord"], 3, language="tr")  # no Turkish text: Dutch
    preview = announcements.preview(announcement(personas["planner"]))
    assert preview.by_language == {"nl": 2, "en": 1}
    _who, subject, body = preview.texts["nl"]
    assert subject == "Wegwerkzaamheden Stationsweg"
    assert body.startswith("Beste mevrouw Van Dam, door werk")
    assert "Wijkteam Noord" in body and f"Bel {display('+31335551234')}." in body
    _who, subject, body = preview.texts["en"]
    assert body.startswith("Dear Mr Smith, because of road works")


def test_a_language_without_its_own_subject_borrows_the_dutch_one(personas, teams):
    agreed(teams["noord"], 1, language="en")
    texts = {"nl": TEXTS["nl"], "en": {"subject": "", "body": "Dear {{ name }}"}}
    preview = announcements.preview(announcement(personas["planner"], texts=texts))
    _who, subject, body = preview.texts["en"]
    assert subject == "Wegwerkzaamheden Stationsweg" and body.startswith("Dear")


def test_an_unknown_placeholder_is_refused_when_saving(personas):
    texts = {"nl": {"subject": "Let op", "body": "Beste {{ naam }}, {{ name }}"}}
    with pytest.raises(ValidationError) as error:
        announcement(personas["planner"], texts=texts)
    assert "{{ naam }}" in error.value.message_dict["texts.nl.body"][0]
    assert not Announcement.objects.exists()


def test_dutch_is_required_and_languages_are_known(personas):
    for texts, field in [
        ({"en": {"subject": "x", "body": "y"}}, "texts.nl.body"),
        ({"nl": {"subject": "x", "body": ""}}, "texts.nl.body"),
        ({"nl": {"subject": "", "body": "y"}}, "texts.nl.subject"),
        ({"nl": {"body": "y"}, "xx": {"body": "z"}}, "texts.xx"),
        ({"nl": {"body": "y"}, "en": {"subject": "only a subject"}}, "texts.en.body"),
    ]:
        with pytest.raises(ValidationError) as error:
            announcement(personas["planner"], texts=texts)
        assert field in error.value.message_dict, texts


# Sending once


def test_a_second_send_click_starts_nothing(personas, teams, django_capture_on_commit_callbacks):
    agreed(teams["noord"])
    item = announcement(personas["planner"])
    other_tab = Announcement.objects.get(pk=item.pk)
    with django_capture_on_commit_callbacks() as enqueued:
        assert announcements.send_now(item) is True
        assert announcements.send_now(other_tab) is False
        assert announcements.schedule(other_tab, timezone.now()) is False
    assert len(enqueued) == 1
    assert item.status == AnnouncementStatus.SENDING


def test_sending_composes_a_message_per_recipient_that_arrives_once(
    personas, teams, run_tasks, smtp_server, django_capture_on_commit_callbacks
):
    agreed(teams["noord"], 1, email="een@example.nl")
    agreed(teams["noord"], 2, email="two@example.nl", language="en")
    agreed(teams["noord"], 3, email="nee@example.nl", announcements=False)
    item = announcement(personas["planner"])
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_now(item)
    run_tasks()
    assert len(smtp_server.messages) == 2
    (dutch,) = smtp_server.to("een@example.nl")
    assert dutch["Subject"] == "Wegwerkzaamheden Stationsweg"
    (english,) = smtp_server.to("two@example.nl")
    assert english["Subject"] == "Road works Stationsweg"
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DONE
    assert item.recipients_total == 2
    messages = Message.objects.filter(announcement=item)
    assert {m.status for m in messages} == {MessageStatus.SENT}
    assert {m.trigger for m in messages} == {Trigger.ANNOUNCEMENT}
    assert all(m.idempotency_key.startswith(f"announcement:{item.pk}:client:") for m in messages)


def test_a_task_run_twice_makes_no_second_message(
    personas, teams, run_tasks, smtp_server, django_capture_on_commit_callbacks
):
    clients = [agreed(teams["noord"], n) for n in range(3)]
    RelationFactory(
        client=clients[0], name="Kees", email="kees@example.nl", message_copy=MessageCopy.COPY
    )
    item = announcement(personas["planner"])
    with django_capture_on_commit_callbacks(execute=True):
        announcements.send_now(item)  # its task waits in the queue
        assert announcements.compose_all(item.pk) == 4
        # A second worker that began while the first was still composing: the
        # idempotency keys, not the status, keep it from composing again.
        Announcement.objects.filter(pk=item.pk).update(status=AnnouncementStatus.SENDING)
        assert announcements.compose_all(item.pk) == 0
    assert run_tasks() == 1 + 4  # the queued compose task (nothing to do) and 4 sends
    assert Message.objects.filter(announcement=item).count() == 4
    assert len(smtp_server.messages) == 4
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        {m["To"] for m in smtp_server.messages}
    )


def test_a_draft_is_not_composed_by_a_stray_task(personas, teams, run_tasks, smtp_server):
    agreed(teams["noord"])
    item = announcement(personas["planner"])
    announcement_tasks.send_announcement.enqueue(item.pk)
    run_tasks()
    assert not Message.objects.exists()


def test_text_messages_have_no_subject_and_wait_for_the_morning(personas, teams, time_machine):
    time_machine.move_to(timezone.make_aware(datetime.datetime(2026, 11, 30, 23, 0)))
    client = agreed(teams["noord"], 1, email="", contact_channel=ContactChannel.SMS)
    PhoneFactory(client=client, e164="+31612345678")
    item = announcement(personas["planner"])
    announcements.send_now(item)
    announcements.compose_all(item.pk)
    (message,) = Message.objects.filter(announcement=item)
    assert message.channel == MessageChannel.SMS
    assert message.subject == ""
    assert message.body.startswith("Beste")
    assert timezone.localtime(message.send_after).hour == 8


# Scheduled


def test_a_scheduled_announcement_starts_at_its_time(
    personas, teams, run_tasks, smtp_server, time_machine
):
    agreed(teams["noord"], 1, email="een@example.nl")
    start = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))
    time_machine.move_to(start - datetime.timedelta(hours=1))
    item = announcement(personas["planner"])
    assert announcements.schedule(item, start)

    def slot(until):
        since = until - announcement_tasks.START_EVERY
        announcement_tasks.start_scheduled_announcements.enqueue(
            since=since.isoformat(), until=until.isoformat()
        )
        run_tasks()

    slot(start - datetime.timedelta(minutes=1))
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.SCHEDULED
    assert not smtp_server.messages
    time_machine.move_to(start)
    slot(start)
    slot(start)  # the same slot twice: started once
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DONE
    assert len(smtp_server.messages) == 1


def test_the_scheduler_knows_the_job():
    from halte.core.schedule import PERIODIC_JOBS

    (job,) = [job for job in PERIODIC_JOBS.providers if job.name == "announcements_due"]
    assert job.task is announcement_tasks.start_scheduled_announcements
    assert job.every == datetime.timedelta(minutes=1)


def test_unscheduled_or_cancelled_is_never_started(personas, teams):
    agreed(teams["noord"])
    back, cancelled = announcement(personas["planner"]), announcement(personas["planner"])
    moment = timezone.now() + datetime.timedelta(minutes=5)
    announcements.schedule(back, moment)
    announcements.schedule(cancelled, moment)
    assert announcements.unschedule(back)
    assert announcements.cancel(cancelled)
    assert announcements.start_due(moment + datetime.timedelta(hours=1)) == []
    assert not announcements.send_now(cancelled)


# Many recipients


def test_hundreds_of_recipients_compose_in_chunks(
    personas, teams, monkeypatch, django_capture_on_commit_callbacks
):
    """300 here; HALTE_ANNOUNCEMENT_RECIPIENTS=2000 measures the brief's case (-s
    prints the time). Timed with each message's send task enqueued, as in a worker."""
    count = int(os.environ.get("HALTE_ANNOUNCEMENT_RECIPIENTS", "300"))
    monkeypatch.setattr(announcements, "CHUNK", 100)
    ClientFactory.create_batch(
        count,
        team=factory.Iterator([teams["noord"], teams["zuid"]]),
        announcements=True,
        contact_channel=ContactChannel.EMAIL,
        email=factory.Sequence(lambda n: f"client{n}@example.nl"),
    )
    item = announcement(personas["planner"])
    announcements.send_now(item)
    started, cpu = time.perf_counter(), time.process_time()
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True) as enqueued,
    ):
        assert announcements.compose_all(item.pk) == count
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"\n{count} recipients composed and enqueued: {took:.2f} s, CPU {cpu:.2f} s")
    item.refresh_from_db()
    assert item.recipients_total == count
    assert len(enqueued) == count
    assert took < count / 30, took  # 10 s for 300: far above what it takes
    # The segment is read and the messages written per chunk of 100, not per client;
    # what grows with the recipients is the send task's row per message.
    chunks = count // 100 + 1
    own = [q for q in queries.captured_queries if "django_tasks" not in q["sql"]]
    assert len(own) <= 12 * chunks, len(own)


def test_composing_left_half_done_by_a_stopped_worker_is_resumed_without_doubles(
    personas, teams, run_tasks, smtp_server, time_machine, monkeypatch
):
    monkeypatch.setattr(announcements, "CHUNK", 2)
    for n in range(5):
        agreed(teams["noord"], n)
    item = announcement(personas["planner"])
    announcements.send_now(item)  # its task is lost with the worker (never enqueued)
    # The worker composed the first chunk, then stopped.
    clients = announcements.segment_clients(item.segment, item.created_by)
    first = next(announcements._chunks(announcements._may_receive(clients)))
    announcements._queue_chunk(
        [
            announcements._message(item, recipient)
            for client in first
            for recipient in reach(client, Purpose.ANNOUNCEMENT).recipients
        ]
    )
    assert Message.objects.filter(announcement=item).count() == 2
    now = timezone.now()
    assert announcements.start_due(now + datetime.timedelta(minutes=5)) == []  # beating
    time_machine.move_to(now + datetime.timedelta(minutes=11))
    later = timezone.now()
    announcement_tasks.start_scheduled_announcements.enqueue(
        since=(later - announcement_tasks.START_EVERY).isoformat(), until=later.isoformat()
    )
    run_tasks()
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DONE
    assert Message.objects.filter(announcement=item).count() == 5
    assert len(smtp_server.messages) == 3  # the first chunk's send tasks died too
    # The outbox sweep finds those two queued without a task and sends them.
    tasks.sweep_outbox.enqueue(since=later.isoformat(), until=later.isoformat())
    run_tasks()
    assert len(smtp_server.messages) == 5
    assert len({m["To"] for m in smtp_server.messages}) == 5
    assert announcements.resume_stalled(later + datetime.timedelta(hours=1)) == []

"""Announcements, rule by rule: each refusal on its own field with its message, the
segment's stages and products combined, each change of state touching only its own
announcement and only from the states it names, composing's progress and its
fallback when a key was taken meanwhile, and who sees which announcements."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from halte.clients.models import ClientStatus, ContactChannel, MessageCopy
from halte.clients.tests.factories import RelationFactory
from halte.core.language import UNKNOWN_LANGUAGE
from halte.core.roles import Role
from halte.core.tests.factories import UserFactory
from halte.core.validation import LINE_BREAK, REQUIRED, TOO_LONG
from halte.journey.tests.factories import product
from halte.outreach import announcements
from halte.outreach.announcements import (
    BODY_REQUIRED,
    DUTCH_REQUIRED,
    INVALID_POSTCODE_AREA,
    POSTCODE_RANGE_BOTH,
    POSTCODE_RANGE_ORDER,
    SUBJECT_REQUIRED,
    UNKNOWN_PRODUCTS,
    UNKNOWN_STAGE,
    UNKNOWN_TEAMS,
)
from halte.outreach.models import Announcement, AnnouncementStatus, Message
from halte.outreach.recipients import Purpose, Reason, reach
from halte.outreach.tests.announcement_helpers import (
    TEXTS,
    agreed,
    announcement,
    in_care,
    referral,
)

pytestmark = pytest.mark.django_db

DUTCH = {"subject": "Let op", "body": "Beste {{ name }}"}


def refusal(**fields) -> dict[str, list[str]]:
    """validate()'s errors for these fields (the others valid), by field."""
    given = {"title": "Wegwerkzaamheden", "texts": TEXTS, "segment": {}} | fields
    user = given.pop("user")
    with pytest.raises(ValidationError) as error:
        announcements.validate(user=user, **given)
    return error.value.message_dict


def messages(*found) -> list[str]:
    return [str(message) for message in found]


# The title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (None, [REQUIRED]),
        ("   ", [REQUIRED]),
        ("x" * 201, [TOO_LONG % {"max": 200}]),
        ("Wegwerk-\nzaamheden", [LINE_BREAK]),
    ],
)
def test_the_title_is_required_on_one_line_and_at_most_200_characters(personas, title, expected):
    assert refusal(user=personas["planner"], title=title) == {"title": messages(*expected)}


def test_a_title_of_200_characters_is_stored_as_given(personas):
    item = announcement(personas["planner"], title=" " + "x" * 200 + " ")
    item.refresh_from_db()
    assert item.title == "x" * 200


# The segment


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ({"postcode_to": "3818"}, {"postcode_from": [POSTCODE_RANGE_BOTH]}),
        ({"postcode_from": "3811"}, {"postcode_to": [POSTCODE_RANGE_BOTH]}),
        ({"postcode_from": "3811", "postcode_to": "38"}, {"postcode_to": [INVALID_POSTCODE_AREA]}),
        ({"postcode_from": "3818", "postcode_to": "3811"}, {"postcode_to": [POSTCODE_RANGE_ORDER]}),
        # An invalid start is not compared with the end as well.
        (
            {"postcode_from": "abcd", "postcode_to": "1000"},
            {"postcode_from": [INVALID_POSTCODE_AREA]},
        ),
        ({"products": [999_999]}, {"products": [UNKNOWN_PRODUCTS]}),
        ({"stages": ["waiting", "dormant"]}, {"stages": [UNKNOWN_STAGE]}),
        # A number among the stages (the API takes JSON) is refused, not a crash.
        ({"stages": ["waiting", 5]}, {"stages": [UNKNOWN_STAGE]}),
    ],
)
def test_each_refused_segment_field_is_named_with_its_message(personas, segment, expected):
    assert refusal(user=personas["planner"], segment=segment) == {
        f"{field}": messages(*found) for field, found in expected.items()
    }


def test_a_range_of_one_postcode_area_is_allowed(personas):
    segment = announcements.clean_segment(
        {"postcode_from": "3811", "postcode_to": "3811"}, personas["planner"]
    )
    assert (segment["postcode_from"], segment["postcode_to"]) == ("3811", "3811")


def test_a_team_lead_may_name_all_of_their_teams_and_no_other(personas, teams):
    lead = personas["team_lead"]  # of Noord
    segment = announcements.clean_segment({"teams": [teams["noord"].pk]}, lead)
    assert segment["teams"] == [teams["noord"].pk]
    assert refusal(user=lead, segment={"teams": [teams["zuid"].pk]}) == {
        "teams": messages(UNKNOWN_TEAMS)
    }


def test_a_team_that_is_not_a_number_is_unknown_beside_a_real_one(personas, teams):
    planner = personas["planner"]  # may address every team
    for values in (["noord"], ["noord", teams["noord"].pk], [None]):
        assert refusal(user=planner, segment={"teams": values}) == {
            "teams": messages(UNKNOWN_TEAMS)
        }, values


# The texts


def text_refusal(personas, texts) -> dict[str, list[str]]:
    return refusal(user=personas["planner"], texts=texts)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ("not texts at all", {"texts.nl.body": [DUTCH_REQUIRED]}),
        ({}, {"texts.nl.body": [DUTCH_REQUIRED]}),
        (
            {"nl": "Beste"},
            {"texts.nl.subject": [SUBJECT_REQUIRED], "texts.nl.body": [DUTCH_REQUIRED]},
        ),
        (
            {"nl": {"subject": "", "body": ""}, "en": TEXTS["en"]},
            {"texts.nl.subject": [SUBJECT_REQUIRED], "texts.nl.body": [DUTCH_REQUIRED]},
        ),
        ({"nl": DUTCH, "en": {"subject": "Only a subject"}}, {"texts.en.body": [BODY_REQUIRED]}),
        ({"xx": {"body": "z"}, "nl": DUTCH}, {"texts.xx": [UNKNOWN_LANGUAGE]}),
        (
            {"nl": {"subject": "x" * 201, "body": "y" * 5001}},
            {
                "texts.nl.subject": [TOO_LONG % {"max": 200}],
                "texts.nl.body": [TOO_LONG % {"max": 5000}],
            },
        ),
    ],
)
def test_each_refused_text_is_named_with_its_message(personas, texts, expected):
    assert text_refusal(personas, texts) == {
        field: messages(*found) for field, found in expected.items()
    }


def test_texts_at_their_longest_and_empty_languages_before_dutch_are_kept_or_dropped(personas):
    texts = {
        "en": {"subject": "", "body": ""},  # empty: dropped, the others still read
        "tr": {"subject": "", "body": "Merhaba {{ name }}"},
        "nl": {"subject": "x" * 200, "body": "y" * 5000},
    }
    cleaned = announcements.clean_texts(texts)
    assert cleaned == {
        "nl": {"subject": "x" * 200, "body": "y" * 5000},
        "tr": {"subject": "", "body": "Merhaba {{ name }}"},
    }


def test_dutch_comes_first_then_the_languages_by_code(personas):
    texts = {code: {"subject": "S", "body": "B"} for code in ("tr", "en", "nl", "ar")}
    assert list(announcements.clean_texts(texts)) == ["nl", "ar", "en", "tr"]


def test_a_placeholder_in_the_subject_is_filled(personas, teams):
    agreed(teams["noord"], 1, salutation="mrs", name_prefix="van", family_name="Dam")
    texts = {"nl": {"subject": "Voor {{ name }}", "body": "Beste {{ name }}"}}
    preview = announcements.preview(announcement(personas["planner"], texts=texts))
    _who, subject, _body = preview.texts["nl"]
    assert subject == "Voor mevrouw Van Dam"


# Sending at a time


def test_a_moment_beyond_the_planning_range_is_refused_on_send_at(personas):
    item = announcement(personas["planner"])
    with pytest.raises(ValidationError) as error:
        announcements.schedule(item, timezone.now() + datetime.timedelta(days=3 * 365))
    assert list(error.value.message_dict) == ["send_at"]
    item.refresh_from_db()
    assert (item.status, item.send_at) == (AnnouncementStatus.DRAFT, None)


# The segment's stages and products


def test_an_ended_stage_for_a_product_is_an_ended_client_with_ended_care_of_it(personas, teams):
    nurse = personas["nurse_noord"]
    care, other = product("wijkverpleging"), product("dagbesteding")
    ended_care = agreed(teams["noord"], 1, status=ClientStatus.ENDED)
    in_care(ended_care, nurse, care, ended=True)
    still_running = agreed(teams["noord"], 2, status=ClientStatus.ENDED)
    in_care(still_running, nurse, care)
    other_care = agreed(teams["noord"], 3, status=ClientStatus.ENDED)
    in_care(other_care, nurse, other, ended=True)
    not_ended = agreed(teams["noord"], 4)  # an episode of it ended, the client goes on
    in_care(not_ended, nurse, care, ended=True)
    agreed(teams["noord"], 5, status=ClientStatus.ENDED)  # no care of it at all

    segment = {"stages": ["ended"], "products": [care.pk]}
    assert in_segment(personas["planner"], segment) == {ended_care.pk}


def test_stages_add_up_and_a_referral_counts_for_its_own_product(personas, teams):
    nurse = personas["nurse_noord"]
    care, other = product("wijkverpleging"), product("dagbesteding")
    referred, cared = agreed(teams["noord"], 1), agreed(teams["noord"], 2)
    referral(referred, care=care)
    in_care(cared, nurse, care)
    referred_elsewhere = agreed(teams["noord"], 3)
    referral(referred_elsewhere, care=other)
    segment = {"stages": ["in_care", "referred"], "products": [care.pk]}
    assert in_segment(personas["planner"], segment) == {referred.pk, cared.pk}


def in_segment(user, segment) -> set[int]:
    clean = announcements.clean_segment(segment, user)
    return set(announcements.segment_clients(clean, user).values_list("pk", flat=True))


# Changes of state: this announcement only, from the states named, stamped


@pytest.fixture
def two_drafts(personas, teams):
    agreed(teams["noord"])
    return announcement(personas["planner"]), announcement(personas["planner"])


def status_of(item) -> str:
    return Announcement.objects.values_list("status", flat=True).get(pk=item.pk)


def test_scheduling_cancelling_and_sending_touch_only_their_own(two_drafts, time_machine):
    item, other = two_drafts
    later = timezone.now() + datetime.timedelta(hours=1)
    assert announcements.schedule(item, later)
    assert status_of(other) == AnnouncementStatus.DRAFT
    assert announcements.schedule(other, later)
    assert announcements.unschedule(item)
    assert status_of(other) == AnnouncementStatus.SCHEDULED
    assert announcements.cancel(item)
    assert status_of(other) == AnnouncementStatus.SCHEDULED
    # Only the one due starts: the other is scheduled later.
    third = announcement(item.created_by)
    announcements.schedule(third, later + datetime.timedelta(hours=1))
    time_machine.move_to(later)
    assert announcements.start_due(timezone.now()) == [other.pk]
    assert status_of(third) == AnnouncementStatus.SCHEDULED


def test_what_is_sending_or_sent_is_neither_cancelled_nor_unscheduled(two_drafts):
    sending, done = two_drafts
    announcements.send_now(sending)
    announcements.send_now(done)
    announcements.compose_all(done.pk)
    for item in (sending, done):
        before = status_of(item)
        assert not announcements.cancel(item)
        assert not announcements.unschedule(item)
        assert not announcements.schedule(item, timezone.now() + datetime.timedelta(hours=1))
        assert status_of(item) == before


def test_each_change_of_state_is_stamped_and_sets_or_clears_the_moment(two_drafts, time_machine):
    item, other = two_drafts
    start = timezone.now()
    send_at = start + datetime.timedelta(days=1)

    def step(minutes, change, changed):
        time_machine.move_to(start + datetime.timedelta(minutes=minutes), tick=False)
        assert change(changed)
        changed.refresh_from_db()
        assert changed.updated_at == timezone.now()

    step(1, lambda a: announcements.schedule(a, send_at), item)
    assert item.send_at == send_at
    step(2, announcements.unschedule, item)
    assert item.send_at is None
    step(3, announcements.cancel, item)
    # Sent now: the moment it started is its moment.
    step(4, announcements.send_now, other)
    assert other.send_at == timezone.now()
    due = announcement(item.created_by)
    announcements.schedule(due, send_at)
    step(5, lambda a: announcements.start_due(send_at), due)
    assert due.status == AnnouncementStatus.SENDING


def test_a_scheduled_announcement_sent_now_takes_the_moment_it_started(two_drafts):
    item, _other = two_drafts
    announcements.schedule(item, timezone.now() + datetime.timedelta(days=1))
    before = timezone.now()
    announcements.send_now(item)
    assert before <= item.send_at <= timezone.now()


# Composing


def test_composing_writes_the_estimate_and_beats_per_chunk(personas, teams, monkeypatch):
    """The page's progress bar and the stalled-composing sweep read these while the
    task runs: the estimate first, then a beat after each chunk, then done."""
    monkeypatch.setattr(announcements, "CHUNK", 2)
    for n in range(5):
        agreed(teams["noord"], n)
    item = announcement(personas["planner"])
    announcements.send_now(item)
    with CaptureQueriesContext(connection) as queries:
        announcements.compose_all(item.pk)
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "outreach_announcement"')
    ]
    assert len(updates) == 1 + 3 + 1, updates
    assert all(sql.endswith(f'"id" = {item.pk}') for sql in updates[:4]), updates
    assert '"recipients_total" = 5' in updates[0]
    assert all('"updated_at"' in sql and '"status"' not in sql for sql in updates[1:4])
    assert '"status"' in updates[4]


def test_the_total_ends_as_the_messages_made_not_the_estimate(personas, teams):
    beside = agreed(teams["noord"], 1)
    RelationFactory(
        client=beside, name="Kees", email="kees@example.nl", message_copy=MessageCopy.COPY
    )
    agreed(teams["noord"], 2)
    item = announcement(personas["planner"])
    announcements.send_now(item)
    assert announcements.compose_all(item.pk) == 3
    item.refresh_from_db()
    assert item.recipients_total == 3


def test_composing_one_finishes_only_that_one(two_drafts):
    item, other = two_drafts
    announcements.send_now(item)
    announcements.send_now(other)
    announcements.compose_all(item.pk)
    assert status_of(item) == AnnouncementStatus.DONE
    assert status_of(other) == AnnouncementStatus.SENDING


def test_a_stray_task_for_a_draft_or_an_unknown_one_makes_nothing(two_drafts):
    item, _other = two_drafts
    assert announcements.compose_all(item.pk) == 0
    assert announcements.compose_all(999_999) == 0
    assert not Message.objects.exists()


def test_when_a_key_was_taken_meanwhile_each_message_is_made_once(personas, teams):
    """Another run of the task inserted a key between this run's look-up and insert:
    the chunk's insert fails, and it goes on row by row (here the same row twice)."""
    first, second = agreed(teams["noord"], 1), agreed(teams["noord"], 2)
    item = announcement(personas["planner"])
    [one] = reach(first, Purpose.ANNOUNCEMENT).recipients
    [other] = reach(second, Purpose.ANNOUNCEMENT).recipients
    rows = [announcements._message(item, recipient) for recipient in (one, one, other)]
    assert announcements._queue_chunk(rows) == 2
    assert Message.objects.filter(announcement=item).count() == 2


def test_two_stalled_announcements_resume_both(personas, teams, time_machine):
    agreed(teams["noord"])
    first, second = announcement(personas["planner"]), announcement(personas["planner"])
    announcements.send_now(first)
    announcements.send_now(second)
    beat = timezone.now()
    Announcement.objects.filter(pk__in=[first.pk, second.pk]).update(updated_at=beat)
    later = beat + announcements.STALLED_AFTER + datetime.timedelta(minutes=1)
    assert sorted(announcements.resume_stalled(later)) == sorted([first.pk, second.pk])


# The preview


def test_the_preview_counts_each_relative_left_out_and_samples_fifty(personas, teams):
    client = agreed(teams["noord"], 0)
    for name in ("Kees", "Anna"):  # set to receive copies, without an address
        RelationFactory(
            client=client,
            name=name,
            email="",
            contact_channel=ContactChannel.EMAIL,
            message_copy=MessageCopy.COPY,
        )
    for n in range(1, 52):
        agreed(teams["noord"], n)
    preview = announcements.preview(announcement(personas["planner"]))
    assert preview.left_out[Reason.NO_CHANNEL] == 2
    assert preview.recipients == 52
    assert len(preview.sample) == announcements.SAMPLE_SIZE == 50


# Who sees which


def test_those_who_reach_every_client_see_every_announcement_a_lead_their_own(personas, teams):
    lead = personas["team_lead"]
    other_lead = UserFactory(username="lead_zuid", role=Role.TEAM_LEAD, teams=[teams["zuid"]])
    mine, theirs = announcement(lead), announcement(other_lead)
    by_planner = announcement(personas["planner"])
    everything = {mine.pk, theirs.pk, by_planner.pk}
    assert {a.pk for a in announcements.visible_announcements(personas["planner"])} == everything
    assert {a.pk for a in announcements.visible_announcements(lead)} == {mine.pk}

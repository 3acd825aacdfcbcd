"""The edge's checks that services share (halte.core.validation): each message on its
own field, all of them collected before anything is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from halte.contact.models import Channel, Interaction
from halte.core import validation
from halte.core.validation import Errors, check_choice, check_date, check_moment, check_text

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    """The messages in the source's language (Dutch is the default)."""
    with translation.override("en"):
        yield


def _checked(value, **options):
    errors = Errors()
    text = check_text(errors, Interaction, "topic", value, **options)
    return text, {field: [str(m) for m in messages] for field, messages in errors.by_field.items()}


@pytest.mark.parametrize(
    ("value", "text"),
    [("  Vraag over zorg \n", "Vraag over zorg"), (None, ""), ("", ""), ("   ", "")],
)
def test_text_is_stripped_and_nothing_is_wrong_with_it(value, text):
    assert _checked(value) == (text, {})


@pytest.mark.parametrize("value", [None, "", " \t "])
def test_required_text_left_empty_is_refused_on_its_field(value):
    assert _checked(value, required=True) == ("", {"topic": [str(validation.REQUIRED)]})


@pytest.mark.parametrize("value", [12, ["Vraag"], {"nl": "Vraag"}, True])
def test_what_is_not_text_is_refused_on_its_field(value):
    assert _checked(value) == ("", {"topic": ["Enter text."]})


def test_text_may_be_as_long_as_its_column_and_no_longer():
    assert _checked("a" * 200) == ("a" * 200, {})
    text, errors = _checked("a" * 201)
    assert text == "a" * 201
    assert errors == {"topic": ["Ensure this value has at most 200 characters."]}


def test_a_line_break_is_refused_in_one_line_text_only():
    assert _checked("twee\nregels") == ("twee\nregels", {})
    assert _checked("twee\nregels", one_line=True)[1] == {"topic": [str(validation.LINE_BREAK)]}


def test_every_problem_of_one_text_is_reported_at_once():
    _, errors = _checked("a\u202e" + "b" * 200, required=True, one_line=True)
    assert errors == {
        "topic": [
            str(validation.BIDI_CHARACTER % {"position": 2}),
            "Ensure this value has at most 200 characters.",
        ]
    }


def test_an_unknown_choice_is_refused_on_its_field_naming_the_value():
    errors = Errors()
    assert check_choice(errors, "channel", Channel.PHONE, Channel) == Channel.PHONE
    assert check_choice(errors, "channel", "pigeon", Channel) == "pigeon"
    assert {f: [str(m) for m in ms] for f, ms in errors.by_field.items()} == {
        "channel": ["Unknown value 'pigeon'."]
    }


def test_a_date_or_moment_out_of_range_is_refused_on_its_field():
    errors = Errors()
    assert check_date(errors, "date_of_birth", None, validation.BIRTH_DATE) is None
    assert check_moment(errors, "due_at", None, validation.PLANNED_MOMENT) is None
    day = datetime.date(1800, 1, 1)
    assert check_date(errors, "date_of_birth", day, validation.BIRTH_DATE) == day
    moment = datetime.datetime(1990, 1, 1, tzinfo=UTC)
    assert check_moment(errors, "due_at", moment, validation.PLANNED_MOMENT) == moment

    with pytest.raises(ValidationError) as raised:
        errors.raise_if_any()
    assert set(raised.value.message_dict) == {"date_of_birth", "due_at"}
    assert raised.value.message_dict["date_of_birth"][0].startswith("Enter a date from 01-01-1900")
    assert raised.value.message_dict["due_at"][0].startswith(
        "Enter a date and time from 01-01-2000 00:00"
    )


def test_the_range_counts_from_the_day_given():
    later = datetime.date(2040, 1, 2)
    assert validation.BIRTH_DATE.problem(datetime.date(2040, 1, 1), today=later) is None
    assert validation.PAST_DAY.problem(datetime.date(2040, 1, 3), today=later) == (
        validation.DAY_NOT_IN_THE_FUTURE
    )


def test_the_moment_message_names_the_latest_moment_in_the_organisations_zone():
    far = NOW + datetime.timedelta(days=800)
    message = str(validation.PLANNED_MOMENT.problem(far, now=NOW))
    # Two years of 365 days after 30-11-2026 12:00 UTC (2028 is a leap year): 13:00 there.
    assert message == "Enter a date and time from 01-01-2000 00:00 to 29-11-2028 13:00."


def test_no_errors_raise_nothing():
    Errors().raise_if_any()


def test_capture_keeps_the_value_or_every_message_on_the_field():
    def parse(raw):
        if raw != "ok":
            raise ValidationError(["Eerste probleem.", "Tweede probleem."])
        return raw.upper()

    errors = Errors()
    assert errors.capture("postcode", parse, "ok") == "OK"
    assert errors.by_field == {}
    assert errors.capture("postcode", parse, "mis") is None
    assert errors.by_field == {"postcode": ["Eerste probleem.", "Tweede probleem."]}

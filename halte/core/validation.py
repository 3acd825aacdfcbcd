"""Collecting validation errors per field, so a form or an endpoint shows them all at once."""

import datetime
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REQUIRED = _("This field is required.")
TOO_LONG = _("Ensure this value has at most %(max)d characters.")
UNKNOWN_CHOICE = _("Unknown value %(value)r.")


class Errors:
    """Collects messages per field, then raises them together."""

    def __init__(self):
        self.by_field: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.by_field.setdefault(field, []).append(message)

    def capture(self, field: str, func, *args):
        try:
            return func(*args)
        except ValidationError as error:
            for message in error.messages:
                self.add(field, message)
            return None

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def max_length(model, field: str) -> int | None:
    return model._meta.get_field(field).max_length


# Characters a person never means to type, refused before the database: control
# characters (NUL breaks PostgreSQL, the others hide in exports and logs) and the
# bidirectional overrides and isolates that make a name read otherwise than it is
# stored ("Trojan Source"). Line breaks and tabs belong in multi-line text only.
CONTROL_CHARACTER = _("Remove the invisible control character (position %(position)d).")
BIDI_CHARACTER = _(
    "Remove the invisible text-direction character (position %(position)d): "
    "it makes the text read differently than it is stored."
)
LINE_BREAK = _("Keep this on one line: no line breaks or tabs.")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MULTILINE_WHITESPACE = frozenset("\t\n\r")


def character_problem(text: str, *, multiline: bool):
    """The message for the first character `text` may not hold, else None."""
    for position, char in enumerate(text, start=1):
        if char in BIDI_CONTROLS:
            return BIDI_CHARACTER % {"position": position}
        if char in MULTILINE_WHITESPACE:
            if not multiline:
                return LINE_BREAK
        elif unicodedata.category(char) == "Cc":
            return CONTROL_CHARACTER % {"position": position}
    return None


def check_text(
    errors: Errors, model, field: str, value, *, required: bool = False, one_line: bool = False
) -> str:
    """`value` stripped, with the field's messages added to `errors`. `one_line`: a
    name, a topic, an address part, where a line break or tab is refused too."""
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors.add(field, _("Enter text."))
        return ""
    if required and not text:
        errors.add(field, REQUIRED)
    if problem := character_problem(text, multiline=not one_line):
        errors.add(field, problem)
    limit = max_length(model, field)
    if limit and len(text) > limit:
        errors.add(field, TOO_LONG % {"max": limit})
    return text


def check_choice(errors: Errors, field: str, value, choices) -> str:
    if value not in choices.values:
        errors.add(field, UNKNOWN_CHOICE % {"value": value})
    return value


# Dates and times: every kind of date or moment a person or a system may enter has a
# range. Outside it a value means nothing (a promise due in the year 9999, a contact
# in the year 1) and, once stored, turns reading it into an overflow for everyone who
# sees that client. The range is checked before anything converts the value.

# Nothing Halte records (a contact, a referral, care) took place before this day.
RECORDS_BEGIN = datetime.date(2000, 1, 1)
# A system's clock may run a little ahead of ours; a moment "now" may come in so.
CLOCK_DRIFT = datetime.timedelta(minutes=5)

DATE_OUT_OF_RANGE = _("Enter a date from %(earliest)s to %(latest)s.")
MOMENT_OUT_OF_RANGE = _("Enter a date and time from %(earliest)s to %(latest)s.")
DAY_FORMAT = "%d-%m-%Y"
MOMENT_FORMAT = "%d-%m-%Y %H:%M"


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DateRange:
    """The days a kind of date may name: from `first` up to `years_ahead` years after
    today (0: today at the latest). `too_late`: the message for a day after the range,
    where "not in the future" says it better than the range."""

    first: datetime.date
    years_ahead: int = 0
    too_late: object = None

    def bounds(self, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
        today = today or timezone.localdate()
        return self.first, _years_after(today, self.years_ahead)

    def problem(self, value: datetime.date, today: datetime.date | None = None):
        """The message naming the range when `value` is outside it, else None."""
        earliest, latest = self.bounds(today)
        if earliest <= value <= latest:
            return None
        if value > latest and self.too_late is not None:
            return self.too_late
        return DATE_OUT_OF_RANGE % {
            "earliest": earliest.strftime(DAY_FORMAT),
            "latest": latest.strftime(DAY_FORMAT),
        }


@dataclass(frozen=True)
class MomentRange:
    """The moments a kind of date and time may name: from the start of `first` (in
    the organisation's time zone) up to `ahead` after now. `too_late` as DateRange's."""

    first: datetime.date
    ahead: datetime.timedelta
    too_late: object = None

    def bounds(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        earliest = timezone.make_aware(datetime.datetime.combine(self.first, datetime.time()))
        return earliest, now + self.ahead

    def problem(self, value: datetime.datetime, now: datetime.datetime | None = None):
        """The message naming the range when `value` is outside it, else None.
        Comparing aware moments never converts them, so any offset is safe here."""
        earliest, latest = self.bounds(now)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if earliest <= value <= latest:
            return None
        if value > latest and self.too_late is not None:
            return self.too_late
        return MOMENT_OUT_OF_RANGE % {
            "earliest": timezone.localtime(earliest).strftime(MOMENT_FORMAT),
            "latest": timezone.localtime(latest).strftime(MOMENT_FORMAT),
        }


_YEAR = datetime.timedelta(days=365)
NOT_IN_THE_FUTURE = _("This cannot lie in the future.")
DAY_NOT_IN_THE_FUTURE = _("This date cannot be in the future.")
# A client's date of birth: nobody living was born before 1900, nobody tomorrow.
BIRTH_DATE = DateRange(datetime.date(1900, 1, 1))
# A day something was noted or took place (a preference noted, a last update).
PAST_DAY = DateRange(RECORDS_BEGIN, too_late=DAY_NOT_IN_THE_FUTURE)
# A day care starts or ends, a waiting-list date: in the past or planned ahead.
CARE_DAY = DateRange(RECORDS_BEGIN, years_ahead=2)
# A moment that took place: a contact, a referral's receipt, an intake held.
PAST_MOMENT = MomentRange(RECORDS_BEGIN, CLOCK_DRIFT, too_late=NOT_IN_THE_FUTURE)
# A moment another system reports (a call event): its clock may be off, or it may
# send a call's events in one go; a day either way is still that call.
SYSTEM_MOMENT = MomentRange(RECORDS_BEGIN, datetime.timedelta(days=1))
# A moment planned ahead: a promise's due time, an intake, an announcement.
PLANNED_MOMENT = MomentRange(RECORDS_BEGIN, 2 * _YEAR)


def check_date(errors: Errors, field: str, value, kind: DateRange):
    """Adds the range's message for a date outside `kind`; returns the value."""
    if value is not None and (message := kind.problem(value)) is not None:
        errors.add(field, message)
    return value


def check_moment(errors: Errors, field: str, value, kind: MomentRange):
    """Adds the range's message for a moment outside `kind`; returns the value."""
    if value is not None and (message := kind.problem(value)) is not None:
        errors.add(field, message)
    return value

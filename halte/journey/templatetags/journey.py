"""How the journey reads on a page: an estimate as a Dutch speaker says it ("half
januari"), how long a stop took, the stops' names, and a client's stage in one line."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

STOPS = {
    "referral": _("Referral"),
    "intake": _("Intake"),
    "waiting": _("Waiting list"),
    "care": _("Care"),
    "end": _("Closed"),
}
STATES = {
    "done": _("done"),
    "current": _("current"),
    "skipped": _("skipped"),
    "ahead": _("ahead"),
}


@register.filter
def stop_name(name: str) -> str:
    return str(STOPS.get(name, name))


@register.filter
def state_name(state: str) -> str:
    return str(STATES.get(state, state))


@register.filter
def about(day: datetime.date | None, today: datetime.date | None = None) -> str:
    """Early, mid or late in the month: '3 January' promises more than anyone knows."""
    if day is None:
        return ""
    today = today or timezone.localdate()
    month = date_format(day, "F")
    if day.year != today.year:
        month = f"{month} {day.year}"
    if day.day <= 10:
        return gettext("early %(month)s") % {"month": month}
    if day.day <= 20:
        return gettext("mid %(month)s") % {"month": month}
    return gettext("late %(month)s") % {"month": month}


@register.filter
def estimate_range(estimate) -> str:
    """'half januari (tussen 3 januari en 2 februari 2027)': the expected start and its
    80% range, with the dates in the language's own format."""
    if estimate is None or not estimate.known:
        return gettext("no estimate yet: no one started care in this queue lately")
    between = gettext("between %(earliest)s and %(latest)s") % {
        "earliest": formats.date_format(estimate.earliest, "MONTH_DAY_FORMAT"),
        "latest": formats.date_format(estimate.latest, "DATE_FORMAT"),
    }
    return f"{about(estimate.expected)} ({between})"


@register.filter
def days(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return ""
    if duration.days < 1:
        return gettext("less than a day")
    return ngettext("%(days)d day", "%(days)d days", duration.days) % {"days": duration.days}


@register.simple_tag
def stop_duration(stop, now) -> str:
    return days(stop.duration(now))


@register.simple_tag
def stage_line(journey) -> str:
    """Where the client is, in one line the front office can read out on the phone."""
    referral = journey.referral
    if journey.episode is not None:
        episode = journey.episode
        return gettext("In care: %(product)s since %(start)s, fixed contact person %(person)s") % {
            "product": episode.product,
            "start": date_format(episode.starts_on, "j F Y"),
            "person": episode.contact_person,
        }
    if journey.waiting is not None:
        row = journey.waiting
        if row.position is None:
            return gettext("Waiting list %(product)s, %(status)s: not in line for a place") % {
                "product": row.entry.product,
                "status": row.entry.get_status_display().lower(),
            }
        if not row.estimate.known:
            return gettext("Waiting list %(product)s, position %(position)d, no estimate yet") % {
                "product": row.entry.product,
                "position": row.position,
            }
        return gettext("Waiting list %(product)s, position %(position)d, expected %(about)s") % {
            "product": row.entry.product,
            "position": row.position,
            "about": about(row.estimate.expected),
        }
    if referral is None:
        return ""
    if referral.is_open:
        return gettext("Referral for %(product)s: %(stage)s since %(since)s") % {
            "product": referral.product,
            "stage": referral.get_stage_display().lower(),
            "since": date_format(timezone.localtime(referral.stage_since), "j F"),
        }
    return gettext("Referral for %(product)s: %(stage)s") % {
        "product": referral.product,
        "stage": referral.get_stage_display().lower(),
    }

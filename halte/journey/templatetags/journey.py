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
    "unrecorded": _("not recorded"),
}


PHASES = {
    "care": _("In care"),
    "waiting": _("Waiting"),
    "referral": _("Referred"),
    "closed": _("Closed"),
}


@register.filter
def phase_name(phase: str) -> str:
    return str(PHASES.get(phase, phase))


@register.filter
def listed_name(client) -> str:
    """The official name with the name the client goes by beside it, so the name the
    team uses finds the row: 'Johannes (Janus) van 't Riet'."""
    preferred = client.preferred_name.strip()
    if not preferred or preferred.casefold() in client.given_names.casefold().split():
        return client.full_name
    parts = [client.given_names, f"({preferred})", client.name_prefix, client.family_name]
    return " ".join(part for part in parts if part)


@register.filter
def total(overview, name: str) -> int:
    """A column of the waiting lists' overview, summed."""
    return overview.total(name)


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
def stage_line(track) -> str:
    """Where one journey (a care question) is, in one line the front office can read
    out on the phone."""
    referral, episode = track.referral, track.episode
    if track.phase == "care":
        values = {
            "product": episode.product,
            "start": date_format(episode.starts_on, "j F Y"),
            "person": episode.contact_person,
        }
        if episode.starts_on > timezone.localdate():  # arranged, not begun: not "since"
            return (
                gettext("Care starts on %(start)s: %(product)s, fixed contact person %(person)s")
                % values
            )
        return (
            gettext("In care: %(product)s since %(start)s, fixed contact person %(person)s")
            % values
        )
    if track.phase == "waiting":
        row = track.waiting
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
    if track.phase == "referral":
        return gettext("Referral for %(product)s: %(stage)s since %(since)s") % {
            "product": referral.product,
            "stage": referral.get_stage_display().lower(),
            "since": date_format(timezone.localtime(referral.stage_since), "j F"),
        }
    if episode is not None and episode.ended_on is not None:
        return gettext("Care %(product)s from %(start)s to %(end)s (%(reason)s)") % {
            "product": episode.product,
            "start": date_format(episode.starts_on, "j F Y"),
            "end": date_format(episode.ended_on, "j F Y"),
            "reason": episode.get_end_reason_display().lower(),
        }
    return gettext("Referral for %(product)s: %(stage)s") % {
        "product": referral.product,
        "stage": referral.get_stage_display().lower(),
    }

"""The placeholders a message template may use, per trigger, and filling them in.

A template's text is plain text with placeholders written `{{ name }}`. Nothing else
of a template language: no tags, no filters, no attribute access, so an administrator
editing a text in the admin cannot reach anything but the values listed here. An
unknown placeholder is refused when the template is saved (`check_text`)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from halte.outreach.models import Trigger

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Any other use of template braces is a mistake in the text, not a placeholder.
STRAY_BRACES = re.compile(r"\{\{|\}\}|\{%|%\}")

# Every message: who it is for, whom it is about, and whom to call.
COMMON = {
    "name": _("How the recipient is addressed: 'mevrouw Van den Berg', or 'Riek' for 'je'"),
    "client_name": _("The client's name (for a relative: whom the message is about)"),
    "organisation": _("The organisation's name"),
    "team": _("The client's care team"),
    "team_phone": _("The team's phone number (else the organisation's)"),
}

BY_TRIGGER = {
    Trigger.REFERRAL_RECEIVED: {
        "product": _("The care asked for"),
    },
    Trigger.INTAKE_PLANNED: {
        "intake_date": _("The intake's date, written out"),
        "intake_time": _("The intake's time"),
        "intake_with": _("Who holds the intake"),
        "intake_mode": _("Where or how: at home, by phone, by video, at the office"),
    },
    Trigger.WAITING_LIST_UPDATE: {
        "product": _("The care the client waits for"),
        "position": _("The client's place on the waiting list"),
        "expected_start": _("The expected start (a month, or 'not yet known')"),
    },
    Trigger.CARE_STARTED: {
        "contact_person": _("The fixed contact person's name"),
        "start_date": _("The first day of care, written out"),
    },
    Trigger.CONTACT_PERSON_CHANGED: {
        "contact_person": _("The new contact person's name"),
        "previous_contact_person": _("The previous contact person's name"),
    },
    Trigger.CARE_ENDED: {
        "end_date": _("The last day of care, written out"),
    },
    Trigger.ANNOUNCEMENT: {},
}
BY_TRIGGER[Trigger.INTAKE_REMINDER] = BY_TRIGGER[Trigger.INTAKE_PLANNED]


def allowed(trigger: str) -> dict[str, str]:
    """The placeholders a template of `trigger` may use, with what each stands for."""
    return {**COMMON, **BY_TRIGGER.get(trigger, {})}


def used(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def check_text(trigger: str, text: str) -> None:
    """Refuse a text with a placeholder the trigger does not know, or with braces that
    are not a placeholder; the message names them."""
    names = allowed(trigger)
    unknown = sorted({name for name in used(text) if name not in names})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(names)s. Allowed here: %(allowed)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join(f"{{{{ {name} }}}}" for name in unknown),
                "allowed": ", ".join(sorted(names)),
            },
        )
    if STRAY_BRACES.search(PLACEHOLDER.sub("", text)):
        raise ValidationError(
            _("Braces that are not a placeholder: write a placeholder as {{ name }}."),
            code="stray_braces",
        )


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value (empty when the value is
    missing: a template checked by check_text has only known names)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), text)

"""The admin's preview of a message template: as an example client, or as a real
client would receive it.

Who may preview on a real client: the administrator, who edits the templates, has no
client scope (core.roles: no client content). The issue asks for a preview on a real
client all the same, because a text only reads right with a real name, form of
address and team. So the administrator may preview on any client, but only by typing
the client's number (no search, no list), and the page shows nothing but the message
as it would be sent: the name as addressed, the client's name, the team and its
phone. What only an event would tell (the intake's time, the contact person) is
example values, not the client's journey. Each preview writes one audit entry with
the client, so the privacy officer sees who looked at whom."""

import datetime
from dataclasses import dataclass

from babel.dates import format_date
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.models import Client, Salutation
from halte.core.models import Team
from halte.journey.models import IntakeMode
from halte.outreach import compose, placeholders
from halte.outreach.models import MessageTemplate, Trigger
from halte.outreach.triggers import MODE_TEXT

AUDIT_PART = "message_preview"


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    client: Client | None  # None: the example client


def example_client(template: MessageTemplate) -> Client:
    """A client who does not exist, never saved: Johanna van Dijk ('Jo')."""
    return Client(
        given_names="Johanna",
        name_prefix="van",
        family_name="Dijk",
        preferred_name="Jo",
        salutation=Salutation.MRS,
        address_form=template.address_form or "u",
        language=template.language,
        team=Team(name="Wijkteam Centrum"),
    )


def _expected_start() -> str:
    month = timezone.localdate() + datetime.timedelta(days=60)
    return format_date(month, "MMMM y", locale=get_language() or "nl")


def _details(trigger: str) -> dict:
    """Example values in the template's language where compose's examples are Dutch
    text: they are called under the template's language (compose.values_for)."""
    wanted = placeholders.BY_TRIGGER.get(trigger, {})
    details = {
        "intake_mode": MODE_TEXT[IntakeMode.HOME_VISIT],
        "expected_start": _expected_start,
    }
    return {name: value for name, value in details.items() if name in wanted}


def render(template: MessageTemplate, client: Client) -> tuple[str, str]:
    # Under the template's language: the name's salutation ("mevrouw", "Mrs") is
    # translated when the values are made, before compose renders the text.
    with translation.override(template.language):
        return compose.preview(template, client, _details(template.trigger))


def as_example(template: MessageTemplate) -> Preview:
    subject, body = render(template, example_client(template))
    return Preview(subject, body, None)


def find_client(client_number: int) -> Client | None:
    return Client.objects.select_related("team").filter(client_number=client_number).first()


def as_client(actor: Actor, template: MessageTemplate, client: Client) -> Preview:
    """The template as `client` would receive it; audited as a look at the client."""
    audit_record(actor, action=Action.READ, part=AUDIT_PART, client_id=client.pk)
    subject, body = render(template, client)
    return Preview(subject, body, client)


def placeholder_help(trigger: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The placeholders to list beside a template's text: the trigger's, or for a new
    template every trigger's, as (heading, [(placeholder, meaning)])."""

    def listed(names: dict) -> list[tuple[str, str]]:
        return [(f"{{{{ {name} }}}}", str(meaning)) for name, meaning in names.items()]

    if trigger:
        return [("", listed(placeholders.allowed(trigger)))]
    groups = [(_("Every message"), listed(placeholders.COMMON))]
    for value, label in Trigger.choices:
        own = placeholders.BY_TRIGGER.get(value, {})
        if own:
            groups.append((str(label), listed(own)))
    return groups

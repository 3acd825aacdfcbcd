"""Composing messages: for one occasion (an event of the client's journey, or an
announcement), one outbox row per recipient, its text filled in from the template in
the recipient's language and form of address.

Each row's idempotency key names the occasion and the recipient, so composing the
same occasion again (a task run twice, an event delivered twice) adds nothing."""

import datetime
import logging
from dataclasses import dataclass, field

from babel.dates import format_date
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from halte.clients.models import Client
from halte.core.phone import display
from halte.outreach import placeholders, quiet
from halte.outreach.models import (
    Message,
    MessageChannel,
    MessageStatus,
    MessageTemplate,
    TriggerSetting,
)
from halte.outreach.recipients import Purpose, Recipient, reach
from halte.outreach.sms.validation import check_text as check_sms_text

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "nl"


@dataclass(frozen=True)
class Occasion:
    """Why a client hears from us: the trigger, what happened (`key`, unique per
    trigger: "episode:12"), and the trigger's own values. Dates are formatted per
    recipient's language; strings are used as they are."""

    trigger: str
    client_id: int
    key: str
    details: dict = field(default_factory=dict)
    # Relatives who may receive information hear of this even when not set to
    # receive the client's messages (a change of contact person concerns them).
    tell_informed_relatives: bool = False


def trigger_enabled(trigger: str) -> bool:
    setting = TriggerSetting.objects.filter(trigger=trigger).first()
    return setting is None or setting.enabled


def template_for(trigger: str, channel: str, language: str, address_form: str):
    """The active template for the recipient: their language, else Dutch; their form
    of address, else one for both, else the formal one."""
    candidates = MessageTemplate.objects.filter(
        trigger=trigger, channel=channel, active=True, language__in={language, FALLBACK_LANGUAGE}
    )

    def rank(template: MessageTemplate) -> tuple:
        return (
            template.language != language,
            {address_form: 0, "": 1}.get(template.address_form, 2),
        )

    return min(candidates, key=rank, default=None)


def write_date(value: datetime.date, language: str, *, weekday: bool = False) -> str:
    pattern = "EEEE d MMMM y" if weekday else "d MMMM y"
    try:
        return format_date(value, pattern, locale=language)
    except (ValueError, LookupError):
        return format_date(value, pattern, locale=FALLBACK_LANGUAGE)


def _addressed_as(recipient: Recipient) -> str:
    client = recipient.client
    if recipient.relation is not None:
        return recipient.relation.name
    if recipient.address_form == "je":
        return client.preferred_name or client.given_names.split(" ")[0]
    return client.formal_name


def values_for(recipient: Recipient, occasion: Occasion, language: str) -> dict[str, str]:
    """Every placeholder's value for this recipient, in `language` (the template's):
    the salutation ("mevrouw", "Mrs"), dates and any detail given as a function are
    made under it. A detail without a value reads as the template's fallback words."""
    with translation.override(language):
        client = recipient.client
        team = client.team
        organisation = settings.HALTE_ORGANISATION
        values = {
            "name": _addressed_as(recipient),
            "client_name": client.full_name,
            "organisation": organisation["name"],
            "team": team.name if team else organisation["name"],
            "team_phone": _phone(team.phone if team and team.phone else organisation["phone"]),
        }
        for name, value in occasion.details.items():
            if callable(value):
                value = value()
            elif isinstance(value, datetime.datetime):
                value = write_date(timezone.localtime(value).date(), language, weekday=True)
            elif isinstance(value, datetime.date):
                value = write_date(value, language, weekday=name.endswith("_date"))
            values[name] = str(value) if value not in (None, "") else str(_fallback(name))
        return values


def _fallback(name: str) -> str:
    """Words for a value an event did not know (no one named yet)."""
    if name in {"contact_person", "intake_with", "previous_contact_person"}:
        return gettext("someone from our team")
    return "-"


def _phone(number: str) -> str:
    return display(number) if number.startswith("+") else number


def render(template: MessageTemplate, values: dict[str, str], language: str) -> tuple[str, str]:
    with translation.override(language):
        return (
            placeholders.fill(template.subject, values).strip(),
            placeholders.fill(template.body, values).strip(),
        )


def compose(occasion: Occasion, *, purpose: Purpose = Purpose.JOURNEY) -> list[Message]:
    """Queue the occasion's messages; returns the rows made now (none when they were
    made before, the trigger is off, or nobody can be reached)."""
    if not trigger_enabled(occasion.trigger):
        return []
    client = (
        Client.objects.select_related("team")
        .prefetch_related("phones", "relations")
        .filter(pk=occasion.client_id)
        .first()
    )
    if client is None:
        return []
    made = []
    for recipient in reach(
        client, purpose, informed_relatives=occasion.tell_informed_relatives
    ).recipients:
        message = _queue_one(occasion, recipient)
        if message is not None:
            made.append(message)
    return made


def _queue_one(occasion: Occasion, recipient: Recipient) -> Message | None:
    template = template_for(
        occasion.trigger, recipient.channel, recipient.language, recipient.address_form
    )
    if template is None:
        logger.warning(
            "No template for %s by %s; nothing sent.", occasion.trigger, recipient.channel
        )
        return None
    values = values_for(recipient, occasion, template.language)
    subject, body = render(template, values, template.language)
    return queue_message(
        recipient,
        trigger=occasion.trigger,
        key=f"{occasion.trigger}:{occasion.key}:{recipient.key}",
        language=template.language,
        subject=subject,
        body=body,
        template=template,
        announcement_id=occasion.details.get("announcement_id"),
    )


def queue_message(recipient: Recipient, **fields) -> Message | None:
    """One outbox row (`message_for`), sent by a task after the commit; None when a
    row with its idempotency key exists already (composed before: sent, or on its way)."""
    return save_and_enqueue(message_for(recipient, **fields))


def message_for(
    recipient: Recipient,
    *,
    trigger: str,
    key: str,
    language: str,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    announcement_id: int | None = None,
) -> Message:
    """The outbox row for one recipient, not saved yet; `key` is its idempotency key."""
    now = timezone.now()
    send_after = quiet.next_allowed(now) if recipient.channel == MessageChannel.SMS else now
    problem = _unsendable(recipient.channel, body)
    return Message(
        client=recipient.client,
        relation=recipient.relation,
        recipient_name=recipient.name,
        channel=recipient.channel,
        address=recipient.address,
        language=language,
        trigger=trigger,
        template=template,
        subject=subject,
        body=body,
        idempotency_key=key,
        send_after=send_after,
        announcement_id=announcement_id,
        # Too long a text fails here, for staff to see, and is never queued.
        status=MessageStatus.FAILED if problem else MessageStatus.QUEUED,
        last_error=problem,
    )


def save_and_enqueue(message: Message) -> Message | None:
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None  # composed before: that row is sent, or on its way
    enqueue_on_commit(message)
    return message


def enqueue_on_commit(message: Message) -> None:
    """Send the saved message by a task after the commit (unless it failed already)."""
    if message.status != MessageStatus.QUEUED:
        return
    from halte.outreach import tasks

    transaction.on_commit(lambda: tasks.enqueue_send(message))


def _unsendable(channel: str, body: str) -> str:
    """Why the text cannot go by `channel` (a code), or "" when it can."""
    if channel != MessageChannel.SMS:
        return ""
    try:
        check_sms_text(body)
    except ValidationError as error:
        return error.code
    return ""


def preview(template: MessageTemplate, client: Client, details: dict | None = None):
    """The template's subject and text as `client` would receive them (the admin's
    preview); example values for what only an event would tell."""
    recipient = Recipient(
        client=client,
        relation=None,
        name=client.full_name,
        channel=template.channel,
        address="",
        language=template.language,
        address_form=template.address_form or client.address_form,
    )
    occasion = Occasion(
        trigger=template.trigger,
        client_id=client.pk,
        key="preview",
        details={**example_details(template.trigger), **(details or {})},
    )
    values = values_for(recipient, occasion, template.language)
    return render(template, values, template.language)


def example_details(trigger: str) -> dict:
    """Believable values for the trigger's own placeholders, for previews; words are
    made in the template's language (functions, called under it)."""
    today = timezone.localdate()
    examples = {
        "product": "Wijkverpleging",
        "intake_date": today + datetime.timedelta(days=7),
        "intake_time": "10:30",
        "intake_with": "Sanne de Wit",
        "intake_mode": lambda: gettext("at your home"),
        "position": "4",
        "expected_start": lambda: format_date(
            today + datetime.timedelta(days=60), "MMMM y", locale=get_language() or "nl"
        ),
        "contact_person": "Sanne de Wit",
        "previous_contact_person": "Pieter Jansen",
        "start_date": today + datetime.timedelta(days=3),
        "end_date": today,
    }
    return {name: examples[name] for name in placeholders.BY_TRIGGER.get(trigger, {})}

"""Who receives a client's messages, by which channel and in which language, and who
gets nothing and why (shown on the client page).

- Messages about the client's own journey reach every client with a channel unless
  they opted out; announcements only those who agreed to receive them.
- The client's preferred channel is used when it can be; else the first that can:
  email, text message (a mobile number), letter (a full address).
- A relative who may receive information and is set to receive the client's messages
  gets them beside the client, or instead of the client."""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from halte.clients.models import Client, ClientStatus, ContactChannel, MessageCopy, Relation
from halte.core.phone import is_mobile
from halte.outreach.models import MessageChannel


class Purpose(StrEnum):
    JOURNEY = "journey"  # about the client's own care: opt-out
    ANNOUNCEMENT = "announcement"  # news and notices: opt-in


class Reason(StrEnum):
    DECEASED = "deceased"
    NO_MESSAGES = "no_messages"
    OPTED_OUT = "opted_out"
    NOT_OPTED_IN = "not_opted_in"
    NO_CHANNEL = "no_channel"
    RELATIVE_INSTEAD = "relative_instead"


REASON_TEXT = {
    Reason.DECEASED: _("The client has died."),
    Reason.NO_MESSAGES: _("Wants no messages."),
    Reason.OPTED_OUT: _("Opted out of messages about their care."),
    Reason.NOT_OPTED_IN: _("Did not agree to receive announcements."),
    Reason.NO_CHANNEL: _("No email address, mobile number or postal address."),
    Reason.RELATIVE_INSTEAD: _("Messages go to a relative instead."),
}


@dataclass(frozen=True)
class Recipient:
    client: Client
    relation: Relation | None
    name: str  # who it is addressed to, for the outbox
    channel: str  # MessageChannel
    address: str  # email, E.164 number, or postal address lines
    language: str
    address_form: str  # "u" or "je"

    @property
    def channel_label(self) -> str:
        return str(MessageChannel(self.channel).label)

    @property
    def key(self) -> str:
        """Stable within the client: part of a message's idempotency key."""
        return f"relation:{self.relation.pk}" if self.relation else "client"


@dataclass(frozen=True)
class LeftOut:
    name: str
    reason: Reason

    @property
    def text(self) -> str:
        return str(REASON_TEXT[self.reason])


@dataclass(frozen=True)
class Reach:
    recipients: list[Recipient]
    left_out: list[LeftOut]


def postal_address(client: Client) -> str:
    """The address block of a letter, or "" when the address is incomplete."""
    if not (client.street and client.house_number and client.postcode and client.city):
        return ""
    number = f"{client.house_number}{client.house_number_suffix}"
    return "\n".join(
        [
            client.formal_name,
            f"{client.street} {number}",
            f"{client.postcode_display}  {client.city.upper()}",
        ]
    )


def _valid_email(email: str) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def _usable(preferred: str, email: str, mobiles: list[str], letter: str) -> tuple[str, str]:
    """The channel and address to use: the preferred one if it can be, else the first
    that can; ("", "") when none can. An address that cannot be valid is no address:
    it is caught here, before anything is queued."""
    options = {
        MessageChannel.EMAIL: _valid_email(email),
        MessageChannel.SMS: mobiles[0] if mobiles else "",
        MessageChannel.LETTER: letter,
    }
    if preferred and options.get(preferred):
        return preferred, options[preferred]
    for channel, address in options.items():
        if address:
            return channel, address
    return "", ""


def _mobiles(phones) -> list[str]:
    return [phone.e164 for phone in phones if is_mobile(phone.e164)]


def reach(client: Client, purpose: Purpose, *, informed_relatives: bool = False) -> Reach:
    """Everyone who receives the client's messages of `purpose`, and everyone left
    out with the reason. With `informed_relatives`, every relative who may receive
    information hears of it, not only those set to receive the client's messages.
    Reads the client's phones and relations (prefetch them with `with_reach` when
    doing this for many clients)."""
    if client.status == ClientStatus.DECEASED:
        return Reach([], [LeftOut(client.full_name, Reason.DECEASED)])
    phones = list(client.phones.all())
    relatives = [
        relation
        for relation in client.relations.all()
        if relation.may_receive_information and (relation.message_copy or informed_relatives)
    ]
    recipients: list[Recipient] = []
    left_out: list[LeftOut] = []

    own_reason = _client_refuses(client, purpose)
    if any(relation.message_copy == MessageCopy.INSTEAD for relation in relatives):
        own_reason = own_reason or Reason.RELATIVE_INSTEAD
    if own_reason is None:
        own_phones = [phone for phone in phones if phone.relation_id is None]
        channel, address = _usable(
            client.contact_channel, client.email, _mobiles(own_phones), postal_address(client)
        )
        if channel:
            recipients.append(
                Recipient(
                    client=client,
                    relation=None,
                    name=client.full_name,
                    channel=channel,
                    address=address,
                    language=client.language or "nl",
                    address_form=client.address_form,
                )
            )
        else:
            own_reason = Reason.NO_CHANNEL
    if own_reason is not None:
        left_out.append(LeftOut(client.full_name, own_reason))

    # A relative receives what the client would: not what the client refused.
    if own_reason in (Reason.NO_MESSAGES, Reason.OPTED_OUT, Reason.NOT_OPTED_IN):
        return Reach(recipients, left_out)
    for relation in relatives:
        if relation.contact_channel == ContactChannel.NONE:
            left_out.append(LeftOut(relation.name, Reason.NO_MESSAGES))
            continue
        their_phones = [phone for phone in phones if phone.relation_id == relation.pk]
        channel, address = _usable(
            relation.contact_channel, relation.email, _mobiles(their_phones), ""
        )
        if not channel:
            left_out.append(LeftOut(relation.name, Reason.NO_CHANNEL))
            continue
        recipients.append(
            Recipient(
                client=client,
                relation=relation,
                name=relation.name,
                channel=channel,
                address=address,
                language=relation.language or client.language or "nl",
                # A relative is addressed by the name they gave, formally.
                address_form="u",
            )
        )
    return Reach(recipients, left_out)


def _client_refuses(client: Client, purpose: Purpose) -> Reason | None:
    if client.contact_channel == ContactChannel.NONE:
        return Reason.NO_MESSAGES
    if purpose == Purpose.JOURNEY and not client.journey_messages:
        return Reason.OPTED_OUT
    if purpose == Purpose.ANNOUNCEMENT and not client.announcements:
        return Reason.NOT_OPTED_IN
    return None


def with_reach(clients):
    """The queryset with what `reach` reads, fetched in two more queries in all."""
    return clients.prefetch_related("phones", "relations")

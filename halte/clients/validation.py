"""Turning raw client and relation input into stored values, collecting every error.

Forms and API schemas parse shapes; these functions own the meaning (11-proef,
postcode, phone, language), so a page and the API refuse the same input with the
same message.
"""

from datetime import date

from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from halte.clients.models import (
    AddressForm,
    CareNote,
    Client,
    ClientStatus,
    ContactChannel,
    MessageCopy,
    Phone,
    PhoneLabel,
    Preference,
    PreferenceKind,
    Relation,
    RelationKind,
    Salutation,
)
from halte.core import bsn as bsn_codec
from halte.core import language as language_codes
from halte.core import phone as phone_codec
from halte.core import postcode as postcode_codec
from halte.core.roles import ClientScope, client_scope
from halte.core.validation import (
    REQUIRED,
    TOO_LONG,
    UNKNOWN_CHOICE,
    Errors,
    check_choice,
    check_text,
    max_length,
)

BIRTH_IN_FUTURE = _("The date of birth cannot be in the future.")
BIRTH_TOO_EARLY = _("The date of birth cannot be before 1900.")
INVALID_HOUSE_NUMBER = _("Enter a house number from 1 to 99999.")
DUPLICATE_PHONE = _("This number is listed twice.")
BSN_IN_USE = _("Another client already has this BSN.")
# A user who sees only their own teams' clients (care professional, team lead) keeps a
# client in one of those teams: on a page and through the API alike.
TEAM_OUTSIDE_OWN = _(
    "Choose one of your own teams: a client of another team would drop out of your view."
)
# A preferred channel Halte cannot use is refused, not silently passed over.
NEEDS_EMAIL = _("Email is not possible: there is no email address.")
NEEDS_MOBILE = _("A text message is not possible: there is no mobile number.")
NEEDS_POSTAL_ADDRESS = _(
    "A letter is not possible: the address needs a street, house number, postcode and city."
)
RELATION_NO_LETTER = _("A relation has no postal address here: choose email or a text message.")
MESSAGES_NEED_CONSENT = _(
    "Only a relation who may receive information can receive the client's messages."
)
MESSAGES_NEED_ADDRESS = _(
    "A relation who receives the client's messages needs an email address or a mobile number."
)
MESSAGES_BUT_NO_MESSAGES = _(
    "A relation who receives the client's messages cannot want no messages: choose a channel."
)

CLIENT_TEXT_FIELDS = (
    "given_names",
    "name_prefix",
    "family_name",
    "preferred_name",
    "street",
    "house_number_suffix",
    "city",
    "what_matters",
)
CLIENT_CHOICE_FIELDS = {
    "address_form": AddressForm,
    "salutation": Salutation,
    "status": ClientStatus,
}
# What decides whether the client's preferred channel can be used.
POSTAL_FIELDS = ("street", "house_number", "postcode", "city")
CHANNEL_FIELDS = ("contact_channel", "email", "phones", *POSTAL_FIELDS)
RELATION_CHANNELS = ("", ContactChannel.EMAIL, ContactChannel.SMS, ContactChannel.NONE)
RELATION_CHANNEL_FIELDS = ("message_copy", "contact_channel", "email", "phones")


def clean_phones(errors: Errors, field: str, phones) -> list[tuple[str, str]]:
    """[(number in any notation, label)] -> [(e164, label)], each number once."""
    cleaned, seen = [], set()
    for number, label in phones:
        e164 = errors.capture(field, phone_codec.normalize, number)
        if label not in PhoneLabel.values:
            errors.add(field, UNKNOWN_CHOICE % {"value": label})
        if e164 and e164 in seen:
            errors.add(field, DUPLICATE_PHONE)
        if e164:
            seen.add(e164)
            cleaned.append((e164, label))
    return cleaned


def clean_client_fields(
    data: dict, *, creating: bool, client: Client | None = None, user=None
) -> dict:
    """Validate the given client fields; return them normalised for storage.

    `phones` comes back as [(e164, label)] and `bsn` as {"bsn_encrypted", "bsn_hash"}.
    With `user` (the person making the change), a team outside their scope is refused.
    """
    errors = Errors()
    clean: dict = {}
    for field in CLIENT_TEXT_FIELDS:
        if field in data:
            required = field in ("given_names", "family_name")
            clean[field] = check_text(errors, Client, field, data[field], required=required)
        elif creating and field in ("given_names", "family_name"):
            errors.add(field, REQUIRED)
    for field, choices in CLIENT_CHOICE_FIELDS.items():
        if field in data:
            clean[field] = check_choice(errors, field, data[field], choices)
    if "date_of_birth" in data:
        clean["date_of_birth"] = _check_birth_date(errors, data["date_of_birth"])
    if "email" in data:
        clean["email"] = _check_email(errors, Client, data["email"])
    if "postcode" in data:
        raw = (data["postcode"] or "").strip()
        clean["postcode"] = errors.capture("postcode", postcode_codec.normalize, raw) if raw else ""
    if "house_number" in data:
        clean["house_number"] = _check_house_number(errors, data["house_number"])
    if "language" in data:
        clean["language"] = errors.capture("language", language_codes.validate, data["language"])
    if "interpreter_needed" in data:
        clean["interpreter_needed"] = bool(data["interpreter_needed"])
    if "contact_channel" in data:
        clean["contact_channel"] = _check_channel(errors, data["contact_channel"])
    for flag in ("journey_messages", "announcements"):
        if flag in data:
            clean[flag] = bool(data[flag])
    if "team" in data:
        clean["team"] = data["team"]
    if user is not None and ("team" in data or creating):
        _check_team_in_scope(errors, data.get("team"), user)
    if "phones" in data:
        clean["phones"] = clean_phones(errors, "phones", data["phones"])
    if "bsn" in data:
        clean["bsn"] = _check_bsn(errors, data["bsn"], client)
    if any(field in data for field in CHANNEL_FIELDS) and not (
        set(CHANNEL_FIELDS) & errors.by_field.keys()
    ):
        _check_client_reachable(errors, clean, client)
    errors.raise_if_any()
    return clean


def _check_team_in_scope(errors: Errors, team, user) -> None:
    """A user who sees only their own teams' clients may not move one (or add one) out
    of them, nor leave it without a team: it would vanish from their view."""
    if client_scope(user) != ClientScope.OWN_TEAMS:
        return
    if team is None or team.pk not in user.team_ids():
        errors.add("team", TEAM_OUTSIDE_OWN)


def _check_channel(errors: Errors, value, allowed=("", *ContactChannel.values)) -> str:
    channel = value or ""
    if channel == ContactChannel.LETTER and channel not in allowed:
        errors.add("contact_channel", RELATION_NO_LETTER)
    elif channel not in allowed:
        errors.add("contact_channel", UNKNOWN_CHOICE % {"value": value})
    return channel


def _merged(clean: dict, current, field: str, default=""):
    """The value after the change: the new one when given, else the stored one."""
    if field in clean:
        return clean[field]
    return getattr(current, field) if current is not None else default


def _has_mobile(clean: dict, owner, stored) -> bool:
    """Whether the numbers after the change include a mobile; `stored` reads the
    current numbers only when the change leaves them as they are."""
    if "phones" in clean:
        e164s = [e164 for e164, _label in clean["phones"]]
    else:
        e164s = list(stored().values_list("e164", flat=True)) if owner is not None else []
    return any(phone_codec.is_mobile(e164) for e164 in e164s)


def _check_client_reachable(errors: Errors, clean: dict, client: Client | None) -> None:
    """Refuse a preferred channel the client cannot be reached by after the change."""
    channel = _merged(clean, client, "contact_channel")
    if channel == ContactChannel.EMAIL and not _merged(clean, client, "email"):
        errors.add("contact_channel", NEEDS_EMAIL)
    elif channel == ContactChannel.SMS and not _has_mobile(
        clean, client, lambda: Phone.objects.filter(client=client, relation__isnull=True)
    ):
        errors.add("contact_channel", NEEDS_MOBILE)
    elif channel == ContactChannel.LETTER and not all(
        _merged(clean, client, field, None) for field in POSTAL_FIELDS
    ):
        errors.add("contact_channel", NEEDS_POSTAL_ADDRESS)


def _check_birth_date(errors: Errors, value) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        errors.add("date_of_birth", _("Enter a valid date."))
        return None
    if value > date.today():
        errors.add("date_of_birth", BIRTH_IN_FUTURE)
    elif value.year < 1900:
        errors.add("date_of_birth", BIRTH_TOO_EARLY)
    return value


def _check_email(errors: Errors, model, value) -> str:
    email = (value or "").strip()
    if email:
        errors.capture("email", validate_email, email)
        limit = max_length(model, "email")
        if len(email) > limit:
            errors.add("email", TOO_LONG % {"max": limit})
    return email


def _check_house_number(errors: Errors, value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 99999:
        errors.add("house_number", INVALID_HOUSE_NUMBER)
        return None
    return number


def _check_bsn(errors: Errors, value, client: Client | None) -> dict:
    raw = (value or "").strip()
    if not raw:
        return {"bsn_encrypted": "", "bsn_hash": None}
    compact = errors.capture("bsn", bsn_codec.validate, raw)
    if compact is None:
        return {}
    lookup = bsn_codec.lookup_hash(compact)
    others = Client.objects.filter(bsn_hash=lookup)
    if client is not None:
        others = others.exclude(pk=client.pk)
    if others.exists():
        errors.add("bsn", BSN_IN_USE)
    return {"bsn_encrypted": bsn_codec.encrypt(compact), "bsn_hash": lookup}


def clean_relation_fields(data: dict, *, creating: bool, relation: Relation | None = None) -> dict:
    """Validate the given relation fields (with `relation`, the one being changed);
    return them normalised for storage, `phones` as [(e164, label)]."""
    errors = Errors()
    clean: dict = {}
    if "name" in data or creating:
        clean["name"] = check_text(errors, Relation, "name", data.get("name"), required=True)
    if "kind" in data or creating:
        clean["kind"] = check_choice(errors, "kind", data.get("kind"), RelationKind)
    if "email" in data:
        clean["email"] = _check_email(errors, Relation, data["email"])
    for flag in ("may_receive_information", "may_act_on_behalf", "emergency_contact"):
        if flag in data:
            clean[flag] = bool(data[flag])
    if "phones" in data:
        clean["phones"] = clean_phones(errors, "phones", data["phones"])
    if "message_copy" in data:
        clean["message_copy"] = check_choice(
            errors, "message_copy", data["message_copy"] or "", MessageCopy
        )
    if "contact_channel" in data:
        clean["contact_channel"] = _check_channel(
            errors, data["contact_channel"], allowed=RELATION_CHANNELS
        )
    if "language" in data:
        code = (data["language"] or "").strip()  # empty: the client's language
        clean["language"] = code and errors.capture("language", language_codes.validate, code)
    if not set(RELATION_CHANNEL_FIELDS) & errors.by_field.keys():
        _check_relation_reachable(errors, clean, relation)
    errors.raise_if_any()
    return clean


def _check_relation_reachable(errors: Errors, clean: dict, relation: Relation | None) -> None:
    """The database refuses a relation receiving the client's messages without
    consent; say so first, in words. And a preferred channel must be usable."""
    copy = _merged(clean, relation, "message_copy")
    channel = _merged(clean, relation, "contact_channel")
    email = _merged(clean, relation, "email")
    if copy and not _merged(clean, relation, "may_receive_information", False):
        errors.add("message_copy", MESSAGES_NEED_CONSENT)
    if not (copy or channel in (ContactChannel.EMAIL, ContactChannel.SMS)):
        return
    mobile = _has_mobile(clean, relation, lambda: Phone.objects.filter(relation=relation))
    if channel == ContactChannel.EMAIL and not email:
        errors.add("contact_channel", NEEDS_EMAIL)
    elif channel == ContactChannel.SMS and not mobile:
        errors.add("contact_channel", NEEDS_MOBILE)
    elif channel == ContactChannel.NONE and copy:
        errors.add("contact_channel", MESSAGES_BUT_NO_MESSAGES)
    elif copy and not (email or mobile):
        errors.add("message_copy", MESSAGES_NEED_ADDRESS)


def clean_preference_fields(data: dict) -> dict:
    errors = Errors()
    clean = {
        "kind": check_choice(errors, "kind", data.get("kind"), PreferenceKind),
        "text": check_text(errors, Preference, "text", data.get("text"), required=True),
        "noted_on": data.get("noted_on") or date.today(),
    }
    if clean["noted_on"] > date.today():
        errors.add("noted_on", _("This date cannot be in the future."))
    errors.raise_if_any()
    return clean


def clean_care_note(text) -> str:
    errors = Errors()
    clean = check_text(errors, CareNote, "text", text, required=True)
    errors.raise_if_any()
    return clean

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


def clean_client_fields(data: dict, *, creating: bool, client: Client | None = None) -> dict:
    """Validate the given client fields; return them normalised for storage.

    `phones` comes back as [(e164, label)] and `bsn` as {"bsn_encrypted", "bsn_hash"}.
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
    if "team" in data:
        clean["team"] = data["team"]
    if "phones" in data:
        clean["phones"] = clean_phones(errors, "phones", data["phones"])
    if "bsn" in data:
        clean["bsn"] = _check_bsn(errors, data["bsn"], client)
    errors.raise_if_any()
    return clean


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


def clean_relation_fields(data: dict, *, creating: bool) -> dict:
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
    errors.raise_if_any()
    return clean


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

"""Clients that a new client may duplicate: same birth date, or one of the same phone
numbers, and a name that is alike (typos, tussenvoegsels, accents and initials allowed).

Each criterion is one indexed lookup that narrows to a few rows (the birth date's
index, the phones' e164 index); the names of those rows are compared here in Python.
Only clients in the user's scope are candidates: one outside it is never shown or
hinted at, so the answer never tells that someone is a client of another team. The
scope is part of each lookup, before its cap on the rows read, so clients of other
teams never crowd out one of the user's own.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.access import refuse_bsn_without_role, rows_visible_to
from halte.clients.models import Client, ClientStatus, Phone
from halte.clients.validation import clean_client_fields
from halte.core import postcode as postcode_codec
from halte.core.roles import ClientScope, client_scope
from halte.core.text import fold, name_words

# Shown at most; more than a handful is no longer a list anyone reads.
MAX_CANDIDATES = 10
# Rows read per criterion at most. A birth date is shared by some tens of clients in
# a large organisation; a care home's switchboard number by a few hundred residents.
MAX_ROWS = 500
AUDIT_PART = "search:duplicates"


class Reason(StrEnum):
    BIRTH_DATE = "birth_date"
    PHONE = "phone"


REASON_LABELS = {
    Reason.BIRTH_DATE: _("same date of birth"),
    Reason.PHONE: _("same phone number"),
}


@dataclass(frozen=True)
class Identity:
    """What a new client is compared on."""

    given_names: str
    preferred_name: str
    name_prefix: str
    family_name: str
    date_of_birth: date | None
    e164s: tuple[str, ...]

    @classmethod
    def from_clean(cls, clean: dict) -> "Identity":
        """From clients.validation's cleaned fields (phones as [(e164, label)])."""
        return cls(
            given_names=clean.get("given_names") or "",
            preferred_name=clean.get("preferred_name") or "",
            name_prefix=clean.get("name_prefix") or "",
            family_name=clean.get("family_name") or "",
            date_of_birth=clean.get("date_of_birth"),
            e164s=tuple(sorted({e164 for e164, _label in clean.get("phones") or []})),
        )

    def fingerprint(self) -> str:
        """A short digest of these values: a page's "create anyway" names what was
        checked, so a change to the name, birth date or numbers is checked again."""
        values = [
            fold(self.given_names),
            fold(self.preferred_name),
            fold(f"{self.name_prefix} {self.family_name}"),
            self.date_of_birth.isoformat() if self.date_of_birth else "",
            *self.e164s,
        ]
        return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Candidate:
    id: int
    client_number: int
    given_names: str
    name_prefix: str
    family_name: str
    preferred_name: str
    date_of_birth: date | None
    street: str
    house_number: int | None
    house_number_suffix: str
    postcode: str
    city: str
    status: str
    team_name: str
    reasons: tuple[Reason, ...]
    likeness: float

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.given_names, self.name_prefix, self.family_name] if p)

    @property
    def address_line(self) -> str:
        """'Lange Gracht 12a, 3811 AB Amersfoort', leaving out what is not known."""
        house = f"{self.house_number or ''}{self.house_number_suffix}"
        street = " ".join(p for p in [self.street, house] if p)
        place = " ".join(p for p in [postcode_codec.display(self.postcode), self.city] if p)
        return ", ".join(p for p in [street, place] if p)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[reason]) for reason in self.reasons]

    @property
    def status_label(self) -> str:
        return str(ClientStatus(self.status).label)


@dataclass(frozen=True)
class DuplicateCheck:
    candidates: list[Candidate]
    fingerprint: str


# Name likeness ---------------------------------------------------------------------


def _comparable(word: str) -> str:
    # Meijer and Meyer are one name written two ways.
    return word.replace("ij", "y")


def _family_words(name_prefix: str, family_name: str) -> list[str]:
    """'van den', 'Berg-de Vries' -> ['berg', 'vries']: the tussenvoegsels fold away,
    wherever they were typed (in the prefix field or in the family name)."""
    return [_comparable(w) for w in name_words(f"{name_prefix} {family_name}")]


def _given_words(given_names: str, preferred_name: str) -> list[str]:
    return [_comparable(w) for w in fold(f"{given_names} {preferred_name}").split()]


def _allowed_typos(length: int) -> int:
    # Short words must match exactly (Li is not Lo); long ones may carry two typos.
    if length < 4:
        return 0
    return 1 if length < 8 else 2


def words_alike(a: str, b: str) -> bool:
    if a == b:
        return True
    allowed = _allowed_typos(min(len(a), len(b)))
    return allowed > 0 and DamerauLevenshtein.distance(a, b, score_cutoff=allowed) <= allowed


def family_alike(new: list[str], old: list[str]) -> bool:
    """Alike as a whole ('Vries-de Boer' ~ 'de Vriesboer'), or in one word of a double
    name ('Jansen-de Vries' ~ 'de Vries')."""
    if not new or not old:
        return False
    if words_alike("".join(new), "".join(old)):
        return True
    return any(words_alike(a, b) for a in new if len(a) >= 3 for b in old if len(b) >= 3)


def _initials_only(words: list[str]) -> bool:
    return all(len(word) == 1 for word in words)


def given_alike(new: list[str], old: list[str]) -> bool:
    """One given (or preferred) name alike, a short form of one ('Hen', 'Hendrika'), or
    initials that fit ('J.M.' and 'Johanna Maria')."""
    if not new or not old:
        return False
    if _initials_only(new) or _initials_only(old):
        return new[0][0] == old[0][0]
    for a in new:
        for b in old:
            shorter, longer = sorted((a, b), key=len)
            if words_alike(a, b) or (len(shorter) >= 3 and longer.startswith(shorter)):
                return True
    return False


def names_alike(identity: Identity, row: dict) -> bool:
    return family_alike(
        _family_words(identity.name_prefix, identity.family_name),
        _family_words(row["name_prefix"], row["family_name"]),
    ) and given_alike(
        _given_words(identity.given_names, identity.preferred_name),
        _given_words(row["given_names"], row["preferred_name"]),
    )


def _likeness(identity: Identity, row: dict) -> float:
    def whole(given, prefix, family):
        return " ".join([*_given_words(given, ""), *_family_words(prefix, family)])

    return fuzz.ratio(
        whole(identity.given_names, identity.name_prefix, identity.family_name),
        whole(row["given_names"], row["name_prefix"], row["family_name"]),
    )


# Queries ---------------------------------------------------------------------------

_COLUMNS = (
    "id",
    "client_number",
    "given_names",
    "name_prefix",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "street",
    "house_number",
    "house_number_suffix",
    "postcode",
    "city",
    "status",
    "team__name",
)


def _born_on(user, born: date) -> list[dict]:
    """One query on the birth date's index: the clients born that day `user` may see."""
    rows = rows_visible_to(user, Client.objects.filter(date_of_birth=born)).order_by()
    return list(rows.values(*_COLUMNS)[:MAX_ROWS])


def _with_numbers(user, e164s: tuple[str, ...]) -> list[dict]:
    """One query on the phones' e164 index: the clients `user` may see with one of
    these as their own number (a relation's number is not the client's)."""
    # "relation IS NULL" written so that no index serves it: SQLite would otherwise
    # read the numbers of every client through the relation index (NULL for each).
    phones = (
        Phone.objects.filter(e164__in=e164s)
        .alias(through_relation=Coalesce("relation_id", Value(0)))
        .filter(through_relation=0)
    )
    phones = rows_visible_to(user, phones, team="client__team_id").order_by()
    rows = phones.values(*[f"client__{name}" for name in _COLUMNS])[:MAX_ROWS]
    return [{name: row[f"client__{name}"] for name in _COLUMNS} for row in rows]


def find_candidates(user, identity: Identity) -> list[Candidate]:
    """The clients `user` may see that `identity` may duplicate, likeliest first.

    At most two queries, whatever the number of clients or candidates; none when
    there is neither a birth date nor a phone number to compare on, or the user sees
    no clients.
    """
    if client_scope(user) == ClientScope.NONE:
        return []
    reasons: dict[int, set[Reason]] = {}
    rows: dict[int, dict] = {}
    sources = []
    if identity.date_of_birth is not None:
        sources.append((Reason.BIRTH_DATE, _born_on(user, identity.date_of_birth)))
    if identity.e164s:
        sources.append((Reason.PHONE, _with_numbers(user, identity.e164s)))
    for reason, found in sources:
        for row in found:
            if names_alike(identity, row):
                rows[row["id"]] = row
                reasons.setdefault(row["id"], set()).add(reason)
    candidates = [
        _candidate(row, reasons[pk], _likeness(identity, row)) for pk, row in rows.items()
    ]
    candidates.sort(key=lambda c: (-len(c.reasons), -c.likeness, c.id))
    return candidates[:MAX_CANDIDATES]


def _candidate(row: dict, reasons: set[Reason], likeness: float) -> Candidate:
    fields = {name: row[name] for name in _COLUMNS if name != "team__name"}
    return Candidate(
        **fields,
        team_name=row["team__name"] or "",
        reasons=tuple(r for r in Reason if r in reasons),
        likeness=likeness,
    )


def check_new_client(actor: Actor, fields: dict, *, checked: str = "") -> DuplicateCheck:
    """Before client_create: the clients the new one may duplicate.

    Validates `fields` as client_create will, first, so a wrong value (or a BSN that
    another client has) is said before any warning about duplicates; a ValidationError
    goes to the caller just as the service's would. `checked` is the fingerprint the
    user confirmed on an earlier warning: when nothing compared has changed since, the
    search is not repeated. A search that ran is audited as one search entry whatever
    it found, naming the candidates it shows: the check is a lookup by name and birth
    date or phone, and the log shows it even when it finds nobody.
    """
    refuse_bsn_without_role(actor, fields, action=Action.CREATE)
    clean = clean_client_fields(dict(fields), creating=True, user=actor.user)
    identity = Identity.from_clean(clean)
    fingerprint = identity.fingerprint()
    if checked == fingerprint or (identity.date_of_birth is None and not identity.e164s):
        return DuplicateCheck([], fingerprint)
    candidates = find_candidates(actor.user, identity)
    if candidates:  # the clients shown, named as any list of clients is
        audit_record_listing(
            actor, action=Action.SEARCH, part=AUDIT_PART, client_ids=[c.id for c in candidates]
        )
    else:
        audit_record(actor, action=Action.SEARCH, part=AUDIT_PART)
    return DuplicateCheck(candidates, fingerprint)

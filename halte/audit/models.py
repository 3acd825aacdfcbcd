"""The NEN 7513 access log: who did what with whose data, when, from where, and why.

Entries are append-only and chained: each entry's hash is an HMAC-SHA256, under a key
kept outside the database (settings.AUDIT_CHAIN_KEYS), over its fields and the
previous entry's hash in its chain, so changing, removing or inserting one breaks the
chain that `manage.py verify_audit` walks, and nobody without the key can mend it.

There are several chains (settings.AUDIT_CHAINS) so that writers do not queue on one
lock: `AuditChainHead` holds each chain's last link, and a writer takes the row lock
of a free head, so each chain never forks. An entry records its chain and its
position there; `seq`, unique over all chains, orders the log (within a chain, seq
order is position order; across chains, two entries written at the same moment may
have their `at` and their `seq` in opposite orders).

Entries written before the chain was keyed (`key_id` empty) hold a plain SHA-256;
they are accepted only at the start of chain 1, before its first keyed entry, whose
HMAC covers the last of them and so seals them.

An entry names no client, one client (`client_id`), or, for one look at a page that
lists several clients, each of them in `AuditEntryClient` rows: one entry per look,
and still one indexed lookup to answer "who saw client X, when".
"""

import hashlib
import hmac
import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    READ = "read", _("Read")
    SEARCH = "search", _("Search")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Print")
    MERGE = "merge", _("Merge")
    # A second factor checked at sign-in (halte.twofactor): allowed or denied.
    VERIFY = "verify", _("Verify")
    SIGN_IN = "sign_in", _("Sign in")
    SIGN_OUT = "sign_out", _("Sign out")
    # An API token withdrawn (halte.api.services): the access it granted ends.
    REVOKE = "revoke", _("Revoke")


# The reads and searches every page and lookup writes. The action filter's partial
# index holds every other action, the rare ones. Its condition is two inequalities,
# not an IN list of the rare ones: SQLite evaluates it on every append, and an IN
# list made the append of a read 5% slower.
COMMON_ACTIONS = (Action.READ, Action.SEARCH)
RARE_ACTION_CONDITION = ~Q(action=Action.READ) & ~Q(action=Action.SEARCH)


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Allowed")
    DENIED = "denied", _("Denied")


class Purpose(models.TextChoices):
    CONTACT = "contact", _("Client contact")
    CARE = "care", _("Care")
    PLANNING = "planning", _("Planning")
    MANAGEMENT = "management", _("Management")
    SUPERVISION = "supervision", _("Privacy supervision")
    ADMINISTRATION = "administration", _("Administration")
    INTEGRATION = "integration", _("System integration")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AppendOnlyModel(models.Model):
    """Rows that are written once: no update and no delete, one by one or in bulk."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        # Always an INSERT: for a new instance whose primary key is set, Django would
        # try an UPDATE first, and overwrite the entry of that key (SQLite has no
        # trigger to stop it). An existing key fails the insert instead.
        super().save(**{**kwargs, "force_insert": True})

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")


class ChainPosition(models.BigIntegerField):
    """An entry's place in the chain, and its key: no second counter and index to keep
    up on every append. On SQLite it is declared INTEGER, so it is the table's rowid."""

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class AuditEntry(AppendOnlyModel):
    seq = ChainPosition(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    # Plain references, not foreign keys: the log outlives the users and clients
    # it names, and no cascade may ever touch it.
    user_id = models.BigIntegerField(_("user id"), null=True)
    username = models.CharField(_("user"), max_length=150)
    role = models.CharField(_("role"), max_length=32)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=150, blank=True)
    client_id = models.BigIntegerField(_("client id"), null=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    part = models.CharField(_("part of the record"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    source_ip = models.GenericIPAddressField(_("source"), null=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Which chain, the place in it (1, 2, ... without gaps) and the id of the key
    # its hash was made with ("" for an entry from before the chain was keyed).
    chain = models.PositiveSmallIntegerField(default=1)
    position = models.BigIntegerField()
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["client_id", "-seq"], name="audit_client_seq"),
            models.Index(fields=["username", "-seq"], name="audit_username_seq"),
            # The log page's action and outcome filters look for the rare entries
            # (a refusal, an export, a change) among millions of reads. Partial
            # indexes hold only those, so the append of a read, on every request,
            # writes no extra index.
            models.Index(
                fields=["-seq"], name="audit_denied_seq", condition=Q(outcome=Outcome.DENIED)
            ),
            models.Index(
                fields=["action", "-seq"],
                name="audit_rare_action_seq",
                condition=RARE_ACTION_CONDITION,
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.username} {self.action} {self.part}"

    def compute_hash(self, client_ids=(), keys=None) -> str:
        """The hash of the entry as stored, with the clients its AuditEntryClient rows
        name: the HMAC under its key, or a legacy entry's plain SHA-256."""
        if not self.key_id:
            values = {name: getattr(self, name) for name in LEGACY_HASHED_FIELDS}
            return entry_hash(values, client_ids)
        values = {name: getattr(self, name) for name in HASHED_FIELDS}
        return keyed_hash(chain_mac(self.key_id, keys), values, client_ids)


# What a legacy entry's plain SHA-256 covers.
LEGACY_HASHED_FIELDS = (
    "seq",
    "at",
    "user_id",
    "username",
    "role",
    "on_behalf_of",
    "client_id",
    "action",
    "part",
    "outcome",
    "source_ip",
    "purpose",
    "prev_hash",
)
# What an entry's HMAC covers: every field but the hash itself.
HASHED_FIELDS = (*LEGACY_HASHED_FIELDS, "chain", "position", "key_id")


def _canonical(values: dict, client_ids) -> bytes:
    canonical = {**values, "at": values["at"].isoformat(timespec="microseconds")}
    if client_ids:
        canonical["client_ids"] = sorted(client_ids)
    return json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()


class UnknownKey(LookupError):
    """An entry names a chain key id that is not configured."""


def chain_mac(key_id: str, keys=None):
    """A fresh HMAC-SHA256 under the chain key `key_id` (settings.AUDIT_CHAIN_KEYS
    unless `keys` is given). The keyed state is made once per key and copied for each
    entry: cheaper than keying anew."""
    if keys is None:
        from django.conf import settings

        keys = settings.AUDIT_CHAIN_KEYS
    key = keys.get(key_id)
    if key is None:
        raise UnknownKey(key_id)
    return _keyed(key).copy()


_KEYED_CACHE: dict[str, object] = {}


def _keyed(key: str):
    mac = _KEYED_CACHE.get(key)
    if mac is None:
        mac = _KEYED_CACHE[key] = hmac.new(key.encode(), digestmod=hashlib.sha256)
    return mac


def keyed_hash(mac, values: dict, client_ids=()) -> str:
    """The HMAC over the entry's fields (HASHED_FIELDS) in a canonical JSON form and
    the clients it names; `mac` from chain_mac(), used once."""
    mac.update(_canonical(values, client_ids))
    return mac.hexdigest()


def entry_hash(values: dict, client_ids=()) -> str:
    """SHA-256 over the entry's fields in a canonical JSON form; `values` holds
    HASHED_FIELDS, `at` as an aware datetime.

    The clients of a several-client entry are hashed with it, in order, so adding,
    dropping or changing one breaks the chain. An entry with none hashes as before
    they existed: the chains already written still verify.

    Legacy only: the entries written before the chain was keyed. Anyone can compute
    it, so it proves nothing once the database can be written; new entries get
    keyed_hash()."""
    return hashlib.sha256(_canonical(values, client_ids)).hexdigest()


class AuditEntryClient(AppendOnlyModel):
    """One of the clients a several-client entry names (a page listing clients, seen in
    one look). Append-only, like the entries, and covered by its entry's hash."""

    pk = models.CompositePrimaryKey("entry", "client_id")
    # No database constraint: no check per row on the append, and no trigger of its
    # own on the entries' table. The hash chain is what proves the rows belong.
    entry = models.ForeignKey(
        AuditEntry,
        on_delete=models.DO_NOTHING,
        related_name="clients",
        db_constraint=False,
        db_index=False,  # the primary key starts with it
        verbose_name=_("audit entry"),
    )
    client_id = models.BigIntegerField(_("client id"))

    class Meta:
        verbose_name = _("client named in an audit entry")
        verbose_name_plural = _("clients named in audit entries")
        indexes = [models.Index(fields=["client_id", "-entry"], name="audit_entryclient_client")]

    def __str__(self):
        return f"#{self.entry_id} client {self.client_id}"


class AuditChainHead(models.Model):
    """One row per chain (its id is the chain's): the position and hash of its last
    entry. A writer holds the row's lock from choosing the chain to its commit."""

    position = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"audit chain {self.pk} at {self.position}"

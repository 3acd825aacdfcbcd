"""The NEN 7513 access log: who did what with whose data, when, from where, and why.

Entries are append-only and hash-chained: each entry's hash covers its fields and
the previous entry's hash, so changing or removing one breaks the chain that
`manage.py verify_audit` walks. `AuditChainHead` holds the last link; taking its
row lock serialises writers so the chain never forks.

An entry names no client, one client (`client_id`), or, for one look at a page that
lists several clients, each of them in `AuditEntryClient` rows: one entry per look,
and still one indexed lookup to answer "who saw client X, when".
"""

import hashlib
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
    SIGN_IN = "sign_in", _("Sign in")
    SIGN_OUT = "sign_out", _("Sign out")


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

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

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

    def compute_hash(self, client_ids=()) -> str:
        """The hash of the entry as stored, with the clients its AuditEntryClient rows name."""
        values = {name: getattr(self, name) for name in HASHED_FIELDS}
        return entry_hash(values, client_ids)


# What an entry's hash covers: every field but the hash itself.
HASHED_FIELDS = (
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


def entry_hash(values: dict, client_ids=()) -> str:
    """SHA-256 over the entry's fields in a canonical JSON form; `values` holds
    HASHED_FIELDS, `at` as an aware datetime.

    The clients of a several-client entry are hashed with it, in order, so adding,
    dropping or changing one breaks the chain. An entry with none hashes as before
    they existed: the chains already written still verify."""
    canonical = {**values, "at": values["at"].isoformat(timespec="microseconds")}
    if client_ids:
        canonical["client_ids"] = sorted(client_ids)
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


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
    """One row: the last sequence number and hash of the chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return f"audit chain at #{self.seq}"

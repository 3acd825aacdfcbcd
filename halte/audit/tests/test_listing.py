"""One look at a page listing clients is one entry naming them all: written cheaply,
found by the client filter, and covered by the hash chain."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry, AuditEntryClient
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.tests.factories import ClientFactory
from halte.contact.tests.pages import make_promise


@pytest.fixture
def actor(personas):
    return Actor(personas["team_lead"], source_ip="192.0.2.20")


@pytest.fixture
def listed(actor):
    """Entry 1 for client 7, entry 2 naming clients 3, 5 and 8, entry 3 for client 9."""
    audit_record(actor, action=Action.READ, part="card", client_id=7)
    audit_record_listing(
        actor, action=Action.READ, part="promises", client_ids=[8, 3, "5", 3, None]
    )
    audit_record(actor, action=Action.READ, part="card", client_id=9)
    return AuditEntry.objects.get(position=2)


def test_it_writes_one_entry_naming_every_client_once(listed):
    assert AuditEntry.objects.count() == 3
    assert listed.client_id is None
    assert (listed.part, listed.username) == ("promises", "lead_noord")
    named = listed.clients.order_by("client_id").values_list("client_id", flat=True)
    assert list(named) == [3, 5, 8]
    assert verify_chain().problem is None


def test_it_writes_nothing_when_the_list_shows_no_client(actor):
    audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[])
    audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[None])
    assert not AuditEntry.objects.exists()


def test_it_appends_in_the_same_statements_for_one_client_or_fifty(
    actor, django_assert_num_queries
):
    audit_record(actor, action=Action.READ, part="card", client_id=1)  # the head exists
    with django_assert_num_queries(4):
        audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[1])
    with django_assert_num_queries(4):
        audit_record_listing(actor, action=Action.READ, part="promises", client_ids=range(1, 51))
    # A single-client entry is what it was: lock the head, insert, move the head.
    with django_assert_num_queries(3):
        audit_record(actor, action=Action.READ, part="card", client_id=1)
    assert verify_chain().problem is None


def test_it_names_thousands_of_clients_in_one_entry(actor):
    audit_record_listing(
        actor, action=Action.EXPORT, part="waiting_list_bsn", client_ids=range(1, 12_001)
    )
    assert AuditEntry.objects.count() == 1
    assert AuditEntryClient.objects.count() == 12_000
    assert verify_chain().problem is None


def test_it_leaves_no_clients_behind_when_the_look_is_rolled_back(actor):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[1, 2])
        raise RuntimeError("the page failed")
    assert not AuditEntry.objects.exists()
    assert not AuditEntryClient.objects.exists()


# The chain covers the clients named


def _raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params=()):
    """Change the clients named behind the trigger's back, as a database superuser could."""
    table = "audit_auditentryclient"
    if connection.vendor == "postgresql":
        _raw_sql(f"ALTER TABLE {table} DISABLE TRIGGER audit_entryclient_append_only")
        _raw_sql(sql, params)
        _raw_sql(f"ALTER TABLE {table} ENABLE TRIGGER audit_entryclient_append_only")
    else:
        _raw_sql(sql, params)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE audit_auditentryclient SET client_id = %s WHERE client_id = %s", [4, 5]),
        ("DELETE FROM audit_auditentryclient WHERE client_id = %s", [5]),
        ("DELETE FROM audit_auditentryclient", []),
        ("INSERT INTO audit_auditentryclient (entry_id, client_id) VALUES (%s, %s)", [2, 11]),
        # Naming a client on a single-client entry changes that entry too.
        ("INSERT INTO audit_auditentryclient (entry_id, client_id) VALUES (%s, %s)", [3, 9]),
    ],
)
def test_it_detects_a_change_in_the_clients_an_entry_names(listed, sql, params):
    if sql.startswith("INSERT"):  # params name the entry by its position in the chain
        params = [AuditEntry.objects.get(position=params[0]).seq, params[1]]
    _tamper(sql, params)
    changed = AuditEntry.objects.get(position=3 if params[1:] == [9] else 2)
    assert verify_chain().problem == (
        f"chain 1, position {changed.position} (entry {changed.seq}) was changed after it"
        " was written (its hash does not match)"
    )
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_audit")


@pytest.mark.parametrize("after_last", [False, True])
def test_it_detects_clients_named_for_an_entry_that_is_not_there(listed, after_last):
    seq = AuditEntry.objects.order_by("-seq").first().seq + 99 if after_last else 0
    _tamper("INSERT INTO audit_auditentryclient (entry_id, client_id) VALUES (%s, 4)", [seq])
    assert verify_chain().problem == f"clients are named for entry {seq}, which is not in the log"


def test_it_still_verifies_across_chunks(actor):
    for n in range(7):
        audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[n, n + 100])
        audit_record(actor, action=Action.READ, part="card", client_id=n)
    assert verify_chain(chunk_size=3).problem is None
    _tamper("UPDATE audit_auditentryclient SET client_id = 1000 WHERE client_id = 105")
    changed = AuditEntry.objects.get(position=11)
    assert verify_chain(chunk_size=3).problem == (
        f"chain 1, position 11 (entry {changed.seq}) was changed after it was written"
        " (its hash does not match)"
    )


def test_it_refuses_changes_to_the_clients_named_through_the_app(listed):
    row = AuditEntryClient.objects.filter(entry=listed).first()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEntryClient.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntryClient.objects.update(client_id=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_it_refuses_changes_to_the_clients_named_in_the_database_on_postgresql(listed):
    for sql in (
        "UPDATE audit_auditentryclient SET client_id = 1",
        "DELETE FROM audit_auditentryclient",
        "UPDATE audit_auditentry SET part = 'x'",
        "DELETE FROM audit_auditentry",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw_sql(sql)
    assert AuditEntryClient.objects.count() == 3


# The escalation list: one look, one entry, found under each client


@pytest.fixture
def escalated(personas, teams):
    lead = personas["team_lead"]
    clients = [ClientFactory(team=teams["noord"]) for _ in range(3)]
    for client_obj in clients:
        make_promise(client_obj, lead, due_in=datetime.timedelta(hours=-1), owner_user=lead)
    make_promise(clients[0], lead, due_in=datetime.timedelta(minutes=5), owner_user=lead)
    return clients


def test_one_look_at_the_escalations_is_one_entry_naming_the_clients_seen(
    client, personas, escalated
):
    client.force_login(personas["team_lead"])
    before = AuditEntry.objects.count()
    assert client.get(reverse("contact:escalations")).status_code == 200
    [entry] = AuditEntry.objects.order_by("seq")[before:]
    assert (entry.action, entry.part, entry.client_id) == ("read", "promises", None)
    named = set(entry.clients.values_list("client_id", flat=True))
    assert named == {c.pk for c in escalated}
    assert verify_chain().problem is None


def test_the_client_filter_finds_the_look_at_the_escalations(client, personas, escalated):
    client.force_login(personas["team_lead"])
    client.get(reverse("contact:escalations"))
    client.force_login(personas["privacy_officer"])
    for seen in escalated:
        page = client.get(reverse("audit:log"), {"client_number": seen.client_number})
        rows = [r for r in page.context["page"].entries if r.part == "promises"]
        assert [(r.username, sorted(r.client_numbers)) for r in rows] == [
            ("lead_noord", sorted(c.client_number for c in escalated))
        ]
    content = page.content.decode()
    assert "Toezeggingen" in content

"""The production deployment on PostgreSQL: migrations run as the tables' owner, the
application connects as a role of its own with `manage.py audit_grants`, and that role
can add and read audit entries but not change, remove or truncate them, nor switch
their triggers off."""

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record, audit_record_listing

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles"),
]

REFUSED = [
    ("UPDATE audit_auditentry SET part = 'x'", "permission denied"),
    ("DELETE FROM audit_auditentry", "permission denied"),
    ("TRUNCATE audit_auditentry", "permission denied"),
    ("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only", "must be owner"),
    ("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL", "must be owner"),
    ("UPDATE audit_auditentryclient SET client_id = 1", "permission denied"),
    ("DELETE FROM audit_auditentryclient", "permission denied"),
    ("TRUNCATE audit_auditentryclient", "permission denied"),
    (
        "ALTER TABLE audit_auditentryclient DISABLE TRIGGER audit_entryclient_append_only",
        "must be owner",
    ),
    # The heads: moved forward by each append, never back, never removed.
    ("UPDATE audit_auditchainhead SET position = 0", "may only move forward"),
    ("DELETE FROM audit_auditchainhead", "permission denied"),
    ("TRUNCATE audit_auditchainhead", "permission denied"),
    ("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER", "must be owner"),
    ("SELECT setval('audit_entry_seq', 1)", "permission denied"),
    ("DROP TABLE audit_auditentry", "must be owner"),
]


@pytest.fixture
def app_role():
    """A login role that owns nothing, with the documented grants."""
    name = f"{connection.settings_dict['NAME']}_app"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{name}"')
            cursor.execute(f'DROP ROLE "{name}"')
        cursor.execute(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    call_command("audit_grants", "--role", name, "--execute")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


def _as_role(role: str, work):
    """Run `work()` in a thread whose default database connection logs in as `role`."""
    failures = []

    def run():
        settings_dict = {**connection.settings_dict, "USER": role, "PASSWORD": ""}
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
        connections["default"] = wrapper
        try:
            work()
        except Exception as error:  # handed to the test, which shows it
            failures.append(error)
        finally:
            wrapper.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert failures == []


def test_the_grants_print_as_sql(app_role, capsys):
    call_command("audit_grants", "--role", app_role)
    out = capsys.readouterr().out
    assert (
        f'GRANT SELECT, INSERT ON "audit_auditentry", "audit_auditentryclient" TO "{app_role}"'
        in out
    )
    assert (
        'REVOKE ALL ON "audit_auditentry", "audit_auditentryclient", "audit_auditchainhead"' in out
    )


def test_the_application_role_appends_and_reads_but_cannot_rewrite(app_role, personas):
    actor = Actor(personas["nurse_noord"], source_ip="192.0.2.10")
    refusals = {}

    def work():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
        for client_id in (1, 2, 3):
            audit_record(actor, action=Action.READ, part="card", client_id=client_id)
        audit_record_listing(actor, action=Action.READ, part="promises", client_ids=[4, 5])
        assert AuditEntry.objects.count() == 4
        assert verify_chain().problem is None
        for sql, _expected in REFUSED:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql)
            except DatabaseError as error:
                refusals[sql] = str(error)
            else:
                refusals[sql] = "allowed"

    _as_role(app_role, work)
    for sql, expected in REFUSED:
        assert expected in refusals[sql], (sql, refusals[sql])
    # As the owner: the four entries are all there, unchanged.
    assert AuditEntry.objects.count() == 4
    assert verify_chain().problem is None


def test_the_application_role_still_writes_the_other_tables(app_role, personas):
    from halte.core.models import User

    def work():
        User.objects.filter(pk=personas["planner"].pk).update(first_name="Petra")

    _as_role(app_role, work)
    assert User.objects.get(pk=personas["planner"].pk).first_name == "Petra"

"""Run by test_backup.py in processes of their own (DATABASE_URL names the database).

`write-and-backup <file> <expected.json>`: makes clients with a contact and a
promise each (every write audited), then takes a backup with `backup_database`
while another thread keeps making them. Writes to <expected.json> what was
committed before the backup began, and prints how many writes overlapped it.

`check <expected.json>`: in the restored database, prints which of those records
are missing, and whether `verify_audit` passes.
"""

import json
import sys
import threading
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connections, transaction  # noqa: E402

from halte.audit.context import Actor  # noqa: E402
from halte.audit.models import AuditEntry  # noqa: E402
from halte.clients.models import Client  # noqa: E402
from halte.clients.services import client_create  # noqa: E402
from halte.contact.models import Commitment, Interaction  # noqa: E402
from halte.contact.services import commitment_create, interaction_log  # noqa: E402

MODELS = {
    "clients": Client,
    "contacts": Interaction,
    "promises": Commitment,
    "audit": AuditEntry,
}


def committed() -> dict[str, list]:
    return {
        name: sorted(model.objects.values_list("pk", flat=True)) for name, model in MODELS.items()
    }


def write_one(actor: Actor, user, number: int) -> None:
    with transaction.atomic():
        client = client_create(
            actor=actor, given_names=f"Back{number}", family_name="Up", team=user.teams.get()
        )
        interaction_log(
            actor=actor,
            client=client,
            channel="phone",
            direction="in",
            topic="Planning",
            summary="Belt over de planning.",
            outcome="resolved",
        )
        commitment_create(
            actor=actor,
            client=client,
            kind="callback",
            description="Terugbellen over de planning.",
            owner_user=user,
            callback_number="0612345678",
        )


def write_and_backup(backup_file: str, expected_file: str) -> None:
    from halte.core.roles import Role
    from halte.core.tests.factories import TeamFactory, UserFactory

    user = UserFactory(role=Role.CARE_PROFESSIONAL, teams=[TeamFactory()])
    actor = Actor(user)
    for number in range(30):
        write_one(actor, user, number)

    stop, commits = threading.Event(), []

    def keep_writing():
        number = 1000
        try:
            while not stop.is_set():
                write_one(actor, user, number)
                commits.append(time.monotonic())
                number += 1
        finally:
            connections.close_all()

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    try:
        while len(commits) < 5 and writer.is_alive():
            time.sleep(0.01)
        before = committed()  # everything committed before the backup begins
        started = time.monotonic()
        call_command("backup_database", backup_file)
        ended = time.monotonic()
        while sum(1 for at in commits if at > ended) < 5 and writer.is_alive():
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    with open(expected_file, "w") as handle:
        json.dump(before, handle)
    print(
        json.dumps(
            {
                "during_backup": sum(1 for at in commits if started < at < ended),
                "after_backup": sum(1 for at in commits if at > ended),
                "before": {name: len(pks) for name, pks in before.items()},
            }
        )
    )


def check(expected_file: str) -> None:
    with open(expected_file) as handle:
        expected = json.load(handle)
    restored = committed()
    missing = {name: sorted(set(pks) - set(restored[name])) for name, pks in expected.items()}
    try:
        call_command("verify_audit")
        verified = "passed"
    except CommandError as error:
        verified = str(error)
    print(
        json.dumps(
            {
                "missing": missing,
                "restored": {name: len(pks) for name, pks in restored.items()},
                "verify_audit": verified,
            }
        )
    )


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"write-and-backup": write_and_backup, "check": check}[command](*arguments)

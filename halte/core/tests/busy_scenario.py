"""Run by test_database_busy.py in a process of its own, on a migrated SQLite file
(DATABASE_URL): writes while another program or another Halte connection holds the
write lock longer than the busy timeout. Prints what each request answered as JSON."""

import json
import sqlite3
import threading

import django

django.setup()

from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from halte.api.services import api_token_create  # noqa: E402
from halte.audit.context import Actor  # noqa: E402
from halte.audit.models import AuditEntry  # noqa: E402
from halte.clients.tests.factories import ClientFactory  # noqa: E402
from halte.contact.models import Interaction  # noqa: E402
from halte.core.roles import Role  # noqa: E402
from halte.core.tests.factories import TeamFactory, UserFactory  # noqa: E402

team = TeamFactory()
nurse = UserFactory(role=Role.CARE_PROFESSIONAL, teams=[team])
client_record = ClientFactory(team=team)
_, token = api_token_create(actor=Actor.system("busy scenario"), user=nurse, name="busy", scopes=[])
api = Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
page = Client(raise_request_exception=False)
page.force_login(nurse)
contact = {
    "client_id": client_record.pk,
    "channel": "phone",
    "direction": "in",
    "topic": "Planning",
    "summary": "Vraagt of de zorg later kan komen.",
    "outcome": "resolved",
}


def counts() -> list[int]:
    return [Interaction.objects.count(), AuditEntry.objects.count()]


def answer(response) -> dict:
    return {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "content_type": response.get("Content-Type"),
        "body": response.content.decode(),
    }


def post_contact():
    return answer(api.post("/api/v1/interactions", contact, content_type="application/json"))


def held_by_another_program():
    """sqlite3 outside Halte (a backup script, the sqlite3 shell) holds the lock."""
    other = sqlite3.connect(connections["default"].settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def held_by_halte(ready: threading.Event, release: threading.Event):
    """Another Halte connection (a long job) holds the lock in a transaction."""
    with transaction.atomic():
        Interaction.objects.filter(pk=-1).update(topic="x")  # a write: the lock is taken
        ready.set()
        release.wait()
    connections.close_all()


results = {"before": counts()}
other = held_by_another_program()
results["api_other_program"] = post_contact()
results["page_other_program"] = answer(page.get(f"/clienten/{client_record.pk}/"))
results["while_locked"] = counts()
other.rollback()
other.close()
results["api_after_release"] = post_contact()
results["after_release"] = counts()

ready, release = threading.Event(), threading.Event()
holder = threading.Thread(target=held_by_halte, args=(ready, release))
holder.start()
ready.wait()
results["api_halte_job"] = post_contact()
results["while_job"] = counts()
release.set()
holder.join()
results["api_after_job"] = post_contact()
results["after_job"] = counts()
print(json.dumps(results))

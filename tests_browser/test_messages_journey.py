"""A client hears from Halte as a planner walks their referral to care start: each
step's message arrives at a real SMTP server in the reader's language and form of
address (an English client, and her son who receives a copy in Dutch), a second run
of the worker sends nothing more, and the client page and the outbox list what was
sent.

The worker is django-tasks-db's own `Worker` in batch mode, the object `manage.py
db_worker --batch` builds and runs, here in the test's thread. A live-server test is
transactional (autocommit), so each task commits as it would in a worker process, and
what a task leaves for after its commit (the send task) is enqueued then. A worker
process cannot be used on SQLite: the test database is in memory, shared only with
the live server's thread."""

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from babel.dates import format_date
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from halte.clients.tests.factories import ClientFactory, RelationFactory
from halte.journey.models import Referral
from halte.journey.tests.factories import product
from halte.outreach import defaults
from halte.outreach.models import Message, MessageStatus
from tests_browser.helpers import LAPTOP, bottom, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NURSE = "Sanne de Wit"
TEAM_PHONE = "033 461 23 45"  # the team's +31334612345, written the Dutch way
CLIENT = "ayesha.khan@example.org"
SON = "imran.khan@example.nl"


@dataclass(frozen=True)
class Reader:
    """What each message must say to one reader (halte/outreach/defaults.py): the
    greeting, and per step the subject and sentences of the body. `{date}` and
    `{time}` are the intake's, written in the reader's language."""

    language: str
    greeting: str
    referral: tuple[str, ...]
    intake: tuple[str, ...]
    care: tuple[str, ...]


READERS = {
    # The client's language is English; a salutation is made in it ("Mrs", not "mevrouw").
    CLIENT: Reader(
        language="en",
        greeting="Dear Mrs Khan,",
        referral=(
            "We have received the referral",
            "We have received the referral of Ayesha Khan for Wijkverpleging.",
        ),
        intake=(
            "Appointment for the intake on {date}",
            "We confirm the appointment for the intake of Ayesha Khan.",
            f"Date: {{date}}\nTime: {{time}}\nMeeting with: {NURSE}",
            "The meeting is at your home.",
        ),
        care=(
            "Care begins: this is the fixed contact person",
            f"The fixed contact person is {NURSE}.",
        ),
    ),
    # Her son reads Dutch, and a relative is addressed formally, by his own name.
    SON: Reader(
        language="nl",
        greeting="Beste Imran Khan,",
        referral=(
            "Wij hebben de aanmelding ontvangen",
            "Wij hebben de aanmelding van Ayesha Khan voor Wijkverpleging goed ontvangen.",
        ),
        intake=(
            "Afspraak voor de intake op {date}",
            "Hierbij bevestigen wij de afspraak voor de intake van Ayesha Khan.",
            f"Datum: {{date}}\nTijd: {{time}} uur\nGesprek met: {NURSE}",
            "Het gesprek is thuis.",
        ),
        care=(
            "De zorg begint: dit is de vaste contactpersoon",
            f"De vaste contactpersoon is {NURSE}.",
        ),
    ),
}


@pytest.fixture
def nurse(teams, personas):
    """The default templates and the care offer (an earlier transactional test may
    have flushed what the migrations installed), a team with a phone number and a
    nurse with a name."""
    defaults.install()
    product("wijkverpleging")
    teams["noord"].phone = "+31334612345"
    teams["noord"].save()
    nurse = personas["nurse_noord"]
    nurse.first_name, nurse.last_name = NURSE.split(" ", 1)
    nurse.save()
    return nurse


@pytest.fixture
def ayesha(teams):
    client = ClientFactory(
        team=teams["noord"],
        given_names="Ayesha",
        family_name="Khan",
        salutation="mrs",
        language="en",
        email=CLIENT,
        contact_channel="email",
    )
    RelationFactory(
        client=client,
        name="Imran Khan",
        kind="child",
        email=SON,
        contact_channel="email",
        language="nl",
        may_receive_information=True,
        message_copy="copy",
    )
    return client


def run_worker(page) -> int:
    """Run every task that is due, as `manage.py db_worker --batch` does, once the
    page has finished its requests (on SQLite the live server shares this thread's
    connection). Returns how many tasks ran; none may fail."""
    page.wait_for_load_state("networkidle")
    done_before = DBTaskResult.objects.exclude(status="READY").count()
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    ).run()
    failed = DBTaskResult.objects.filter(status="FAILED")
    assert not failed.exists(), [(task.task_path, task.traceback) for task in failed]
    return DBTaskResult.objects.exclude(status="READY").count() - done_before


def assert_arrived(page, smtp_server, step: str, **values) -> None:
    """Run the worker: the step's message reaches each reader once, in their
    language, greeting them by name, with the team's number. A value given as a
    dict is per language."""
    before = len(smtp_server.messages)
    run_worker(page)
    arrived = {mail["To"]: mail for mail in smtp_server.messages[before:]}
    assert len(smtp_server.messages) - before == len(arrived) == len(READERS), arrived.keys()
    for address, reader in READERS.items():
        mail = arrived[address]
        fields = {k: v[reader.language] if isinstance(v, dict) else v for k, v in values.items()}
        subject, *sentences = (text.format(**fields) for text in getattr(reader, step))
        assert mail["Subject"] == subject
        text = mail.get_content().replace("\r\n", "\n")  # SMTP ends lines with CRLF
        assert text.startswith(reader.greeting + "\n"), text
        for sentence in sentences:
            assert sentence in text, text
        assert TEAM_PHONE in text


def assert_nothing_arrives(page, smtp_server) -> None:
    before = len(smtp_server.messages)
    run_worker(page)
    assert smtp_server.messages[before:] == []


def _step(page, name):
    """Submit the step `name` on the referral page and wait for the next page."""
    page.click(f"#step-{name} button[type=submit]")
    expect(page.locator("ul.messages")).to_be_visible()


def test_each_step_reaches_the_client_in_their_language_once(
    page, live_server, personas, nurse, ayesha, smtp_server
):
    client_page = f"/clienten/{ayesha.pk}/"
    log_in(page, "planner")

    # The referral: its confirmation.
    page.goto(client_page)
    page.click(f"a[href='/traject/clienten/{ayesha.pk}/aanmelding/']")
    page.select_option("#id_source", "gp")
    page.select_option("#id_product", label="Wijkverpleging")
    page.fill("#id_question", "Wondzorg na ziekenhuisopname")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ayesha Khan")
    referral = Referral.objects.get()
    assert_arrived(page, smtp_server, "referral")

    # Taken on and called: nothing to tell.
    page.goto("/traject/")
    page.locator("#unowned tr", has_text="Khan").locator("button").click()
    expect(page).to_have_url(f"/traject/aanmeldingen/{referral.pk}/")
    _step(page, "contacted")
    assert_nothing_arrives(page, smtp_server)

    # The intake planned: its confirmation, the day written in each reader's language.
    planned = timezone.localtime() + datetime.timedelta(hours=1)
    page.fill("#id_intake_plan_planned_at", planned.strftime("%d-%m-%Y %H:%M"))
    page.select_option("#id_intake_plan_held_by", str(nurse.pk))
    _step(page, "intake_plan")
    day = {
        language: format_date(planned.date(), "EEEE d MMMM y", locale=language)
        for language in ("en", "nl")
    }
    assert day["en"].split()[0] != day["nl"].split()[0]  # "Monday", "maandag"
    assert_arrived(page, smtp_server, "intake", date=day, time=f"{planned:%H:%M}")

    # Held, and a place on the waiting list: nothing yet (updates come on a rhythm).
    page.select_option("#id_intake_record_outcome", "care_needed")
    page.fill("#id_intake_record_hours_per_week", "4")
    _step(page, "intake_record")
    page.select_option("#id_waiting_place_status", "active")
    _step(page, "waiting_place")
    assert_nothing_arrives(page, smtp_server)

    # Care starts: the fixed contact person, by name.
    page.select_option("#id_care_start_contact_person", str(nurse.pk))
    _step(page, "care_start")
    assert_arrived(page, smtp_server, "care")

    # A second run of the worker sends nothing more; nor does every task run again
    # (an event delivered twice, a send enqueued twice): each message is sent once.
    assert run_worker(page) == 0
    ran = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert ran["halte.outreach.tasks.compose_for_event"] == 3
    assert ran["halte.outreach.tasks.send_message"] == 6
    DBTaskResult.objects.update(status="READY", started_at=None, finished_at=None)
    assert run_worker(page) == ran.total()
    assert len(smtp_server.messages) == 6
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}

    # The client page shows the latest five, newest first, and links to all.
    page.set_viewport_size(LAPTOP)
    page.goto(client_page)
    section = page.locator("#messages")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(5)
    for newest in (rows.nth(0), rows.nth(1)):  # care started, to each reader
        expect(newest).to_contain_text("Zorg gestart")
    expect(rows.filter(has_text="Imran Khan")).to_have_count(3)
    expect(rows.filter(has_text="Verstuurd")).to_have_count(5)
    expect(section.get_by_role("link", name="Alle berichten")).to_be_visible()
    section.scroll_into_view_if_needed()
    screenshot(page, "messages-client", fold=True)

    # The outbox lists all six.
    page.goto("/berichten/")
    rows = page.locator("table.message-rows tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.filter(has_text="Ayesha Khan")).to_have_count(6)
    expect(page.locator(".outbox-counts")).to_contain_text("Verstuurd: 6")
    filters = page.locator("form.filters")
    assert abs(bottom(filters.locator("button")) - bottom(filters.locator("select").first)) < 2
    screenshot(page, "messages-outbox", fold=True)

"""The day's print batch: the letter channel puts a letter in it, the morning job
closes the days before, and the page "Brieven om te printen" lists the batches,
hands a closed one out as one PDF (audited) and records who printed it."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from halte.audit.models import Action, AuditEntry
from halte.clients.tests.factories import ClientFactory
from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope, Role
from halte.core.schedule import PERIODIC_JOBS
from halte.outreach import channels, letter_services
from halte.outreach.channels import DeliveryError
from halte.outreach.letter_tasks import close_letter_batches
from halte.outreach.models import LetterBatch, Message
from halte.outreach.tests.letter_helpers import letter, pdf_pages

pytestmark = pytest.mark.django_db

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MONDAY = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=AMSTERDAM)
CLOSED_AT = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=AMSTERDAM)


def at(moment, time_machine):
    time_machine.move_to(moment, tick=False)


# The channel


def test_a_letter_is_delivered_into_the_batch_of_its_day(time_machine):
    at(MONDAY, time_machine)
    first, second = letter(), letter()

    assert channels.deliver(first) == "batch:2026-11-30"
    assert channels.deliver(second) == "batch:2026-11-30"

    batch = LetterBatch.objects.get()
    assert (batch.day, batch.closed_at) == (datetime.date(2026, 11, 30), None)
    assert set(batch.letters.all()) == {first, second}
    assert first.letter_batch == batch


def test_the_day_is_the_local_one(time_machine):
    # 23:30 UTC on the 30th is already 1 December in Amsterdam.
    at(datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC), time_machine)
    assert channels.deliver(letter()) == "batch:2026-12-01"


def test_a_letter_handed_over_twice_stays_in_its_first_batch(time_machine):
    at(MONDAY, time_machine)
    message = letter()
    channels.deliver(message)
    at(MONDAY + datetime.timedelta(days=1), time_machine)

    again = Message.objects.get(pk=message.pk)
    assert channels.deliver(again) == "batch:2026-11-30"
    assert LetterBatch.objects.count() == 1


def test_a_letter_without_address_is_refused_for_good_and_joins_no_batch():
    message = letter(address=" \n ")

    with pytest.raises(DeliveryError) as refused:
        channels.deliver(message)

    assert (refused.value.code, refused.value.temporary) == ("letter_no_address", False)
    assert not LetterBatch.objects.exists()
    assert Message.objects.get(pk=message.pk).letter_batch is None


def test_a_closed_batch_takes_no_more_letters_and_the_outbox_may_try_later(time_machine):
    at(MONDAY, time_machine)
    LetterBatch.objects.create(day=MONDAY.date(), closed_at=MONDAY)
    message = letter()

    with pytest.raises(DeliveryError) as refused:
        channels.deliver(message)

    assert (refused.value.code, refused.value.temporary) == ("letter_batch_closed", True)
    assert Message.objects.get(pk=message.pk).letter_batch is None


# The morning job


def _slot(day: datetime.date) -> dict:
    until = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=AMSTERDAM)
    return {
        "since": (until - datetime.timedelta(days=1)).isoformat(),
        "until": until.isoformat(),
    }


def test_the_job_is_scheduled_daily_at_seven():
    [job] = [job for job in PERIODIC_JOBS.providers if job.name == "close_letter_batches"]
    assert (job.task, job.at, job.every) == (close_letter_batches, datetime.time(7, 0), None)


def test_the_morning_job_closes_the_days_before_once(time_machine, run_tasks):
    at(MONDAY - datetime.timedelta(days=2), time_machine)
    channels.deliver(letter())  # Saturday's, missed by a job that did not run
    at(MONDAY - datetime.timedelta(days=1), time_machine)
    channels.deliver(letter())  # Sunday's
    monday_seven = MONDAY - datetime.timedelta(hours=3)
    at(monday_seven, time_machine)
    channels.deliver(letter())  # Monday's, still collecting

    close_letter_batches.enqueue(**_slot(MONDAY.date()))
    assert run_tasks() == 1

    closed = dict(LetterBatch.objects.values_list("day", "closed_at"))
    assert closed[datetime.date(2026, 11, 28)] == monday_seven
    assert closed[datetime.date(2026, 11, 29)] == monday_seven
    assert closed[datetime.date(2026, 11, 30)] is None
    # The closed days are laid out, ready to download; the open one is not.
    laid_out = {batch.day: batch.pdf for batch in LetterBatch.objects.all()}
    assert "28 november 2026" in pdf_pages(bytes(laid_out[datetime.date(2026, 11, 28)]))[0]
    assert "29 november 2026" in pdf_pages(bytes(laid_out[datetime.date(2026, 11, 29)]))[0]
    assert laid_out[datetime.date(2026, 11, 30)] is None

    # The same slot again (a second scheduler, a retry) changes nothing.
    at(monday_seven + datetime.timedelta(minutes=5), time_machine)
    close_letter_batches.enqueue(**_slot(MONDAY.date()))
    run_tasks()
    assert dict(LetterBatch.objects.values_list("day", "closed_at")) == closed


def test_a_slot_ending_in_the_future_never_closes_today(time_machine, run_tasks):
    at(MONDAY, time_machine)
    channels.deliver(letter())

    close_letter_batches.enqueue(**_slot(MONDAY.date() + datetime.timedelta(days=3)))
    run_tasks()

    assert LetterBatch.objects.get().closed_at is None


# The page


@pytest.fixture
def closed_batch():
    """Yesterday's batch, closed this morning, with three letters."""
    batch = LetterBatch.objects.create(day=datetime.date(2026, 11, 29), closed_at=CLOSED_AT)
    ClientFactory()  # a client without a letter: the clients' ids are not the letters'
    for postcode in ("3818 AB", "1012 JS", "3811 CD"):
        letter(
            ClientFactory(),
            address=f"Straat 1\n{postcode}  AMERSFOORT",
            recipient_name=f"Bewoner {postcode}",
            letter_batch=batch,
        )
    return batch


def _web(user) -> WebClient:
    web = WebClient()
    web.force_login(user)
    return web


PRINTERS = {"front_office", "planner"}


def test_only_roles_that_see_every_client_may_print_letters():
    for role, capabilities in CAPABILITIES.items():
        if Capability.PRINT_LETTERS in capabilities:
            assert CLIENT_SCOPES[role] == ClientScope.ALL, role
    printers = {role for role, caps in CAPABILITIES.items() if Capability.PRINT_LETTERS in caps}
    assert printers == {Role.FRONT_OFFICE, Role.PLANNER}


@pytest.mark.parametrize(
    "persona",
    [
        "front_office",
        "planner",
        "nurse_noord",
        "team_lead",
        "manager",
        "privacy_officer",
        "administrator",
    ],
)
def test_the_pages_check_the_role(personas, closed_batch, persona):
    web = _web(personas[persona])
    allowed = persona in PRINTERS

    listing = web.get(reverse("outreach:letter_batches"))
    download = web.get(reverse("outreach:letter_batch_pdf", args=[closed_batch.pk]))
    printed = web.post(reverse("outreach:letter_batch_printed", args=[closed_batch.pk]))

    assert listing.status_code == (200 if allowed else 403)
    assert download.status_code == (200 if allowed else 403)
    assert printed.status_code == (302 if allowed else 403)
    closed_batch.refresh_from_db()
    assert (closed_batch.printed_at is not None) == allowed
    assert AuditEntry.objects.filter(part="letters", action=Action.PRINT).exists() == allowed


def test_a_visitor_not_logged_in_is_sent_to_log_in(closed_batch):
    response = WebClient().get(reverse("outreach:letter_batches"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_the_list_shows_each_batch_with_its_count_and_state(personas, closed_batch):
    LetterBatch.objects.create(day=datetime.date(2026, 11, 30))  # collecting
    printed = LetterBatch.objects.create(
        day=datetime.date(2026, 11, 28),
        closed_at=datetime.datetime(2026, 11, 29, 6, 0, tzinfo=datetime.UTC),
        printed_at=datetime.datetime(2026, 11, 29, 8, 15, tzinfo=datetime.UTC),
        printed_by=personas["planner"],
    )
    letter(letter_batch=printed)

    page = _web(personas["front_office"]).get(reverse("outreach:letter_batches"))

    html = page.content.decode()
    assert "Brieven om te printen" in html
    rows = html.split("<tbody>")[1].split("<tr")[1:]
    assert "zondag 29 november 2026" in rows[0] and "<td>3</td>" in rows[0]
    assert "Klaar om te printen" in rows[0] and "Als geprint markeren" in rows[0]
    assert "maandag 30 november 2026" in rows[1] and "Wordt nog verzameld" in rows[1]
    assert "Pdf downloaden" not in rows[1]
    assert "zaterdag 28 november 2026" in rows[2] and "Geprint op 29 november 2026" in rows[2]
    # The name as the page writes it: "van 't Hof" escaped, whichever name the
    # factory gave the planner.
    assert (
        f"door {escape(str(personas['planner']))}" in rows[2]
        and "Als geprint markeren" not in rows[2]
    )
    # Days and counts: no client is named on the list, so it writes no audit entry.
    assert "Bewoner" not in html
    assert not AuditEntry.objects.exclude(action=Action.SIGN_IN).exists()


def _list_queries(web) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert web.get(reverse("outreach:letter_batches")).status_code == 200
    return len(queries)


def test_the_list_takes_the_same_queries_for_few_batches_or_a_full_page(personas):
    web = _web(personas["planner"])
    start = datetime.date(2026, 1, 1)

    def add_batches(days):
        for offset in days:
            day = start + datetime.timedelta(days=offset)
            batch = LetterBatch.objects.create(
                day=day,
                closed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                printed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                printed_by=personas["planner" if offset % 2 else "front_office"],
            )
            letter(letter_batch=batch)

    add_batches(range(2))
    few = _list_queries(web)
    add_batches(range(2, 45))
    assert _list_queries(web) == few
    second_page = web.get(reverse("outreach:letter_batches"), {"pagina": 2})
    assert second_page.content.decode().count("Pdf downloaden") == 45 - 30


def test_the_download_is_the_batch_as_one_pdf_by_postcode_and_audited(personas, closed_batch):
    response = _web(personas["planner"]).get(
        reverse("outreach:letter_batch_pdf", args=[closed_batch.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="brieven-2026-11-29.pdf"'
    assert response["Cache-Control"] == "no-store"
    pages = pdf_pages(response.content)
    # Double-sided (the default): each one-page letter has a blank back.
    assert len(pages) == 6 and pages[1].squashed == pages[3].squashed == pages[5].squashed == ""
    assert ["1012 JS" in pages[0], "3811 CD" in pages[2], "3818 AB" in pages[4]] == [True] * 3
    assert "29 november 2026" in pages[0]
    # One entry names every client of the batch.
    entry = AuditEntry.objects.get(part="letters")
    assert (entry.action, entry.username, entry.client_id) == (Action.PRINT, "planner", None)
    named = set(entry.clients.values_list("client_id", flat=True))
    assert named == set(closed_batch.letters.values_list("client_id", flat=True))
    assert len(named) == 3


def test_the_download_is_the_pdf_laid_out_when_the_batch_closed(personas, closed_batch):
    web = _web(personas["planner"])
    url = reverse("outreach:letter_batch_pdf", args=[closed_batch.pk])
    first = web.get(url).content  # laid out now (the job had not), and kept
    Message.objects.filter(letter_batch=closed_batch).update(body="Later gewijzigd")

    again = web.get(url)

    assert again.content == first
    assert "Later gewijzigd" not in pdf_pages(again.content)[0]
    assert AuditEntry.objects.filter(part="letters", action=Action.PRINT).count() == 2


def test_a_batch_of_fifty_letters_downloads_as_fifty_letters(personas, settings):
    settings.HALTE_LETTERS_DUPLEX = False
    batch = LetterBatch.objects.create(day=datetime.date(2026, 11, 29), closed_at=CLOSED_AT)
    for number in range(50):
        letter(
            ClientFactory(),
            recipient_name=f"Cliënt nummer {number:02d}",
            address=f"Laan {number}\n38{number:02d} AB  AMERSFOORT",
            letter_batch=batch,
        )

    response = _web(personas["front_office"]).get(
        reverse("outreach:letter_batch_pdf", args=[batch.pk])
    )

    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) == 50
    assert all(f"Cliënt nummer {number:02d}" in pages[number] for number in range(50))
    assert AuditEntry.objects.get(part="letters").clients.count() == 50


def test_a_batch_still_collecting_is_not_handed_out(personas, time_machine):
    at(MONDAY, time_machine)
    channels.deliver(letter())
    batch = LetterBatch.objects.get()
    web = _web(personas["planner"])

    download = web.get(reverse("outreach:letter_batch_pdf", args=[batch.pk]), follow=True)
    printed = web.post(reverse("outreach:letter_batch_printed", args=[batch.pk]), follow=True)

    for response in (download, printed):
        assert response.redirect_chain == [(reverse("outreach:letter_batches"), 302)]
        assert "Deze brieven worden nog verzameld" in response.content.decode()
    batch.refresh_from_db()
    assert batch.printed_at is None
    assert not AuditEntry.objects.filter(part="letters").exists()


def test_marking_printed_records_who_and_when_once(personas, closed_batch, time_machine):
    at(MONDAY, time_machine)
    url = reverse("outreach:letter_batch_printed", args=[closed_batch.pk])

    response = _web(personas["front_office"]).post(url, follow=True)
    at(MONDAY + datetime.timedelta(hours=1), time_machine)
    _web(personas["planner"]).post(url)

    closed_batch.refresh_from_db()
    assert (closed_batch.printed_at, closed_batch.printed_by) == (MONDAY, personas["front_office"])
    assert "De brieven van 29 november 2026 zijn gemarkeerd als geprint." in (
        response.content.decode()
    )
    [entry] = AuditEntry.objects.filter(part="letters", action=Action.UPDATE)
    # The letters' clients, not the letters' own ids.
    named = set(entry.clients.values_list("client_id", flat=True))
    assert named == set(closed_batch.letters.values_list("client_id", flat=True))
    assert named != set(closed_batch.letters.values_list("pk", flat=True))


def test_marking_printed_needs_a_post_with_the_csrf_token(personas, closed_batch):
    url = reverse("outreach:letter_batch_printed", args=[closed_batch.pk])
    web = WebClient(enforce_csrf_checks=True)
    web.force_login(personas["planner"])

    assert web.get(url).status_code == 405
    assert web.post(url).status_code == 403
    closed_batch.refresh_from_db()
    assert closed_batch.printed_at is None


def test_an_unknown_batch_is_not_found(personas):
    web = _web(personas["planner"])
    assert web.get(reverse("outreach:letter_batch_pdf", args=[999])).status_code == 404
    assert web.post(reverse("outreach:letter_batch_printed", args=[999])).status_code == 404


def test_a_late_slot_closes_only_the_days_before_its_own(time_machine):
    # Sunday's 07:00 slot, run late on Monday: Saturday closes, Sunday keeps collecting
    # until Monday's slot closes it.
    at(MONDAY - datetime.timedelta(days=2), time_machine)
    channels.deliver(letter())
    at(MONDAY - datetime.timedelta(days=1), time_machine)
    channels.deliver(letter())
    at(MONDAY, time_machine)

    closed = letter_services.close_batches(CLOSED_AT - datetime.timedelta(days=1))

    assert closed == [LetterBatch.objects.get(day=datetime.date(2026, 11, 28)).pk]
    assert LetterBatch.objects.get(day=datetime.date(2026, 11, 29)).closed_at is None


def test_the_first_layout_of_a_batch_is_the_one_kept(closed_batch):
    seen_before = LetterBatch.objects.get(pk=closed_batch.pk)  # read before any layout
    first = letter_services.batch_pdf(closed_batch)
    Message.objects.filter(letter_batch=closed_batch).update(body="Later gewijzigd")

    # The same batch asked again: the kept layout, not a new one.
    assert letter_services.batch_pdf(closed_batch) == first
    # A download that read the batch before the layout was kept lays it out itself,
    # but does not replace the one kept.
    assert "Later gewijzigd" in pdf_pages(letter_services.batch_pdf(seen_before))[0]
    closed_batch.refresh_from_db()
    assert bytes(closed_batch.pdf) == first


def test_a_batch_is_laid_out_in_the_same_queries_for_three_letters_or_twelve(teams):
    counts = []
    for day, size in ((28, 3), (29, 12)):
        batch = LetterBatch.objects.create(day=datetime.date(2026, 11, day), closed_at=CLOSED_AT)
        for number in range(size):
            letter(
                ClientFactory(team=teams["noord"]),
                address=f"Laan {number}\n38{number:02d} AB  AMERSFOORT",
                letter_batch=batch,
            )
        batch = LetterBatch.objects.get(pk=batch.pk)
        with CaptureQueriesContext(connection) as queries:
            letter_services.batch_pdf(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]

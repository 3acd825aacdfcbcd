"""First contact in a real browser: a relative rings (a signed telephony event), the
screen pop shows them within two seconds, the agent promises a callback for the team,
time passes the due moment, the team lead sees it overdue, and a nurse keeps it."""

import datetime
import hashlib
import hmac
import json
import time
import urllib.request

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.contact.models import Commitment, CommitmentStatus
from halte.core.models import User
from tests_browser.helpers import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ring(base_url, *, caller, extension):
    """What the telephone system sends: JSON signed with the shared secret."""
    body = json.dumps(
        {
            "call_id": "pbx-4711",
            "event": "ringing",
            "caller": caller,
            "called": "033 712 2160",
            "agent_extension": extension,
            "at": timezone.now().isoformat(),
        }
    ).encode()
    secret = settings.TELEPHONY_WEBHOOK_SECRET.encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 (the live server's own http URL)
        f"{base_url}/api/v1/telephony/events",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Halte-Signature": signature},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        assert response.status == 201


def test_it_pops_a_relatives_call_and_the_team_keeps_the_promise(
    page, live_server, personas, client_noord
):
    User.objects.filter(username="kcc").update(phone_extension="201")
    Client.objects.filter(pk=client_noord.pk).update(salutation="mrs")

    log_in(page, "kcc")
    expect(page).to_have_url("/werkplek/")
    expect(page.locator("#call-pop")).not_to_contain_text("Marieke")

    # Stored as +31687654321; the telephone system writes it its own way.
    _ring(live_server.url, caller="+31 (0)6-8765 4321", extension="201")
    started = time.monotonic()
    pop = page.locator("#call-pop")
    expect(pop).to_contain_text("Marieke de Vries", timeout=2_000)
    assert time.monotonic() - started < 2
    expect(pop).to_contain_text("mevrouw Van den Berg")

    pop.get_by_role("link", name="Marieke de Vries").click()
    expect(page.locator("h1")).to_have_text("Hendrika van den Berg")
    expect(page.locator(".caller-box")).to_contain_text("Marieke de Vries")
    expect(page.locator(".authorisations .allowed")).to_be_visible()

    page.click("a[href*='/toezegging/']")
    page.fill("#id_description", "Terugbellen over de tijden van de ochtendzorg")
    page.check("input[name=owner][value=team]")
    page.select_option("#id_team", label="Wijkteam Noord")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()

    promise = Commitment.objects.get()
    assert promise.owner_team.name == "Wijkteam Noord"
    assert promise.callback_e164 == "+31687654321"
    due_text = timezone.localtime(promise.due_at).strftime("%d-%m-%Y %H:%M")
    expect(page.locator("#due")).to_contain_text(due_text)
    log_out(page)

    with time_machine.travel(promise.due_at + datetime.timedelta(minutes=5), tick=True):
        log_in(page, "lead_noord")
        page.goto("/werkplek/escalaties/")
        overdue = page.locator("tr.overdue", has_text="Terugbellen over de tijden")
        expect(overdue).to_be_visible()
        log_out(page)

        log_in(page, "nurse_noord")
        page.goto("/werkplek/")
        row = page.locator("tr.overdue", has_text="Terugbellen over de tijden")
        row.locator("a[href*='/toezeggingen/']").click()
        page.fill("#id_summary", "Marieke teruggebeld, tijden doorgegeven")
        page.click("form[action$='/afronden/'] button[type=submit]")
        expect(page.locator(".messages")).to_be_visible()

    kept = Commitment.objects.get()
    assert kept.status == CommitmentStatus.DONE
    assert kept.completed_by.username == "nurse_noord"
    assert kept.result.summary == "Marieke teruggebeld, tijden doorgegeven"

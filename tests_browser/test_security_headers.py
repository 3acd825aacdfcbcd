"""The strict Content-Security-Policy in a real browser: the main pages of every role,
the admin included, open without a single CSP violation, and the htmx interactions
(live search, the number lookup, the timeline that loads itself, revealing a BSN,
filtering the audit log) still work under it.

Chromium reports every blocked inline style, inline script, event handler or eval
both as a `securitypolicyviolation` event and on the console; the tests listen for
both and fail on the first. htmx's own refusal to evaluate (allowEval is off) is an
`htmx:evalDisallowedError` event and fails the test as well.

The screenshots (1366x768) go to HALTE_SHOTS, for comparing by eye before and after.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from halte.clients.models import Client
from halte.core import bsn as bsn_codec
from halte.core.models import User
from halte.demo.seed import DEMO_PASSWORD
from halte.outreach.models import MessageChannel, MessageTemplate, Trigger
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_LISTEN = """
for (const name of ['securitypolicyviolation', 'htmx:evalDisallowedError']) {
    document.addEventListener(name, e => window.reportViolation(
        name + ': ' + (e.violatedDirective || '') + ' ' + (e.blockedURI || '')
        + ' at ' + location.pathname + ' ' + (e.sample || '')
    ), true);
}
"""


class Violations(list):
    def assert_none(self):
        assert not self, "\n".join(self)


def _on_console(found):
    """Console messages about a blocked resource or a header the browser rejected."""

    def listen(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            found.append(f"console: {message.text}")

    return listen


@pytest.fixture
def violations(page):
    """Every CSP violation (and htmx eval refusal) the page meets, as text."""
    found = Violations()
    page.expose_function("reportViolation", lambda text: found.append(text))
    page.add_init_script(_LISTEN)
    page.on("console", _on_console(found))
    page.set_viewport_size(LAPTOP)
    return found


def _demo_code(username) -> str:
    out = io.StringIO()
    call_command("demo_totp_code", username, stdout=out)
    return out.getvalue().strip()


def visit(page, path, shot=None):
    """Open `path`, check the policy was sent with it, and wait until htmx settled."""
    response = page.goto(path)
    assert response.ok, (path, response.status)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy, (path, policy)
    page.wait_for_load_state("networkidle")
    if shot:
        screenshot(page, shot, fold=True)


def test_the_listener_notices_a_violation(page, violations, demo):
    """The fixture is no blind spot: an inline style put in the page is reported."""
    log_in(page, "planner", DEMO_PASSWORD)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style-src" in found for found in violations), violations


def test_the_planners_pages_and_htmx_work_under_the_policy(page, violations, demo):
    kees = Client.objects.get(preferred_name="Kees", family_name="Bakker")
    log_in(page, "planner", DEMO_PASSWORD)
    visit(page, "/traject/", "csp-queues")
    visit(page, "/traject/wachtlijst/", "csp-waiting-list")
    referral = kees.referrals.order_by("pk").first()
    visit(page, f"/traject/aanmeldingen/{referral.pk}/", "csp-referral")
    visit(page, "/werkplek/", "csp-workplace")
    visit(page, "/berichten/", "csp-outbox")
    visit(page, "/berichten/mededelingen/", "csp-announcements")
    visit(page, "/berichten/mededelingen/nieuw/", "csp-announcement-form")
    visit(page, "/berichten/brieven/", "csp-letters")
    visit(page, f"/berichten/client/{kees.pk}/")

    # The client page: its timeline loads by itself (hx-trigger="load"), and the BSN
    # is revealed in place (hx-post).
    visit(page, f"/clienten/{kees.pk}/", "csp-client-page")
    expect(page.locator(".timeline li").first).to_be_visible()
    with_bsn = Client.objects.exclude(bsn_encrypted="").order_by("pk").first()
    visit(page, f"/clienten/{with_bsn.pk}/")
    page.locator("#bsn form button").click()
    expect(page.locator("#bsn")).to_contain_text(bsn_codec.decrypt(with_bsn.bsn_encrypted))
    visit(page, f"/werkplek/clienten/{kees.pk}/", "csp-card")

    # Live search: typing asks the server (hx-trigger with a delay) and the results
    # replace the list without a page load; the busy indicator hides again.
    visit(page, "/clienten/", None)
    page.fill("#q", "Bakker")
    expect(page.locator("#search-results")).to_contain_text("Kees")
    expect(page).to_have_url("/clienten/?q=Bakker")
    expect(page.locator("#search-busy")).to_be_hidden()
    screenshot(page, "csp-search", fold=True)
    # No copy of the results is kept in the browser for the back button (htmx's
    # history cache is off); going back reloads the page from the server instead.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
    page.go_back()
    expect(page).to_have_url("/clienten/")
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator("#search-results")).not_to_contain_text("Kees")

    # The number lookup on the workplace: the answer lands in #lookup-results while
    # the page stays (hx-get, no page load).
    visit(page, "/werkplek/")
    page.fill("form[action='/werkplek/nummer/'] input[name=number]", "030 234 56 78")
    page.locator("form[action='/werkplek/nummer/'] button[type=submit]").click()
    expect(page.locator("#lookup-results")).to_contain_text("Bakker")
    expect(page).to_have_url("/werkplek/")
    violations.assert_none()


def test_the_team_lead_and_privacy_officer_pages_under_the_policy(page, violations, demo):
    log_in(page, "teamleider", DEMO_PASSWORD)
    visit(page, "/werkplek/escalaties/", "csp-escalations")
    page.context.clear_cookies()

    log_in(page, "privacy", DEMO_PASSWORD)
    # The demo's one login with a second factor: the step, under the policy too.
    expect(page.locator("main h1")).to_have_text("Bevestig dat u het bent")
    page.fill("#id_code", _demo_code("privacy"))
    page.click("main form button[type=submit]")
    expect(page).to_have_url("/audit/")
    visit(page, "/audit/", "csp-audit-log")
    # Filtering swaps the rows in place (hx-get into #audit-rows, the URL pushed).
    rows = page.locator("#audit-rows")
    expect(rows).to_be_visible()
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    expect(rows).to_be_visible()
    violations.assert_none()


def test_the_admin_works_under_the_policy(page, violations, demo):
    log_in(page, "beheer", DEMO_PASSWORD)
    visit(page, "/beheer/", "csp-admin")
    # The list's actions: ticking a row is counted by the admin's own JavaScript.
    visit(page, "/beheer/core/user/")
    page.locator("#result_list tbody input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 van")
    for path in (
        "/beheer/core/user/",
        "/beheer/core/user/add/",
        "/beheer/core/team/",
        "/beheer/api/apitoken/",
        "/beheer/outreach/messagetemplate/",
    ):
        visit(page, path)
    staff = User.objects.get(username="wijkverpleegkundige")
    visit(page, f"/beheer/core/user/{staff.pk}/change/", "csp-admin-user")
    # The teams' two-box selector is built by the admin's JavaScript.
    expect(page.locator("#id_teams_from")).to_be_visible()
    template = MessageTemplate.objects.create(
        trigger=Trigger.choices[0][0],
        channel=MessageChannel.EMAIL,
        language="nl",
        subject="Uw aanmelding",
        body="Beste {{ name }},\n\nWe hebben uw aanmelding ontvangen.",
    )
    visit(page, f"/beheer/outreach/messagetemplate/{template.pk}/change/")
    visit(page, f"/beheer/outreach/messagetemplate/{template.pk}/preview/", "csp-admin-preview")
    expect(page.locator("#preview-body")).to_contain_text("We hebben uw aanmelding ontvangen.")
    # The API's own documentation page (Swagger UI from django-ninja's static files).
    visit(page, "/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Halte API")
    violations.assert_none()


def test_the_demo_under_debug_has_no_violation_either(page, violations, demo, settings):
    """`make demo` runs with DEBUG on, which adds django-htmx's debug script."""
    settings.DEBUG = True
    kees = Client.objects.get(preferred_name="Kees", family_name="Bakker")
    log_in(page, "planner", DEMO_PASSWORD)
    visit(page, f"/clienten/{kees.pk}/")
    expect(page.locator("script[src*='django-htmx']")).to_have_count(1)
    expect(page.locator(".timeline li").first).to_be_visible()
    visit(page, "/clienten/")
    page.fill("#q", "Bakker")
    expect(page.locator("#search-results")).to_contain_text("Kees")
    violations.assert_none()

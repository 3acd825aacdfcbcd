"""One Chromium per test session, a fresh context per test, against pytest-django's
live server; and the seeded demo. What the tests share besides fixtures (logging in,
screen sizes, screenshots, layout measures) is in helpers.py.

Which Chromium, in the order `make chromium` installs them: HALTE_CHROMIUM when set,
else Debian's package at /usr/bin/chromium, else Playwright's own download
(`python -m playwright install chromium`).
"""

import importlib
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from halte.journey.tests.factories import product
from halte.outreach.tests.smtp import smtp_server  # noqa: F401 (a fixture, shared)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make around it (factories, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium(playwright) -> str | None:
    """The Chromium to drive; None for Playwright's own download."""
    chosen = os.environ.get("HALTE_CHROMIUM")
    if chosen:
        if not Path(chosen).is_file():
            pytest.fail(f"HALTE_CHROMIUM points at {chosen}, which is not there.", pytrace=False)
        return chosen
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    if not Path(playwright.chromium.executable_path).is_file():
        pytest.fail(
            "No Chromium for the browser tests. `make test` installs one; or install "
            "Debian's package (apt-get install chromium), or Playwright's "
            "(python -m playwright install chromium), or point HALTE_CHROMIUM at one.",
            pytrace=False,
        )
    return None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(playwright), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo_clients():
    """How many clients `demo` seeds; a test module overrides this fixture for more."""
    return 20


@pytest.fixture
def demo(transactional_db, demo_clients):
    """The demo data `make demo` loads (`seed_demo`), with `demo_clients` clients.
    Log in with its DEMO_PASSWORD."""
    # A transactional test before this one may have flushed the migration's care offer.
    offer = importlib.import_module("halte.journey.migrations.0002_default_care_offer")
    for code, *_ in offer.DEFAULT_OFFER:
        product(code)
    call_command("seed_demo", "--clients", str(demo_clients), verbosity=0, stdout=io.StringIO())

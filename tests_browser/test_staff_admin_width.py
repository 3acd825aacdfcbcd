"""The staff list at /beheer/ shows every column whole in a real browser at 1366 px:
the last one ("Laatste aanmelding") was cut off behind the filters."""

from datetime import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from halte.core.models import User
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_WIDTHS_JS = """() => {
    const table = document.querySelector('#result_list');
    const results = table.closest('.results');
    return {table: table.scrollWidth, container: results.clientWidth,
            page: document.documentElement.scrollWidth, window: window.innerWidth};
}"""


def test_the_staff_list_fits_at_1366(page, personas):
    # Every member signed in once, on a day with a long Dutch month name; one long name.
    User.objects.update(last_login=timezone.make_aware(datetime(2026, 9, 30, 23, 59)))
    User.objects.filter(pk=personas["planner"].pk).update(
        first_name="Anne-Marie Charlotte", last_name="van der Heijden-Oosterbroek"
    )
    page.set_viewport_size(LAPTOP)
    log_in(page, "admin")
    page.goto("/beheer/core/user/")
    expect(page.locator("#result_list")).to_be_visible()
    screenshot(page, "staff-admin-list-1366")

    widths = page.evaluate(_WIDTHS_JS)

    assert widths["table"] <= widths["container"], widths
    assert widths["page"] <= widths["window"], widths

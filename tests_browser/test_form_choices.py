"""Every choice in a form shows whole, in a real browser at 1366 px: a select in a
form's grid is as wide as its longest choice, not cut off by a narrow column
("Bij eerste contact opge", "Neutraal (voor- en acht", "Wijkteam Utrecht-Over")."""

import pytest

from halte.clients.models import Client
from halte.demo.seed import DEMO_PASSWORD
from tests_browser.helpers import LAPTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The selects in the page's main part that are narrower than they would be if they could
# take their own width (which fits their longest choice).
_CUT_OFF_SELECTS_JS = """() => [...document.querySelectorAll('main select')].filter(s => {
    const free = s.cloneNode(true);
    free.style.maxWidth = 'none';
    free.style.width = 'auto';
    free.style.position = 'absolute';
    free.style.visibility = 'hidden';
    document.body.appendChild(free);
    const cut = free.getBoundingClientRect().width > s.getBoundingClientRect().width + 1;
    free.remove();
    return cut;
}).map(s => s.name)"""


@pytest.mark.parametrize(
    ("username", "path", "shot"),
    [
        ("kcc", "/werkplek/clienten/{pk}/contact/", "form-choices-contact"),
        ("kcc", "/werkplek/nieuw-contact/", "form-choices-new-contact"),
        ("planner", "/traject/clienten/{pk}/aanmelding/", "form-choices-referral"),
    ],
)
def test_no_choice_is_cut_off_at_1366(page, demo, username, path, shot):
    bakker = Client.objects.get(given_names="Cornelis", family_name="Bakker")
    page.set_viewport_size(LAPTOP)
    log_in(page, username, DEMO_PASSWORD)
    page.goto(path.format(pk=bakker.pk))
    assert page.locator("main select").count() >= 2
    screenshot(page, shot)
    assert page.evaluate(_CUT_OFF_SELECTS_JS) == []

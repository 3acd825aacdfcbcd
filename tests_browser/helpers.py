"""What the browser tests share: logging in and out, the two screen sizes, screenshots
for people to look at, and measuring where things landed on the page.

Fixtures (the seeded demo) are in conftest.py; these are plain functions.
"""

import os
import tempfile
from pathlib import Path

from playwright.sync_api import expect

from halte.core.tests.factories import PASSWORD

LAPTOP = {"width": 1366, "height": 768}  # an office screen
PHONE = {"width": 390, "height": 844}

# One folder for every test's screenshots (not compared, only looked at).
SHOTS = Path(os.environ.get("HALTE_SHOTS") or Path(tempfile.gettempdir()) / "shots")


def log_in(page, username, password=PASSWORD):
    """Log in through the login page and wait until it is gone (the start page)."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page.locator("#id_username")).to_have_count(0)


def log_out(page):
    """Log out with the button in the header and wait for the login page."""
    page.click("form[action='/logout/'] button")
    expect(page.locator("#id_username")).to_be_visible()


def screenshot(page, name, *, fold=False):
    """Save the whole page as SHOTS/<name>.png; with `fold`, also what shows without
    scrolling as SHOTS/<name>-fold.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    if fold:
        page.screenshot(path=SHOTS / f"{name}-fold.png")


def box(locator) -> dict:
    """The element's bounding box in the viewport; fails when it is not shown."""
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def bottom(locator) -> float:
    """How far down the viewport the element ends."""
    found = box(locator)
    return found["y"] + found["height"]


def right(locator) -> float:
    """How far right in the viewport the element ends."""
    found = box(locator)
    return found["x"] + found["width"]


def assert_inside_fold(locator, height):
    """The whole element shows without scrolling in a viewport `height` high."""
    found = box(locator)
    assert found["y"] >= 0, found
    assert found["y"] + found["height"] <= height, found


# The text's line boxes, those whose tops lie within half a line of each other
# counted as one (a flag beside a time sits a little lower). A line-height of
# `normal` has no number: then about 1.2 times the font size.
_LINES_JS = """e => {
    const style = getComputedStyle(e);
    const half = parseFloat(style.lineHeight) / 2 || parseFloat(style.fontSize) * 0.6;
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    const tops = [];
    while (walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(walker.currentNode);
        for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((t, i) => i === 0 || t - tops[i - 1] > half).length;
}"""


def line_count(locator) -> int:
    """How many lines the element's text takes."""
    return locator.evaluate(_LINES_JS)


def line_counts(locator) -> list[int]:
    """How many lines each of the matching elements' text takes."""
    return locator.evaluate_all(f"els => els.map({_LINES_JS})")

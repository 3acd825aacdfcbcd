"""The `phone` template filter: every page's one notation of a phone number."""

import re
from pathlib import Path

from django.template import Context, Template


def _render(source: str, **context) -> str:
    return Template("{% load halte %}" + source).render(Context(context))


def test_it_links_a_number_in_the_national_notation_that_never_wraps():
    html = _render("{{ number|phone }}", number="+31612345678")
    assert html == '<a class="phone" href="tel:+31612345678">06 12 34 56 78</a>'


def test_it_shows_the_number_without_a_link_when_asked():
    assert _render('{{ number|phone:"text" }}', number="+31334612345") == (
        '<span class="phone">033 461 23 45</span>'
    )


def test_it_shows_a_foreign_number_internationally():
    assert ">+32 470 12 34 56<" in _render("{{ number|phone }}", number="+32470123456")


def test_it_shows_nothing_for_no_number():
    assert _render("{{ number|phone }}", number="") == ""


def test_it_escapes_what_is_not_a_number():
    assert "&lt;b&gt;" in _render("{{ number|phone }}", number="<b>")


def test_every_template_shows_phone_numbers_through_the_filter():
    """A number printed as stored (+31612345678) or through Phone.display skips the one
    notation and the no-wrap box: templates use `|phone`."""
    root = Path(__file__).resolve().parents[2]
    raw = re.compile(r"\{\{[^}|]*(e164|\.display)\s*(\}\}|\|(?!phone))")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.glob("**/templates/**/*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []

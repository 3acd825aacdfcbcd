"""The `phone` template filter: every page's one notation of a phone number."""

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

"""Every template follows the strict Content-Security-Policy (settings.py), so that no
page loses its styling or behaviour in the browser:

- no inline `style="..."` attribute and no `<style>` block: a class in a static CSS file;
- no `<script>` without `src`: a static JS file, its values in data- attributes;
- no event handler attribute (`onclick=`, `onchange=`, ...) and no `javascript:` URL;
- none of htmx's features that evaluate code: `hx-on`, `hx-vars`, `js:`/`javascript:`
  in `hx-vals`, and event filters (`hx-trigger="keyup[key=='Enter']"`).

The scan reads the source of every template under halte/ (each app's templates and
halte/templates) with Django comments taken out.
"""

import re
from pathlib import Path

import pytest

import halte

HALTE = Path(halte.__file__).parent

_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.DOTALL)
# An HTML start tag; Django tags and variables inside it ({% if %}, {{ x }}) are kept.
_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:{[{%#].*?[}%#]}|[^<>])*)>", re.DOTALL)
_ATTRIBUTE_START = r"(?:^|[\s\"'}])"
_RULES = [
    ("inline style attribute", re.compile(_ATTRIBUTE_START + r"style\s*=", re.I)),
    ("event handler attribute", re.compile(_ATTRIBUTE_START + r"on[a-z]+\s*=", re.I)),
    ("hx-on (evaluates code)", re.compile(_ATTRIBUTE_START + r"(?:data-)?hx-on", re.I)),
    ("hx-vars (evaluates code)", re.compile(_ATTRIBUTE_START + r"(?:data-)?hx-vars", re.I)),
    (
        "hx-vals with js: (evaluates code)",
        re.compile(r"hx-vals\s*=\s*(['\"])\s*(?:js|javascript):", re.I),
    ),
    (
        "hx-trigger with an event filter [...] (evaluates code)",
        re.compile(r"hx-trigger\s*=\s*(['\"])[^'\"]*\[", re.I),
    ),
    ("javascript: URL", re.compile(r"=\s*(['\"]?)\s*javascript:", re.I)),
]


def csp_problems(source: str) -> list[str]:
    """What in this template's source a strict CSP would block, one line each."""
    text = _COMMENT.sub("", source)
    problems = []
    if re.search(r"<style[\s>]", text, re.I):
        problems.append("<style> block")
    for match in _TAG.finditer(text):
        name, attributes = match[1].lower(), match[2]
        if name == "script" and not re.search(_ATTRIBUTE_START + r"src\s*=", attributes, re.I):
            problems.append("<script> without src")
        problems += [
            f"{rule} in <{name}>" for rule, pattern in _RULES if pattern.search(attributes)
        ]
    return problems


def templates() -> list[Path]:
    return sorted(path for path in HALTE.rglob("templates/**/*") if path.suffix == ".html")


def test_there_are_templates_to_scan():
    found = templates()
    assert HALTE / "templates" / "base.html" in found
    assert any("admin" in path.parts for path in found)  # the admin's overrides too
    assert len(found) > 50


@pytest.mark.parametrize("path", templates(), ids=lambda path: str(path.relative_to(HALTE)))
def test_the_template_follows_the_content_security_policy(path):
    assert csp_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('<div style="color: red">', "inline style attribute in <div>"),
        ("<p class=\"x\" STYLE='margin:0'>", "inline style attribute in <p>"),
        ('<p {% if a %}style="x"{% endif %}>', "inline style attribute in <p>"),
        ("<style>p { color: red }</style>", "<style> block"),
        ("<script>alert(1)</script>", "<script> without src"),
        ('<script type="module">import x</script>', "<script> without src"),
        ('<button onclick="go()">', "event handler attribute in <button>"),
        ('<body onload="go()">', "event handler attribute in <body>"),
        ('<form hx-on::after-request="this.reset()">', "hx-on (evaluates code) in <form>"),
        ('<div hx-on:click="x()">', "hx-on (evaluates code) in <div>"),
        ('<div data-hx-on-click="x()">', "hx-on (evaluates code) in <div>"),
        ('<div hx-vars="a:1">', "hx-vars (evaluates code) in <div>"),
        ("<div hx-vals='js:{a: b()}'>", "hx-vals with js: (evaluates code) in <div>"),
        (
            "<input hx-trigger=\"keyup[key=='Enter']\">",
            "hx-trigger with an event filter [...] (evaluates code) in <input>",
        ),
        ('<a href="javascript:go()">', "javascript: URL in <a>"),
    ],
)
def test_the_scan_finds_what_the_policy_blocks(source, problem):
    assert problem in csp_problems(source)


@pytest.mark.parametrize(
    "source",
    [
        '<script src="/static/js/x.js" defer></script>',
        '<script {% if x %}defer {% endif %}src="{% static "x.js" %}"></script>',
        '{% load static %}<link rel="stylesheet" href="{% static \'css/halte.css\' %}">',
        '<div class="x" data-style="wide" data-online="yes">',
        '<div hx-get="/x" hx-trigger="input changed delay:300ms, search" hx-vals=\'{"a": 1}\'>',
        '{# <div style="x"> #}<p>',
        "{% comment %}<script>alert(1)</script>{% endcomment %}",
        "<p>Jones = one; the person=someone</p>",
        '<input name="on_hold" value="1">',
    ],
)
def test_the_scan_lets_what_the_policy_allows_through(source):
    assert csp_problems(source) == []

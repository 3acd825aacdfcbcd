"""Imports run one way (import-linter checks the Python imports); these tests check what
import-linter cannot see: a lower app's templates and code naming a higher app's
templates (`{% include "journey/..." %}`) or URLs (`{% url 'journey:...' %}`,
`reverse("journey:...")`). A lower app shows what a higher one knows through an
extension point (halte/core/extensions.py) instead.

The order of the apps is the layers contract in pyproject.toml's [tool.importlinter].
Templates of the project itself (halte/templates: the base layout, form fields) are
shared by every app and belong to none.
"""

import ast
import re
import tomllib
from functools import cache
from pathlib import Path

from django.urls import URLResolver, get_resolver

import halte

HALTE = Path(halte.__file__).parent
PYPROJECT = HALTE.parent / "pyproject.toml"

# A string naming a template: a path ending in a template's extension.
TEMPLATE_NAME = re.compile(r"^[\w./-]+\.(html|txt|xml)$")
TAG = re.compile(r"{%(.*?)%}", re.DOTALL)
QUOTED = re.compile(r"""(["'])([^"'\s]+)\1""")


@cache
def heights() -> dict[str, int]:
    """Each layer's height, 0 for the lowest; siblings in a layer ("a : b") share one."""
    config = tomllib.loads(PYPROJECT.read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    found = {}
    for height, layer in enumerate(reversed(layers)):
        for module in layer.split(":"):
            found[module.strip().removeprefix("halte.")] = height
    return found


def apps() -> list[str]:
    """The layered packages of halte (the apps and the API hub)."""
    return [name for name in heights() if (HALTE / name / "__init__.py").is_file()]


@cache
def template_owners() -> dict[str, str]:
    """The first folder of an app's template names (`contact/...`) -> that app."""
    owners = {}
    for app in apps():
        for folder in (HALTE / app / "templates").glob("*/"):
            owners[folder.name] = app
    return owners


@cache
def url_owners() -> dict[str, str]:
    """Each URL namespace (`contact`) -> the app whose urls module declares it."""
    owners = {}
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace:
            module = getattr(pattern.urlconf_module, "__name__", "")
            parts = module.split(".")
            if len(parts) > 2 and parts[0] == "halte" and parts[1] in heights():
                owners[pattern.namespace] = parts[1]
    return owners


@cache
def url_names() -> frozenset[str]:
    """Every namespaced URL name of the apps (`journey:referral_add`)."""
    names = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace in url_owners():
            for name in pattern.reverse_dict:
                if isinstance(name, str):
                    names.add(f"{pattern.namespace}:{name}")
    return frozenset(names)


def _higher(app: str, owner: str | None) -> bool:
    return owner is not None and heights()[owner] > heights()[app]


def _template_owner(name: str) -> str | None:
    if "/" not in name or not TEMPLATE_NAME.match(name):
        return None
    return template_owners().get(name.split("/", 1)[0])


def template_violations(app: str, text: str) -> list[str]:
    """What a template of `app` names of a higher app: templates in any tag (include,
    extends, with), URL namespaces in {% url %}."""
    found = []
    for tag in TAG.finditer(text):
        line = text.count("\n", 0, tag.start()) + 1
        words = tag.group(1).split()
        for _, value in QUOTED.findall(tag.group(1)):
            owner = _template_owner(value)
            if _higher(app, owner):
                found.append(f"{line}: {owner}'s template {value!r}")
            if words and words[0] == "url" and ":" in value:
                owner = url_owners().get(value.split(":", 1)[0])
                if _higher(app, owner):
                    found.append(f"{line}: {owner}'s URL {value!r}")
    return found


def python_violations(app: str, source: str) -> list[str]:
    """What the code of `app` names of a higher app: a string that is one of its URL
    names (`reverse("journey:queues")`) or template names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        value = node.value
        if value in url_names():
            owner = url_owners()[value.split(":", 1)[0]]
            if _higher(app, owner):
                found.append(f"{node.lineno}: {owner}'s URL {value!r}")
        owner = _template_owner(value)
        if _higher(app, owner):
            found.append(f"{node.lineno}: {owner}'s template {value!r}")
    return found


def _files(app: str, pattern: str):
    for path in sorted((HALTE / app).rglob(pattern)):
        parts = path.relative_to(HALTE / app).parts
        if "tests" not in parts and "migrations" not in parts:
            yield path


def test_the_layers_cover_every_app_with_templates_or_urls():
    assert {"core", "audit", "clients", "contact", "journey"} <= set(apps())
    assert {"clients", "contact", "journey", "audit"} <= set(url_owners())
    for app in ("clients", "contact", "journey", "audit", "core"):
        assert template_owners()[app] == app


def test_no_template_names_a_higher_apps_template_or_url():
    found = [
        f"{path.relative_to(HALTE.parent)}:{violation}"
        for app in apps()
        for path in _files(app, "*.html")
        for violation in template_violations(app, path.read_text())
    ]
    assert not found, "A lower app names a higher one; use an extension point:\n" + "\n".join(found)


def test_no_code_names_a_higher_apps_template_or_url():
    found = [
        f"{path.relative_to(HALTE.parent)}:{violation}"
        for app in apps()
        for path in _files(app, "*.py")
        for violation in python_violations(app, path.read_text())
    ]
    assert not found, "A lower app names a higher one; use an extension point:\n" + "\n".join(found)


# The checks themselves: they see an upward reference, and let a downward one pass.


def test_it_sees_a_template_naming_a_higher_app():
    text = (
        '{% load i18n %}\n{% include "contact/_timeline_section.html" %}\n'
        "<a href=\"{% url 'journey:referral_add' client.pk %}\">x</a>\n"
        '{% include "clients/_status.html" %}{% extends "base.html" %}'
    )
    assert template_violations("clients", text) == [
        "2: contact's template 'contact/_timeline_section.html'",
        "3: journey's URL 'journey:referral_add'",
    ]
    assert template_violations("journey", text) == []


def test_it_sees_code_naming_a_higher_app():
    source = (
        'redirect("journey:queues")\n'
        'render(request, "contact/card.html", {})\n'
        'SCOPE = "journey:read"\n'  # an API scope, not a URL name
        'reverse("clients:detail")\n'
    )
    assert python_violations("core", source) == [
        "1: journey's URL 'journey:queues'",
        "2: contact's template 'contact/card.html'",
        "4: clients's URL 'clients:detail'",
    ]
    assert python_violations("journey", source) == []

"""The README's tour on the demo `make demo` loads (2,000 clients, seed 1): the names it
tells a new user to search for come first."""

import io

import pytest
from django.core.management import call_command

from halte.clients.search import find_clients
from halte.core.models import User


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    return User.objects.get(username="kcc")


def _first(user, query: str) -> str:
    found = find_clients(user, query).clients
    return f"{found[0].full_name} ({found[0].preferred_name})" if found else ""


def test_it_lists_the_names_of_the_readme_first(demo):
    for query in ["vd riet", "van 't riet", "riet", "Riet", "v.d. riet", "vt riet"]:
        assert _first(demo, query) == "Adrianus van 't Riet (Janus)", query
    assert _first(demo, "riek vd berg") == "Hendrika Johanna van den Berg (Riek)"
    for query in ["muller", "Müller", "hans-jurgen muller", "hansjurgen"]:
        names = [c.full_name for c in find_clients(demo, query).clients]
        assert "Hans-Jürgen Müller" in names[:3], query

"""Dutch first, English selectable, on every page."""

from django.urls import reverse
from django.utils import translation

from halte.clients.models import Client


def test_it_speaks_dutch_by_default(client, db):
    response = client.get(reverse("core:login"))
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen bij Halte" in response.content.decode()


def test_it_switches_to_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get(reverse("core:login"))
    assert '<html lang="en">' in response.content.decode()
    assert "Log in to Halte" in response.content.decode()


def test_it_translates_validation_messages_and_plurals(db):
    with translation.override("nl"):
        from halte.core.postcode import INVALID_POSTCODE

        assert str(INVALID_POSTCODE) == "Geef een Nederlandse postcode zoals 1234 AB."
        assert translation.ngettext("%(age)s year", "%(age)s years", 2) % {"age": 2} == "2 jaar"


def test_it_addresses_clients_in_dutch(db):
    client = Client(salutation="mrs", name_prefix="van den", family_name="Berg")
    with translation.override("nl"):
        assert client.formal_name == "mevrouw Van den Berg"
    with translation.override("en"):
        assert client.formal_name == "Mrs Van den Berg"


def test_it_stays_dutch_whatever_the_browser_prefers(client, db):
    response = client.get(reverse("core:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Language"] == "nl"


def test_it_ignores_an_unknown_language_cookie(client, db):
    client.cookies["django_language"] = "fr"
    response = client.get(reverse("core:login"))
    assert '<html lang="nl">' in response.content.decode()

"""The staff administration at /beheer/ speaks Dutch, its scripts too."""

import pytest

pytestmark = pytest.mark.django_db

# SelectFilter2.js (the two boxes for a staff member's teams) asks these; Django 5.2's
# Dutch catalog lacks them (locale/nl/LC_MESSAGES/djangojs.po has them).
SELECTOR = {
    "Choose all %s": "Alle %s kiezen",
    "Remove all %s": "Alle %s verwijderen",
    "Choose selected %s": "Geselecteerde %s kiezen",
}


@pytest.mark.parametrize("english", SELECTOR)
def test_the_admins_script_catalog_has_the_team_selectors_texts_in_dutch(client, personas, english):
    client.force_login(personas["administrator"])

    catalog = client.get("/beheer/jsi18n/").content.decode()

    assert f'"{english}": "{SELECTOR[english]}"' in catalog


@pytest.mark.parametrize("path", ["/beheer/core/", "/beheer/core/user/", "/beheer/api/apitoken/"])
def test_the_admins_breadcrumb_starts_at_djangos_own_dutch_not_the_phone_type(
    client, personas, path
):
    # "Home" was also a phone type, translated "Thuis"; that one now has its own context.
    client.force_login(personas["administrator"])

    page = client.get(path).content.decode()

    assert '<a href="/beheer/">Voorpagina</a>' in page
    assert "Thuis" not in page


def test_the_admin_index_does_not_say_thuis(client, personas):
    client.force_login(personas["administrator"])

    assert "Thuis" not in client.get("/beheer/").content.decode()

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

"""A client outside the user's scope is Halte's Dutch 404 page, also under DEBUG
(`make demo`), never Django's technical 404 page."""

import pytest

from halte.audit.models import AuditEntry


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.mark.parametrize(
    "path",
    [
        "/clienten/{pk}/",
        "/werkplek/clienten/{pk}/",
        "/traject/clienten/{pk}/aanmelding/",
    ],
)
def test_it_shows_the_dutch_404_page_for_a_client_out_of_scope(
    client, personas, client_noord, debug, path
):
    client.force_login(personas["nurse_zuid"])
    response = client.get(path.format(pk=client_noord.pk))
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert "Niet gevonden" in body
    assert "Using the URLconf" not in body
    assert "Hendrika" not in body


def test_it_is_the_signed_in_persons_page(client, personas, client_noord, debug):
    """Their menu, and a language switch that returns to the page asked for and
    carries its CSRF token (rendered with the request)."""
    client.force_login(personas["nurse_zuid"])

    page = client.get(f"/clienten/{client_noord.pk}/?van=lijst").content.decode()

    assert 'href="/werkplek/"' in page  # the workplace in the menu
    assert f'name="next" type="hidden" value="/clienten/{client_noord.pk}/?van=lijst"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_it_still_logs_the_denied_look(client, personas, client_noord, debug):
    client.force_login(personas["nurse_zuid"])
    client.get(f"/clienten/{client_noord.pk}/")
    assert AuditEntry.objects.filter(client_id=client_noord.pk, outcome="denied").exists()


def test_it_shows_the_same_page_for_a_client_that_does_not_exist(client, personas, debug):
    client.force_login(personas["front_office"])
    response = client.get("/clienten/999999/")
    assert response.status_code == 404
    assert "Niet gevonden" in response.content.decode()


def test_it_leaves_the_api_its_json_not_found(client, personas, client_noord, debug):
    from halte.api.tests.helpers import auth, token_for

    token = token_for(personas["nurse_zuid"])
    response = client.get(f"/api/v1/clients/{client_noord.pk}", **auth(token))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")

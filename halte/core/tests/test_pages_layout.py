"""The layout, login/logout, the start page and the language switch."""

import re

import pytest
from django.urls import reverse

from halte.core.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_from_the_start_page_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_it_shows_a_labelled_login_form_in_dutch(client):
    response = client.get(reverse("core:login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in content
    assert 'for="id_username"' in content
    assert 'for="id_password"' in content
    assert 'href="#main"' in content  # skip link
    assert 'id="main"' in content


def test_it_logs_in_and_sends_the_front_office_to_the_workplace(client, personas):
    response = client.post(
        reverse("core:login"), {"username": "kcc", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("contact:workplace")


def test_it_refuses_a_wrong_password(client, personas):
    response = client.post(reverse("core:login"), {"username": "kcc", "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_sends_the_privacy_officer_to_the_audit_log(client, personas):
    client.force_login(personas["privacy_officer"])
    response = client.get("/")
    assert response["Location"] == reverse("audit:log")


def test_it_shows_the_administrator_a_plain_start_page(client, personas):
    client.force_login(personas["administrator"])
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("clients:search") not in response.content.decode()
    assert reverse("admin:index") in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "search", "create", "audit"),
    [
        ("front_office", True, True, False),
        ("planner", True, True, False),
        ("nurse_noord", True, True, False),
        ("team_lead", True, True, False),
        ("manager", True, False, False),
        ("privacy_officer", False, False, True),
        ("administrator", False, False, False),
    ],
)
def test_it_shows_navigation_by_role(client, personas, persona, search, create, audit):
    client.force_login(personas[persona])
    content = client.get("/", follow=True).content.decode()
    nav = re.search(r"<nav aria-label=[^>]*>(.*?)</nav>", content, re.S).group(1)
    assert (reverse("clients:search") in nav) is search
    assert (reverse("clients:create") in nav) is create
    assert (reverse("audit:log") in nav) is audit


def test_it_logs_out_by_post(client, personas):
    client.force_login(personas["front_office"])
    response = client.post(reverse("core:logout"))
    assert response["Location"] == reverse("core:login")
    assert client.get("/")["Location"].startswith(reverse("core:login"))


def test_it_switches_the_interface_to_english(client, personas):
    client.force_login(personas["administrator"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()


def test_it_has_no_inline_styles_or_scripts(client, personas, client_noord):
    client.force_login(personas["nurse_noord"])
    for url in [
        "/",
        reverse("clients:search") + "?q=berg",
        reverse("clients:detail", args=[client_noord.pk]),
        reverse("clients:edit", args=[client_noord.pk]),
    ]:
        content = client.get(url, follow=True).content.decode()
        assert "style=" not in content
        assert " on" + "click=" not in content
        for script in re.findall(r"<script[^>]*>", content):
            assert "src=" in script
        assert '"includeIndicatorStyles": false' in content


def test_it_renders_a_403_page_inside_the_layout(client, personas):
    client.force_login(personas["privacy_officer"])
    response = client.get(reverse("clients:search"))
    assert response.status_code == 403
    assert 'href="#main"' in response.content.decode()

"""The administrator manages staff, teams and locations at /beheer/, and sees no clients."""

import pytest

from halte.core.models import User


def test_it_lets_the_administrator_manage_staff(client, personas):
    client.force_login(personas["administrator"])
    assert client.get("/beheer/core/user/").status_code == 200
    response = client.post(
        "/beheer/core/user/add/",
        {
            "username": "nieuwe_collega",
            "password1": "een lang en sterk wachtwoord",
            "password2": "een lang en sterk wachtwoord",
            "role": "front_office",
        },
    )
    assert response.status_code == 302, response.content
    assert User.objects.get(username="nieuwe_collega").role == "front_office"


def test_it_offers_no_client_data_in_the_admin(client, personas):
    client.force_login(personas["administrator"])
    index = client.get("/beheer/")
    assert b"/beheer/clients/" not in index.content
    assert client.get("/beheer/clients/client/").status_code == 404
    assert client.get("/beheer/audit/auditentry/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["front_office", "planner", "nurse_noord", "manager", "privacy_officer"]
)
def test_it_keeps_other_roles_out_of_the_admin(client, personas, persona):
    client.force_login(personas[persona])
    response = client.get("/beheer/core/user/")
    assert response.status_code == 302
    assert "/beheer/login/" in response["Location"]


def test_it_lets_the_administrator_set_the_service_level_policy(client, personas):
    from halte.contact.models import ServiceLevelPolicy

    policy = ServiceLevelPolicy.current()
    client.force_login(personas["administrator"])
    page = client.get(f"/beheer/contact/servicelevelpolicy/{policy.pk}/change/")
    assert page.status_code == 200
    assert client.get("/beheer/contact/interaction/").status_code == 404
    assert client.get("/beheer/contact/commitment/").status_code == 404

"""The administrator manages staff, teams and locations at /beheer/, and sees no clients."""

import pytest

from halte.core.models import Location, Team, User


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


def test_the_staff_list_shows_one_name_and_a_short_last_sign_in(client, personas):
    from datetime import datetime

    from django.utils import timezone
    from django.utils.html import escape

    planner = personas["planner"]
    User.objects.filter(pk=planner.pk).update(
        last_login=timezone.make_aware(datetime(2026, 9, 30, 23, 59))
    )
    User.objects.filter(pk=personas["manager"].pk).update(last_login=None)
    client.force_login(personas["administrator"])

    page = client.get("/beheer/core/user/?o=2").content.decode()  # sorted by name

    assert f'<td class="field-name">{planner.get_full_name()}</td>' in page
    assert '<td class="field-last_sign_in">30-09-2026 23:59</td>' in page
    assert "30 september 2026" not in page
    assert "Laatste aanmelding" in page and ">Naam<" in page
    assert "column-first_name" not in page and "column-last_name" not in page
    names = [escape(u.get_full_name()) for u in User.objects.order_by("last_name")]
    assert [page.index(f">{name}<") for name in names] == sorted(
        page.index(f">{name}<") for name in names
    )


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


# The staff flag (who may open /beheer/) follows the role however a user is written.


def _opens_the_admin(client, user) -> bool:
    client.force_login(user)
    return client.get("/beheer/").status_code == 200


def test_it_lets_an_administrator_made_in_bulk_into_the_admin(client, db):
    User.objects.bulk_create([User(username="beheer", role="administrator")])
    beheer = User.objects.get(username="beheer")
    assert beheer.is_staff
    assert _opens_the_admin(client, beheer)


def test_it_follows_a_role_changed_without_save(client, personas):
    kcc = personas["front_office"]
    User.objects.filter(pk=kcc.pk).update(role="administrator")
    assert _opens_the_admin(client, User.objects.get(pk=kcc.pk))
    admin = personas["administrator"]
    admin.role = "planner"
    User.objects.bulk_update([admin], ["role"])
    client.logout()
    assert not _opens_the_admin(client, User.objects.get(pk=admin.pk))


def test_it_gives_the_staff_flag_to_users_made_by_the_manager(db):
    assert User.objects.create_user("beheer2", role="administrator").is_staff
    assert not User.objects.create_user("kcc2", role="front_office").is_staff
    superuser = User.objects.create_superuser("root", "root@example.org", "x")
    assert superuser.is_staff
    assert superuser.is_superuser


def test_it_refuses_a_staff_flag_that_contradicts_the_role(db):
    with pytest.raises(ValueError, match="follows the role"):
        User(username="kcc3", role="front_office", is_staff=True)
    assert User(username="beheer3", role="administrator", is_staff=True).is_staff


def test_it_lets_createsuperuser_make_a_superuser_who_opens_the_admin(client, db):
    from django.core.management import call_command

    call_command(
        "createsuperuser",
        "--no-input",
        "--username",
        "root",
        "--email",
        "root@example.org",
        verbosity=0,
    )
    assert _opens_the_admin(client, User.objects.get(username="root"))


def test_it_makes_staff_of_whoever_the_admin_gives_the_administrator_role(client, personas):
    planner = personas["planner"]
    client.force_login(personas["administrator"])
    response = client.post(
        f"/beheer/core/user/{planner.pk}/change/",
        {
            "username": planner.username,
            "first_name": planner.first_name,
            "last_name": planner.last_name,
            "email": "",
            "role": "administrator",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    client.logout()
    assert _opens_the_admin(client, User.objects.get(pk=planner.pk))


# Names written in the admin are shown on every page and in the audit log: they refuse
# hidden characters as Halte's own forms do (core.validation).


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "Jan\u202e", "leesrichting weg (positie 4)"),
        ("last_name", "de\x07 Vries", "stuurteken weg (positie 3)"),
        ("last_name", "de\nVries", "op één regel"),
    ],
)
def test_a_staff_name_with_a_hidden_character_is_refused_in_dutch(
    client, personas, field, value, message
):
    member = personas["front_office"]
    before = (member.first_name, member.last_name)
    client.force_login(personas["administrator"])
    data = {"username": member.username, "first_name": "Jan", "last_name": "de Vries"}
    data |= {"email": "", "role": member.role, "is_active": "on", field: value}
    response = client.post(
        f"/beheer/core/user/{member.pk}/change/", data, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field][0]
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == before


def test_a_team_or_location_name_with_a_hidden_character_is_refused(client, personas, teams):
    location = teams["noord"].location
    client.force_login(personas["administrator"])
    team = client.post(
        "/beheer/core/team/add/", {"name": "Wijkteam \u2066Oost", "location": location.pk}
    )
    place = client.post("/beheer/core/location/add/", {"name": "Leus\u202eden"})
    assert "name" in team.context["adminform"].form.errors
    assert "name" in place.context["adminform"].form.errors
    assert Team.objects.count() == 2
    assert Location.objects.count() == 1

"""The edit pages: saving through the services, conflicts, bad input, roles and audit."""

import datetime

import pytest
from django.core.validators import EmailValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from halte.audit.models import Action, Outcome
from halte.clients.models import CareNote, Client, Phone, Preference, Relation
from halte.clients.tests.factories import PreferenceFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.clients.validation import (
    BIRTH_IN_FUTURE,
    DUPLICATE_PHONE,
    INVALID_HOUSE_NUMBER,
    REQUIRED,
    TOO_LONG,
)
from halte.clients.views import CONFLICT
from halte.core.bsn import INVALID_BSN
from halte.core.forms import INVALID_DATE
from halte.core.phone import INVALID_PHONE
from halte.core.postcode import INVALID_POSTCODE

INVALID_EMAIL = EmailValidator.message
FUTURE_DATE = _("This date cannot be in the future.")


def _edit_url(client_obj):
    return reverse("clients:edit", args=[client_obj.pk])


def _as_post(initial: dict) -> dict:
    data = {}
    for name, value in initial.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.strftime("%d-%m-%Y")
        else:
            data[name] = value
    return data


def _edit_data(client, client_obj, **changes) -> dict:
    """What the edit form sends back unchanged, with `changes` typed over it."""
    form = client.get(_edit_url(client_obj)).context["form"]
    data = _as_post(form.initial)
    for row in range(1, 5):
        data.setdefault(f"phone_label_{row}", "mobile")
    data.update(changes)
    return data


def _snapshot(client_obj):
    fresh = Client.objects.get(pk=client_obj.pk)
    phones = list(Phone.objects.filter(client=fresh).values_list("e164", "label"))
    return (
        fresh.version,
        fresh.given_names,
        fresh.postcode,
        fresh.date_of_birth,
        fresh.email,
        fresh.bsn_hash,
        phones,
    )


@pytest.fixture
def nurse(client, personas):
    client.force_login(personas["nurse_noord"])
    return client


def test_it_saves_an_edit_and_shows_it(nurse, client_noord):
    data = _edit_data(
        nurse,
        client_noord,
        given_names="Riek",
        postcode="3812 cd",
        phone_2="033 712 21 60",
        phone_label_2="home",
    )
    before = last_seq()
    response = nurse.post(_edit_url(client_noord), data, follow=True)
    content = response.content.decode()
    assert response.redirect_chain[0][0] == reverse("clients:detail", args=[client_noord.pk])
    assert "Riek van den Berg" in content
    assert "3812 CD" in content
    assert "033 712 21 60" in content
    fresh = Client.objects.get(pk=client_noord.pk)
    assert fresh.version == client_noord.version + 1
    assert entries_since(before)[0] == (
        Action.UPDATE,
        "given_names,postcode,phones",
        client_noord.pk,
        Outcome.SUCCESS,
    )


def test_it_shows_the_form_with_the_current_values_and_logs_the_read(nurse, client_noord):
    before = last_seq()
    response = nurse.get(_edit_url(client_noord))
    content = response.content.decode()
    assert 'value="Hendrika"' in content
    assert 'value="06 12 34 56 78"' in content
    assert f'name="version" value="{client_noord.version}"' in content
    assert entries_since(before) == [(Action.READ, "card", client_noord.pk, Outcome.SUCCESS)]


def test_it_refuses_a_stale_edit_with_a_clear_message(nurse, client_noord, personas):
    data = _edit_data(nurse, client_noord, given_names="Riek")
    other = Client.objects.get(pk=client_noord.pk)
    other.version += 1  # someone else saved in between
    other.save()
    before, snapshot = last_seq(), _snapshot(client_noord)
    response = nurse.post(_edit_url(client_noord), data)
    assert response.status_code == 409
    assert_shows(response, CONFLICT)
    assert _snapshot(client_noord) == snapshot
    assert entries_since(before) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bsn", "123456789", INVALID_BSN),
        ("postcode", "0123 AB", INVALID_POSTCODE),
        ("postcode", "3811 SS", INVALID_POSTCODE),
        ("date_of_birth", "31-02-1941", INVALID_DATE),
        ("date_of_birth", "morgen", INVALID_DATE),
        ("phone_1", "06-1234", INVALID_PHONE),
        ("phone_3", "+31 20 12", INVALID_PHONE),
        ("email", "henk@", INVALID_EMAIL),
        ("given_names", "H" * 101, TOO_LONG % {"max": 100}),
        ("city", "A" * 81, TOO_LONG % {"max": 80}),
        ("house_number", "12a", INVALID_HOUSE_NUMBER),
    ],
)
def test_it_shows_the_specific_message_and_writes_nothing(
    nurse, client_noord, field, value, message
):
    data = _edit_data(nurse, client_noord, **{field: value})
    before, snapshot = last_seq(), _snapshot(client_noord)
    response = nurse.post(_edit_url(client_noord), data)
    assert response.status_code == 200
    assert_shows(response, message)
    assert 'aria-invalid="true"' in response.content.decode()
    assert _snapshot(client_noord) == snapshot
    assert entries_since(before) == []


def test_it_refuses_a_birth_date_in_the_future(nurse, client_noord):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    data = _edit_data(nurse, client_noord, date_of_birth=tomorrow.strftime("%d-%m-%Y"))
    response = nurse.post(_edit_url(client_noord), data)
    assert_shows(response, BIRTH_IN_FUTURE)


def test_it_accepts_a_dutch_date(nurse, client_noord):
    data = _edit_data(nurse, client_noord, date_of_birth="12-03-1941")
    nurse.post(_edit_url(client_noord), data)
    assert Client.objects.get(pk=client_noord.pk).date_of_birth == datetime.date(1941, 3, 12)


def test_it_refuses_a_listed_twice_number(nurse, client_noord):
    data = _edit_data(nurse, client_noord, phone_2="+31 6 12345678")
    before = last_seq()
    response = nurse.post(_edit_url(client_noord), data)
    assert_shows(response, DUPLICATE_PHONE)
    assert entries_since(before) == []


def test_it_changes_the_bsn_for_a_role_that_may_see_it(nurse, client_noord):
    nurse.post(_edit_url(client_noord), _edit_data(nurse, client_noord, bsn="111222333"))
    assert Client.objects.get(pk=client_noord.pk).has_bsn


def test_it_keeps_the_bsn_field_away_from_the_front_office(client, personas, client_noord):
    client.force_login(personas["front_office"])
    assert 'name="bsn"' not in client.get(_edit_url(client_noord)).content.decode()
    assert 'name="bsn"' not in client.get(reverse("clients:create")).content.decode()


def test_it_ignores_a_bsn_posted_by_the_front_office(client, personas, client_noord):
    client.force_login(personas["front_office"])
    client.post(_edit_url(client_noord), _edit_data(client, client_noord, bsn="111222333"))
    assert not Client.objects.get(pk=client_noord.pk).has_bsn


def test_it_refuses_the_edit_to_the_manager(client, personas, client_noord):
    client.force_login(personas["manager"])
    assert client.get(_edit_url(client_noord)).status_code == 403
    before = last_seq()
    assert client.post(_edit_url(client_noord), {"given_names": "X"}).status_code == 403
    assert entries_since(before) == [(Action.UPDATE, "card", client_noord.pk, Outcome.DENIED)]


def test_it_answers_404_to_the_edit_of_another_teams_client(client, personas, client_noord):
    client.force_login(personas["nurse_zuid"])
    assert client.get(_edit_url(client_noord)).status_code == 404
    before = last_seq()
    assert client.post(_edit_url(client_noord), {"given_names": "X"}).status_code == 404
    assert entries_since(before) == [(Action.READ, "card", client_noord.pk, Outcome.DENIED)]
    assert Client.objects.get(pk=client_noord.pk).given_names == "Hendrika"


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator"])
def test_it_closes_every_edit_page_to_roles_without_client_work(
    client, personas, client_noord, persona
):
    client.force_login(personas[persona])
    pk = client_noord.pk
    relation = client_noord.relations.first()
    for url in [
        reverse("clients:create"),
        _edit_url(client_noord),
        reverse("clients:what_matters", args=[pk]),
        reverse("clients:relation_add", args=[pk]),
        reverse("clients:relation_edit", args=[pk, relation.pk]),
        reverse("clients:preference_add", args=[pk]),
        reverse("clients:care_note_add", args=[pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Hendrika" not in response.content.decode()


def test_it_sends_anonymous_visitors_from_an_edit_page_to_the_login(client, client_noord):
    response = client.get(_edit_url(client_noord))
    assert response["Location"].startswith(reverse("core:login"))


# Creating a client


def _new_client(**changes) -> dict:
    data = {
        "given_names": "Johanna",
        "family_name": "Janssen",
        "salutation": "mrs",
        "address_form": "u",
        "date_of_birth": "12-03-1941",
        "language": "nl",
        "status": "prospect",
        "postcode": "3811 AB",
        "house_number": "12",
        "phone_1": "06 11122233",
        "phone_label_1": "mobile",
        "phone_label_2": "mobile",
        "phone_label_3": "mobile",
        "phone_label_4": "mobile",
    }
    data.update(changes)
    return data


def test_it_creates_a_client_and_logs_it(client, personas, teams):
    client.force_login(personas["front_office"])
    before = last_seq()
    response = client.post(reverse("clients:create"), _new_client(team=teams["zuid"].pk))
    created = Client.objects.get(family_name="Janssen")
    assert response["Location"] == reverse("clients:detail", args=[created.pk])
    assert created.date_of_birth == datetime.date(1941, 3, 12)
    assert created.phones.get().e164 == "+31611122233"
    assert entries_since(before) == [
        (Action.SEARCH, "search:duplicates", None, Outcome.SUCCESS),
        (Action.CREATE, "card", created.pk, Outcome.SUCCESS),
    ]


def test_it_asks_a_nurse_for_one_of_her_own_teams(client, personas, teams):
    client.force_login(personas["nurse_noord"])
    response = client.post(reverse("clients:create"), _new_client(team=teams["zuid"].pk))
    assert response.status_code == 200
    assert not Client.objects.filter(family_name="Janssen").exists()
    client.post(reverse("clients:create"), _new_client(team=teams["noord"].pk))
    assert Client.objects.get(family_name="Janssen").team == teams["noord"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bsn", "111222334", INVALID_BSN),
        ("family_name", "", REQUIRED),
        ("postcode", "38111", INVALID_POSTCODE),
        ("date_of_birth", "1941-13-01", INVALID_DATE),
        ("phone_1", "12", INVALID_PHONE),
        ("email", "a@b", INVALID_EMAIL),
        ("preferred_name", "x" * 61, TOO_LONG % {"max": 60}),
    ],
)
def test_it_creates_nothing_from_bad_input(client, personas, field, value, message):
    client.force_login(personas["planner"])
    before = last_seq()
    response = client.post(reverse("clients:create"), _new_client(**{field: value}))
    assert response.status_code == 200
    assert_shows(response, message)
    assert not Client.objects.exists()
    assert entries_since(before) == []


def test_it_refuses_creation_to_the_manager(client, personas):
    client.force_login(personas["manager"])
    assert client.post(reverse("clients:create"), _new_client()).status_code == 403
    assert not Client.objects.exists()


# What matters to me


def test_it_saves_what_matters(nurse, client_noord):
    url = reverse("clients:what_matters", args=[client_noord.pk])
    before = last_seq()
    nurse.post(url, {"what_matters": "Mijn kat Minoes", "version": client_noord.version})
    fresh = Client.objects.get(pk=client_noord.pk)
    assert fresh.what_matters == "Mijn kat Minoes"
    assert fresh.what_matters_updated_at is not None
    assert entries_since(before) == [
        (Action.UPDATE, "what_matters", client_noord.pk, Outcome.SUCCESS)
    ]


def test_it_refuses_a_stale_what_matters(nurse, client_noord):
    url = reverse("clients:what_matters", args=[client_noord.pk])
    response = nurse.post(url, {"what_matters": "x", "version": client_noord.version - 1 or 99})
    assert response.status_code == 409
    assert_shows(response, CONFLICT)


# Relations


def _relation_data(**changes) -> dict:
    data = {
        "name": "Piet de Vries",
        "kind": "partner",
        "phone_1": "0612121212",
        "phone_label_1": "mobile",
        "phone_label_2": "home",
        "phone_label_3": "home",
        "may_act_on_behalf": "on",
    }
    data.update(changes)
    return data


def test_it_adds_a_relation(nurse, client_noord):
    before = last_seq()
    response = nurse.post(
        reverse("clients:relation_add", args=[client_noord.pk]), _relation_data(), follow=True
    )
    assert "Piet de Vries" in response.content.decode()
    relation = Relation.objects.get(name="Piet de Vries")
    assert relation.may_act_on_behalf and not relation.emergency_contact
    assert relation.phones.get().e164 == "+31612121212"
    assert entries_since(before)[0] == (
        Action.CREATE,
        "relations",
        client_noord.pk,
        Outcome.SUCCESS,
    )


def test_it_refuses_a_relation_with_a_bad_phone(nurse, client_noord):
    before = last_seq()
    response = nurse.post(
        reverse("clients:relation_add", args=[client_noord.pk]), _relation_data(phone_2="0000")
    )
    assert_shows(response, INVALID_PHONE)
    assert not Relation.objects.filter(name="Piet de Vries").exists()
    assert entries_since(before) == []


def test_it_edits_a_relation(nurse, client_noord):
    relation = client_noord.relations.get()
    url = reverse("clients:relation_edit", args=[client_noord.pk, relation.pk])
    assert 'value="Marieke de Vries"' in nurse.get(url).content.decode()
    before = last_seq()
    nurse.post(url, _relation_data(name="Marieke Jansen", kind="child", emergency_contact="on"))
    relation.refresh_from_db()
    assert relation.name == "Marieke Jansen" and relation.emergency_contact
    assert entries_since(before) == [(Action.UPDATE, "relations", client_noord.pk, Outcome.SUCCESS)]


def test_it_deletes_a_relation(nurse, client_noord):
    relation = client_noord.relations.get()
    url = reverse("clients:relation_delete", args=[client_noord.pk, relation.pk])
    assert nurse.get(url).status_code == 405
    before = last_seq()
    nurse.post(url)
    assert not Relation.objects.filter(pk=relation.pk).exists()
    assert entries_since(before) == [(Action.DELETE, "relations", client_noord.pk, Outcome.SUCCESS)]


def test_it_answers_404_for_a_relation_of_another_client(nurse, client_noord, teams):
    from halte.clients.tests.factories import ClientFactory, RelationFactory

    other = RelationFactory(client=ClientFactory(team=teams["noord"]))
    url = reverse("clients:relation_delete", args=[client_noord.pk, other.pk])
    assert nurse.post(url).status_code == 404
    assert Relation.objects.filter(pk=other.pk).exists()


def test_it_keeps_relations_of_another_team_away(client, personas, client_noord):
    client.force_login(personas["nurse_zuid"])
    relation = client_noord.relations.get()
    url = reverse("clients:relation_delete", args=[client_noord.pk, relation.pk])
    assert client.post(url).status_code == 404
    assert Relation.objects.filter(pk=relation.pk).exists()


# Preferences


def test_it_adds_a_preference(nurse, client_noord):
    url = reverse("clients:preference_add", args=[client_noord.pk])
    before = last_seq()
    nurse.post(url, {"kind": "daily_rhythm", "text": "Slaapt uit tot negen", "noted_on": ""})
    preference = Preference.objects.get(client=client_noord)
    assert preference.noted_on == datetime.date.today()
    assert entries_since(before) == [
        (Action.CREATE, "preferences", client_noord.pk, Outcome.SUCCESS)
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "like", "text": "   "}, REQUIRED),
        ({"kind": "like", "text": "x" * 501}, TOO_LONG % {"max": 500}),
        ({"kind": "like", "text": "Koffie", "noted_on": "01-01-2999"}, FUTURE_DATE),
        ({"kind": "like", "text": "Koffie", "noted_on": "1-1-"}, INVALID_DATE),
    ],
)
def test_it_refuses_a_bad_preference(nurse, client_noord, data, message):
    before = last_seq()
    response = nurse.post(reverse("clients:preference_add", args=[client_noord.pk]), data)
    assert_shows(response, message)
    assert not Preference.objects.exists()
    assert entries_since(before) == []


def test_it_deletes_a_preference(nurse, client_noord):
    preference = PreferenceFactory(client=client_noord)
    before = last_seq()
    nurse.post(reverse("clients:preference_delete", args=[client_noord.pk, preference.pk]))
    assert not Preference.objects.exists()
    assert entries_since(before) == [
        (Action.DELETE, "preferences", client_noord.pk, Outcome.SUCCESS)
    ]


# Care notes


def test_it_adds_a_care_note(nurse, client_noord):
    before = last_seq()
    response = nurse.post(
        reverse("clients:care_note_add", args=[client_noord.pk]),
        {"text": "Bloeddruk gemeten: 130/80."},
        follow=True,
    )
    assert "Bloeddruk gemeten" in response.content.decode()
    assert entries_since(before)[0] == (
        Action.CREATE,
        "care_notes",
        client_noord.pk,
        Outcome.SUCCESS,
    )


def test_it_refuses_an_oversized_care_note(nurse, client_noord):
    response = nurse.post(
        reverse("clients:care_note_add", args=[client_noord.pk]), {"text": "x" * 5001}
    )
    assert_shows(response, TOO_LONG % {"max": 5000})
    assert not CareNote.objects.exists()


@pytest.mark.parametrize("persona", ["front_office", "manager"])
def test_it_refuses_care_notes_to_roles_without_them(client, personas, client_noord, persona):
    client.force_login(personas[persona])
    url = reverse("clients:care_note_add", args=[client_noord.pk])
    assert client.post(url, {"text": "Iets"}).status_code == 403
    assert not CareNote.objects.exists()


JUNK = {
    "given_names": "\x00",
    "family_name": "x" * 10_000,
    "date_of_birth": "99-99-9999",
    "house_number": "9" * 30,
    "team": "abc",
    "language": "zz",
    "status": "alive",
    "phone_1": "+" * 50,
    "phone_label_1": "fax",
    "version": "9" * 30,
    "kind": "boss",
    "text": "\x00",
    "noted_on": "0-0-0",
    "name": "",
    "email": "@" * 300,
    "what_matters": "\x00",
}


@pytest.mark.parametrize(
    "name", ["create", "edit", "what_matters", "relation_add", "preference_add", "care_note_add"]
)
def test_it_never_fails_on_junk_input(nurse, client_noord, name):
    url = reverse(f"clients:{name}", args=[] if name == "create" else [client_noord.pk])
    before = last_seq()
    response = nurse.post(url, JUNK)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert entries_since(before) == []

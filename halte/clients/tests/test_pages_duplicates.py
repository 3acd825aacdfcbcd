"""The new-client page warns about clients it may duplicate, and goes on when asked."""

import datetime

import pytest
from django.urls import reverse

from halte.audit.models import Action, Outcome
from halte.clients.models import Client
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.clients.validation import BSN_IN_USE
from halte.core import bsn as bsn_codec

BORN = datetime.date(1941, 3, 12)
BSN = "111222333"
SEARCHED = (Action.SEARCH, "search:duplicates", None, Outcome.SUCCESS)
WARNING = "Nog niet toegevoegd: deze persoon is misschien al cliënt"


def _new_client(**changes) -> dict:
    data = {
        "given_names": "Johanna",
        "family_name": "Jansen",
        "salutation": "mrs",
        "address_form": "u",
        "date_of_birth": "12-03-1941",
        "language": "nl",
        "status": "prospect",
        "phone_1": "06 11122233",
        "phone_label_1": "mobile",
        "phone_label_2": "mobile",
        "phone_label_3": "mobile",
        "phone_label_4": "mobile",
    }
    data.update(changes)
    return data


@pytest.fixture
def janssen(teams):
    """Already a client: one letter off, born the same day."""
    return ClientFactory(
        team=teams["noord"],
        given_names="Johanna",
        family_name="Janssen",
        date_of_birth=BORN,
        postcode="3811AB",
        city="Amersfoort",
    )


def _create(client, data):
    return client.post(reverse("clients:create"), data)


def test_it_warns_with_a_link_to_the_client_and_adds_nothing(client, personas, janssen):
    client.force_login(personas["front_office"])
    before = last_seq()

    response = _create(client, _new_client())

    assert response.status_code == 200
    content = response.content.decode()
    assert WARNING in content
    assert f'href="{reverse("clients:detail", args=[janssen.pk])}"' in content
    assert "Johanna Janssen" in content
    assert "12-03-1941" in content
    assert "dezelfde geboortedatum" in content
    assert 'id="create-anyway"' in content
    # The form keeps what was typed.
    assert 'value="Jansen"' in content
    assert Client.objects.count() == 1
    assert entries_since(before) == [SEARCHED]


def test_it_creates_the_client_anyway_when_the_user_goes_on(client, personas, janssen):
    client.force_login(personas["front_office"])
    warned = _create(client, _new_client())
    fingerprint = warned.context["duplicate_check"].fingerprint
    before = last_seq()

    response = _create(client, _new_client(duplicates_checked=fingerprint))

    created = Client.objects.get(family_name="Jansen")
    assert response["Location"] == reverse("clients:detail", args=[created.pk])
    # Checked once, on the warning; going on writes only the creation.
    assert entries_since(before) == [(Action.CREATE, "card", created.pk, Outcome.SUCCESS)]


def test_it_checks_again_when_the_name_changed_after_the_warning(client, personas, janssen):
    client.force_login(personas["front_office"])
    fingerprint = _create(client, _new_client()).context["duplicate_check"].fingerprint
    bakker = ClientFactory(
        team=janssen.team, given_names="Johanna", family_name="Bakker", date_of_birth=BORN
    )

    response = _create(client, _new_client(family_name="Bakker", duplicates_checked=fingerprint))

    assert response.status_code == 200
    content = response.content.decode()
    assert WARNING in content
    assert f'href="{reverse("clients:detail", args=[bakker.pk])}"' in content
    assert Client.objects.filter(family_name="Bakker").count() == 1


def test_it_adds_a_client_alike_in_nothing_at_once(client, personas, janssen):
    client.force_login(personas["front_office"])

    response = _create(client, _new_client(given_names="Piet", phone_1=""))

    assert response.status_code == 302
    assert Client.objects.filter(given_names="Piet").exists()


def test_it_warns_about_the_same_number_with_a_name_alike(client, personas, janssen):
    PhoneFactory(client=janssen, e164="+31611122233")
    client.force_login(personas["planner"])

    response = _create(client, _new_client(date_of_birth="", given_names="J."))

    content = response.content.decode()
    assert WARNING in content
    assert "hetzelfde telefoonnummer" in content


def test_it_never_shows_a_client_outside_the_users_teams(client, personas, janssen, teams):
    client.force_login(personas["nurse_zuid"])
    before = last_seq()

    response = _create(client, _new_client(team=teams["zuid"].pk))

    # As if the other team's client did not exist: no warning, no hint, added.
    assert response.status_code == 302
    assert Client.objects.filter(family_name="Jansen", team=teams["zuid"]).exists()
    assert entries_since(before)[0] == SEARCHED


def test_it_shows_the_nurse_a_client_of_her_own_team(client, personas, janssen, teams):
    client.force_login(personas["nurse_noord"])

    response = _create(client, _new_client(team=teams["noord"].pk))

    assert WARNING in response.content.decode()


def test_it_refuses_the_same_bsn_as_before_without_a_warning(client, personas, janssen):
    janssen.bsn_encrypted = bsn_codec.encrypt(BSN)
    janssen.bsn_hash = bsn_codec.lookup_hash(BSN)
    janssen.save()
    client.force_login(personas["planner"])
    before = last_seq()

    response = _create(client, _new_client(bsn=BSN))

    assert response.status_code == 200
    assert_shows(response, BSN_IN_USE)
    assert WARNING not in response.content.decode()
    assert Client.objects.count() == 1
    assert entries_since(before) == []


def test_it_refuses_the_same_bsn_also_when_the_user_goes_on(client, personas, janssen):
    janssen.bsn_encrypted = bsn_codec.encrypt(BSN)
    janssen.bsn_hash = bsn_codec.lookup_hash(BSN)
    janssen.save()
    client.force_login(personas["planner"])

    response = _create(client, _new_client(bsn=BSN, duplicates_checked="0" * 32))

    assert_shows(response, BSN_IN_USE)
    assert Client.objects.count() == 1


def test_it_shows_bad_input_before_any_warning(client, personas, janssen):
    client.force_login(personas["front_office"])

    response = _create(client, _new_client(postcode="38111"))

    assert "error-summary" in response.content.decode()
    assert WARNING not in response.content.decode()


def test_it_warns_in_a_constant_number_of_queries(
    client, personas, teams, janssen, django_assert_num_queries
):
    PhoneFactory(client=janssen, e164="+31611122233")
    client.force_login(personas["nurse_noord"])
    data = _new_client(team=teams["noord"].pk)
    _create(client, data)  # warm the session
    with django_assert_num_queries(50, exact=False) as one:
        response = _create(client, data)
    assert len(response.context["duplicate_check"].candidates) == 1
    for n in range(8):
        other = ClientFactory(
            team=teams["noord"], given_names="Johanna", family_name="Jansen", date_of_birth=BORN
        )
        PhoneFactory(client=other, e164=f"+3133461{n:04d}")
        PhoneFactory(client=other, e164="+31611122233", relation=None)
    with django_assert_num_queries(len(one.captured_queries)):
        response = _create(client, data)
    assert len(response.context["duplicate_check"].candidates) == 9

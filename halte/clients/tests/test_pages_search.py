"""The client search page: what each role finds, the shapes of queries, paging, htmx."""

import datetime

import pytest
from django.urls import reverse

from halte.audit.models import Action, Outcome
from halte.clients.models import Client, ClientStatus
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import entries_since, last_seq

URL = reverse("clients:search")


@pytest.fixture
def hendrika(client_noord):
    client_noord.date_of_birth = datetime.date(1941, 3, 12)
    client_noord.postcode, client_noord.house_number = "3811AB", 12
    client_noord.save()
    return client_noord


def _search(client, query, **params):
    return client.get(URL, {"q": query, **params})


def _numbers(response) -> list[int]:
    return [c.client_number for c in response.context["result"].clients]


@pytest.mark.parametrize(
    "query",
    [
        "Hendirka",
        "hendrika berg",
        "v/d Berg",
        "3811 AB",
        "3811ab 12",
        "12-03-1941",
        "06-12345678",
        "+31 (0)6 1234 5678",
    ],
)
def test_it_finds_a_client_by_any_of_the_shapes(client, personas, hendrika, query):
    client.force_login(personas["front_office"])
    assert _numbers(_search(client, query)) == [hendrika.client_number]


def test_it_finds_a_client_by_client_number(client, personas, hendrika):
    client.force_login(personas["front_office"])
    assert _numbers(_search(client, str(hendrika.client_number))) == [hendrika.client_number]


def test_it_shows_number_name_birth_date_age_address_and_team(client, personas, hendrika):
    client.force_login(personas["front_office"])
    content = _search(client, "Hendrika").content.decode()
    assert str(hendrika.client_number) in content
    assert "Hendrika van den Berg" in content
    assert "12-03-1941" in content
    assert f"({hendrika.age()} " in content
    assert "3811 AB" in content and "Amersfoort" in content
    assert "Wijkteam Noord" in content
    assert reverse("clients:detail", args=[hendrika.pk]) in content


def test_it_renders_the_results_alone_for_htmx(client, personas, hendrika):
    client.force_login(personas["front_office"])
    response = client.get(URL, {"q": "berg"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert "Hendrika van den Berg" in content
    assert "HX-Request" in response["Vary"]


def test_it_renders_the_whole_page_for_an_htmx_history_restore(client, personas, hendrika):
    client.force_login(personas["front_office"])
    response = client.get(
        URL, {"q": "berg"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_it_works_as_a_plain_form_without_javascript(client, personas, hendrika):
    client.force_login(personas["front_office"])
    content = client.get(URL).content.decode()
    assert 'method="get" action="/clienten/"' in content
    assert 'name="q"' in content and 'for="q"' in content
    assert 'hx-get="/clienten/"' in content


def test_it_pages_through_results(client, personas, teams, settings):
    settings.SEARCH_PAGE_SIZE = 2
    for given in ["Anna", "Bep", "Cor"]:
        ClientFactory(given_names=given, family_name="Jansen", team=teams["noord"])
    client.force_login(personas["front_office"])
    first = _search(client, "jansen")
    assert len(_numbers(first)) == 2
    assert 'rel="next"' in first.content.decode()
    assert 'rel="prev"' not in first.content.decode()
    second = _search(client, "jansen", page=2)
    assert len(_numbers(second)) == 1
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert set(_numbers(first)).isdisjoint(_numbers(second))


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999"])
def test_it_never_fails_on_a_bad_page_number(client, personas, hendrika, page):
    client.force_login(personas["front_office"])
    assert _search(client, "berg", page=page).status_code == 200


def test_it_says_so_when_nothing_is_found(client, personas, hendrika):
    client.force_login(personas["front_office"])
    response = _search(client, "Zwartjes")
    assert response.status_code == 200
    assert _numbers(response) == []


def test_it_does_not_find_another_teams_client_for_a_nurse(client, personas, hendrika):
    client.force_login(personas["nurse_zuid"])
    for query in ["Hendrika", "12-03-1941", "06 12345678", str(hendrika.client_number)]:
        response = _search(client, query)
        assert _numbers(response) == []
        assert "van den Berg" not in response.content.decode()


def test_it_finds_own_team_clients_for_the_team_lead(client, personas, hendrika, teams):
    ClientFactory(given_names="Gerrit", family_name="Berg", team=teams["zuid"])
    client.force_login(personas["team_lead"])
    assert _numbers(_search(client, "berg")) == [hendrika.client_number]


@pytest.mark.parametrize("persona", ["front_office", "planner", "manager"])
def test_it_finds_every_client_for_organisation_wide_roles(
    client, personas, hendrika, teams, persona
):
    other = ClientFactory(given_names="Gerrit", family_name="Berg", team=teams["zuid"])
    client.force_login(personas[persona])
    assert set(_numbers(_search(client, "berg"))) == {hendrika.client_number, other.client_number}


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator"])
def test_it_is_closed_to_roles_without_client_work(client, personas, hendrika, persona):
    client.force_login(personas[persona])
    response = _search(client, "Hendrika")
    assert response.status_code == 403
    assert "van den Berg" not in response.content.decode()


def test_it_sends_anonymous_visitors_to_the_login(client, hendrika):
    response = _search(client, "Hendrika")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_it_logs_one_search_entry_without_the_query(client, personas, hendrika):
    client.force_login(personas["front_office"])
    before = last_seq()
    _search(client, "Hendrika")
    assert entries_since(before) == [(Action.SEARCH, "search:name", None, Outcome.SUCCESS)]


def test_it_logs_the_kind_of_query(client, personas, hendrika):
    client.force_login(personas["front_office"])
    before = last_seq()
    _search(client, "06 12345678")
    _search(client, "12-03-1941")
    assert [e[1] for e in entries_since(before)] == ["search:phone", "search:birth_date"]


def test_it_logs_nothing_for_the_empty_page(client, personas, hendrika):
    client.force_login(personas["front_office"])
    before = last_seq()
    client.get(URL)
    _search(client, "   ")
    assert entries_since(before) == []


def test_it_shows_results_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    ClientFactory(family_name="Bakker", team=teams["noord"])
    client.force_login(personas["front_office"])
    _search(client, "bakker")
    with django_assert_num_queries(50, exact=False) as one:
        _search(client, "bakker")
    for _ in range(6):
        other = ClientFactory(family_name="Bakker", team=teams["zuid"])
        PhoneFactory(client=other)
    with django_assert_num_queries(len(one.captured_queries)):
        response = _search(client, "bakker")
    assert len(_numbers(response)) == 7


def test_it_marks_a_deceased_client_once_and_gives_no_age(client, personas, hendrika):
    Client.objects.filter(pk=hendrika.pk).update(status=ClientStatus.DECEASED)
    client.force_login(personas["front_office"])
    content = _search(client, "Hendrika").content.decode()
    assert content.count("Overleden") == 1
    assert "12-03-1941" in content
    assert "jaar)" not in content

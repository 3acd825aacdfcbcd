"""Finding the clients a new client may duplicate: name likeness, the two criteria,
the user's scope, and a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from halte.clients import duplicates
from halte.clients.duplicates import (
    MAX_CANDIDATES,
    Identity,
    Reason,
    find_candidates,
    names_alike,
)
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory

BORN = datetime.date(1941, 3, 12)


def identity(given="Johanna", family="Jansen", prefix="", preferred="", born=BORN, phones=()):
    return Identity(
        given_names=given,
        preferred_name=preferred,
        name_prefix=prefix,
        family_name=family,
        date_of_birth=born,
        e164s=tuple(phones),
    )


def row(given="Johanna", family="Jansen", prefix="", preferred=""):
    return {
        "given_names": given,
        "preferred_name": preferred,
        "name_prefix": prefix,
        "family_name": family,
    }


@pytest.mark.parametrize(
    ("new", "existing"),
    [
        (identity(family="Janssen"), row(family="Jansen")),
        (identity(given="Hendrica"), row(given="Hendrika")),
        (identity(given="Hendrika Johanna"), row(given="Hendrica")),
        (identity(family="Meyer"), row(family="Meijer")),
        (identity(family="Muller"), row(family="Müller")),
        (identity(given="Zoe"), row(given="Zoë")),
        (identity(family="Berg", prefix="van den"), row(family="Van den Berg")),
        (identity(family="vd Berg"), row(family="Berg", prefix="van der")),
        (identity(family="Jansen-de Vries"), row(family="Vries", prefix="de")),
        (identity(family="El-Amrani"), row(family="Amrani", prefix="el")),
        (identity(family="O'Neill"), row(family="ONeill")),
        (identity(given="J.M."), row(given="Johanna Maria")),
        (identity(given="Johanna"), row(given="J.")),
        (identity(given="Riek"), row(given="Hendrika", preferred="Riek")),
        (identity(given="Henk", preferred="Hendrik"), row(given="Hendrik")),
        (identity(given="Hen"), row(given="Hendrika")),
        (identity(given="Wilhelmina", family="Bakker"), row(given="Wilhelmnia", family="Baker")),
    ],
)
def test_it_finds_names_alike_despite_typos_prefixes_accents_and_initials(new, existing):
    assert names_alike(new, existing)


@pytest.mark.parametrize(
    ("new", "existing"),
    [
        # Twins share a birth date and a family name.
        (identity(given="Jan"), row(given="Piet")),
        # A couple shares a home number and a family name.
        (identity(given="Hendrika"), row(given="Jan")),
        (identity(family="Jansen"), row(family="Bakker")),
        (identity(family="Bergsma"), row(family="Berg")),
        # Short names must match exactly: one letter is a different name.
        (identity(family="Li"), row(family="Lo")),
        (identity(given="Jo"), row(given="Johan")),
        (identity(given="J."), row(given="Piet")),
        (identity(family="de"), row(family="Vries", prefix="de")),
    ],
)
def test_it_keeps_different_people_apart(new, existing):
    assert not names_alike(new, existing)


def test_it_allows_more_typos_in_longer_names():
    long_name = identity(family="Vermeulen")
    assert names_alike(long_name, row(family="Vermuelen"))  # two letters swapped
    assert names_alike(long_name, row(family="Varmeulun"))
    assert names_alike(identity(family="Bakker"), row(family="Bekker"))
    assert not names_alike(identity(family="Bakker"), row(family="Bekkar"))


# Candidates from the database


@pytest.fixture
def jansen(teams):
    client = ClientFactory(
        team=teams["noord"], given_names="Johanna", family_name="Janssen", date_of_birth=BORN
    )
    PhoneFactory(client=client, e164="+31611122233")
    return client


def test_it_finds_a_client_born_the_same_day_with_a_name_alike(personas, jansen):
    ClientFactory(team=jansen.team, given_names="Piet", family_name="Janssen", date_of_birth=BORN)
    ClientFactory(team=jansen.team, given_names="Johanna", family_name="Janssen")

    [candidate] = find_candidates(personas["front_office"], identity())

    assert candidate.id == jansen.pk
    assert candidate.reasons == (Reason.BIRTH_DATE,)
    assert candidate.full_name == "Johanna Janssen"


def test_it_finds_a_client_with_the_same_number_and_a_name_alike(personas, jansen):
    new = identity(born=datetime.date(1950, 1, 1), phones=["+31611122233"])

    [candidate] = find_candidates(personas["front_office"], new)

    assert (candidate.id, candidate.reasons) == (jansen.pk, (Reason.PHONE,))


def test_it_does_not_count_a_relations_number_as_the_clients(personas, jansen):
    daughter = RelationFactory(client=jansen, name="Johanna Janssen")
    PhoneFactory(client=jansen, relation=daughter, e164="+31699988877")

    assert (
        find_candidates(personas["front_office"], identity(born=None, phones=["+31699988877"]))
        == []
    )


def test_it_puts_the_client_alike_in_both_first(personas, jansen, teams):
    by_birth = ClientFactory(
        team=teams["noord"], given_names="Johanna", family_name="Jansen", date_of_birth=BORN
    )
    new = identity(phones=["+31611122233"])

    candidates = find_candidates(personas["front_office"], new)

    assert [c.id for c in candidates] == [jansen.pk, by_birth.pk]
    assert candidates[0].reasons == (Reason.BIRTH_DATE, Reason.PHONE)


def test_it_shows_only_clients_in_the_users_scope(personas, jansen, teams):
    ClientFactory(team=None, given_names="Johanna", family_name="Jansen", date_of_birth=BORN)
    new = identity(phones=["+31611122233"])

    assert [c.id for c in find_candidates(personas["nurse_noord"], new)] == [jansen.pk]
    assert find_candidates(personas["nurse_zuid"], new) == []
    assert find_candidates(personas["privacy_officer"], new) == []
    assert len(find_candidates(personas["planner"], new)) == 2


@pytest.mark.parametrize("reason", [Reason.BIRTH_DATE, Reason.PHONE])
def test_it_finds_the_one_in_scope_behind_more_than_max_rows_out_of_scope(
    personas, teams, monkeypatch, django_assert_num_queries, reason
):
    # A large organisation: more clients of another team share the birth date (or a
    # care home's number) than one lookup reads. Made first, so an index reads them first.
    monkeypatch.setattr(duplicates, "MAX_ROWS", 5)
    for _ in range(duplicates.MAX_ROWS + 3):
        other = ClientFactory(
            team=teams["zuid"], given_names="Johanna", family_name="Janssen", date_of_birth=BORN
        )
        PhoneFactory(client=other, e164="+31334610000")
    mine = ClientFactory(
        team=teams["noord"], given_names="Johanna", family_name="Janssen", date_of_birth=BORN
    )
    PhoneFactory(client=mine, e164="+31334610000")
    if reason == Reason.BIRTH_DATE:
        new = identity()
    else:
        new = identity(born=None, phones=["+31334610000"])
    user = personas["nurse_noord"]
    user.team_ids()  # fetched once per request, by the access check before

    with django_assert_num_queries(1):
        candidates = find_candidates(user, new)

    assert [(c.id, c.reasons) for c in candidates] == [(mine.pk, (reason,))]


def test_it_reads_nothing_without_a_birth_date_or_a_number(
    personas, jansen, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert find_candidates(personas["front_office"], identity(born=None)) == []


@pytest.mark.parametrize("persona", ["front_office", "nurse_noord"])
def test_it_uses_two_queries_however_many_clients_match(
    personas, teams, jansen, django_assert_num_queries, persona
):
    new = identity(phones=["+31611122233", "+31334612345"])
    user = personas[persona]
    user.team_ids()  # fetched once per request, by the access check before
    with django_assert_num_queries(2):
        assert len(find_candidates(user, new)) == 1
    for n in range(MAX_CANDIDATES + 5):
        other = ClientFactory(
            team=teams["noord"], given_names="Johanna", family_name="Jansen", date_of_birth=BORN
        )
        PhoneFactory(client=other, e164=f"+3133461{n:04d}")
    with django_assert_num_queries(2):
        assert len(find_candidates(user, new)) == MAX_CANDIDATES


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner has no statistics")
@pytest.mark.parametrize("persona", ["front_office", "nurse_noord"])
def test_it_starts_each_lookup_from_its_narrow_index_on_sqlite(personas, jansen, persona):
    with CaptureQueriesContext(connection) as queries:
        find_candidates(personas[persona], identity(phones=["+31611122233", "+31334612345"]))
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if "clients_client" not in query["sql"]:
                continue  # the user's teams
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plans.append(" / ".join(row[-1] for row in cursor.fetchall()))
    [by_birth, by_number] = plans
    assert by_birth.startswith("SEARCH clients_client USING INDEX clients_client_date_of_birth")
    assert by_number.startswith("SEARCH clients_phone USING INDEX clients_phone_e164")

"""callers_for_number's plain SQL finds and builds what the ORM query did."""

import pytest
from django.db.models import F

from halte.clients.models import Phone
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.contact.queries import callers_for_number

pytestmark = pytest.mark.django_db

NUMBER = "+31201234567"


def _fields(instance) -> dict:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(user=None, limit=20):
    """The query as the ORM wrote it before it became plain SQL."""
    from halte.clients.access import clients_visible_to

    phones = Phone.objects.filter(e164=NUMBER)
    if user is not None:
        phones = phones.filter(client__in=clients_visible_to(user))
    rows = phones.select_related("client", "relation").order_by(
        F("relation_id").asc(nulls_first=True), "client_id"
    )[:limit]
    return [(_fields(row.client), _fields(row.relation)) for row in rows]


@pytest.fixture
def shared_number(teams):
    for team in ("noord", "zuid", "noord"):
        person = ClientFactory(team=teams[team], date_of_birth="1941-03-02")
        relation = RelationFactory(client=person, may_receive_information=True)
        PhoneFactory(client=person, relation=relation, e164=NUMBER)
        PhoneFactory(client=person, e164=NUMBER)


@pytest.mark.parametrize("persona", [None, "front_office", "nurse_noord", "nurse_zuid"])
def test_it_returns_the_instances_and_order_of_the_orm_query(personas, shared_number, persona):
    user = personas[persona] if persona else None

    matches = callers_for_number(NUMBER, user)

    assert [(_fields(m.client), _fields(m.relation)) for m in matches] == _orm(user)
    assert len(matches) == {None: 6, "front_office": 6, "nurse_noord": 4, "nurse_zuid": 2}[persona]


def test_it_caps_and_says_there_are_more(personas, shared_number):
    matches = callers_for_number(NUMBER, personas["front_office"], limit=5)

    assert [(_fields(m.client), _fields(m.relation)) for m in matches] == _orm(limit=5)
    assert matches.more is True


def test_it_runs_no_query_for_a_user_who_may_see_no_client(
    personas, shared_number, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert callers_for_number(NUMBER, personas["privacy_officer"]) == []

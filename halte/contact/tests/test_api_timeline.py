"""GET /api/v1/clients/{id}/timeline."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.contact.extensions import TIMELINE_SOURCES, TimelineItem
from halte.contact.queries import timeline, timeline_cursor
from halte.contact.services import commitment_create, interaction_log

pytestmark = pytest.mark.django_db


def _contact(actor, client, at, topic="Vraag"):
    return interaction_log(
        actor=actor,
        client=client,
        channel="phone",
        direction="in",
        topic=topic,
        outcome="resolved",
        occurred_at=at,
    )


def _promise(actor, client, description="Terugbellen"):
    return commitment_create(
        actor=actor,
        client=client,
        kind="callback",
        description=description,
        owner_user=actor.user,
    )


@pytest.fixture
def kcc(personas):
    return Actor(personas["front_office"])


def test_it_lists_contacts_and_promises_newest_first(client, personas, kcc, client_noord):
    now = timezone.now()
    old = _contact(kcc, client_noord, now - datetime.timedelta(days=2))
    promise = _promise(kcc, client_noord)
    recent = _contact(kcc, client_noord, now - datetime.timedelta(hours=1))
    # a few minutes ahead: still a contact that took place (clock drift), the newest
    newest = _contact(kcc, client_noord, now + datetime.timedelta(minutes=1))

    response = Api(client, personas["front_office"]).get(f"/clients/{client_noord.pk}/timeline")

    assert response.status_code == 200
    body = response.json()
    assert [(i["type"], i["id"]) for i in body["items"]] == [
        ("interaction", newest.pk),
        ("commitment", promise.pk),
        ("interaction", recent.pk),
        ("interaction", old.pk),
    ]
    assert body["next"] is None
    assert body["items"][1]["kind"] == "callback"
    assert body["items"][1]["due_at"]
    assert body["items"][2]["topic"] == "Vraag"
    assert body["items"][2]["at"] == body["items"][2]["occurred_at"]


def test_it_shows_only_the_clients_own_items(client, personas, kcc, teams, client_noord):
    other = ClientFactory(team=teams["noord"])
    _contact(kcc, other, timezone.now())

    body = Api(client, personas["front_office"]).get(f"/clients/{client_noord.pk}/timeline").json()

    assert body["items"] == []


def test_it_pages_without_losing_items_that_share_a_moment(client, personas, kcc, client_noord):
    promise = _promise(kcc, client_noord)
    moment = promise.created_at
    contacts = [_contact(kcc, client_noord, moment, topic=f"t{i}") for i in range(4)]
    earlier = _contact(kcc, client_noord, moment - datetime.timedelta(seconds=1))
    api = Api(client, personas["front_office"])

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        body = api.get(f"/clients/{client_noord.pk}/timeline", params).json()
        seen += [(i["type"], i["id"]) for i in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break

    expected = (
        [("interaction", c.pk) for c in reversed(contacts)]
        + [("commitment", promise.pk)]
        + [("interaction", earlier.pk)]
    )
    assert seen == expected
    assert pages == 3


def test_it_refuses_a_cursor_of_another_client(client, personas, kcc, teams, client_noord):
    other = ClientFactory(team=teams["noord"])
    for _ in range(3):
        _contact(kcc, client_noord, timezone.now())
    api = Api(client, personas["front_office"])
    cursor = api.get(f"/clients/{client_noord.pk}/timeline", {"limit": 1}).json()["next"]

    response = api.get(f"/clients/{other.pk}/timeline", {"cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "eyJ4IjoxfQ"}, "cursor"),  # {"x":1}
    ],
)
def test_it_answers_400_to_bad_paging(client, personas, client_noord, params, field):
    before = last_seq()

    response = Api(client, personas["front_office"]).get(
        f"/clients/{client_noord.pk}/timeline", params
    )

    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert audit_entries(before) == []


# A cursor is opaque, not signed: one made by hand may name any moment. One that no
# item can have (converting it to UTC overflows) is refused, not a server error.
TAMPERED_MOMENTS = [
    datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=14))),
    datetime.datetime(
        9999, 12, 31, 23, 59, tzinfo=datetime.timezone(-datetime.timedelta(hours=14))
    ),
]


@pytest.mark.parametrize("moment", TAMPERED_MOMENTS)
def test_a_cursor_naming_an_impossible_moment_is_a_bad_request(
    client, personas, client_noord, moment
):
    cursor = timeline_cursor(client_noord.pk, (moment, 2, 1), 5)

    response = Api(client, personas["front_office"]).get(
        f"/clients/{client_noord.pk}/timeline", {"cursor": cursor}
    )

    assert response.status_code == 400
    assert "cursor" in error_of(response)["fields"]


def test_it_writes_one_read_entry(client, personas, kcc, client_noord):
    _contact(kcc, client_noord, timezone.now())
    _promise(kcc, client_noord)
    before = last_seq()

    Api(client, personas["nurse_noord"]).get(f"/clients/{client_noord.pk}/timeline")

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id, entry.outcome) == (
        Action.READ,
        "timeline",
        client_noord.pk,
        Outcome.SUCCESS,
    )


def test_it_hides_another_teams_client_as_404_with_a_denied_entry(client, personas, client_noord):
    before = last_seq()

    response = Api(client, personas["nurse_zuid"]).get(f"/clients/{client_noord.pk}/timeline")

    assert response.status_code == 404
    [entry] = audit_entries(before)
    assert (entry.part, entry.client_id, entry.outcome) == (
        "timeline",
        client_noord.pk,
        Outcome.DENIED,
    )


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_without_the_workplace_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).get(f"/clients/{client_noord.pk}/timeline")

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome) == (Action.READ, "timeline", Outcome.DENIED)


@pytest.mark.parametrize("items", [1, 10])
def test_it_runs_the_same_number_of_queries_however_long(
    client, personas, kcc, client_noord, django_assert_num_queries, items
):
    for _ in range(items):
        _contact(kcc, client_noord, timezone.now())
        _promise(kcc, client_noord)
    api = Api(client, personas["front_office"])
    api.get(f"/clients/{client_noord.pk}/timeline")

    # token, the token's rate count, the client, its contacts, its promises, its
    # journey steps; the audit entry (chain head, insert, update)
    with django_assert_num_queries(9):
        response = api.get(f"/clients/{client_noord.pk}/timeline")

    assert len(response.json()["items"]) == 2 * items


def test_journey_steps_come_between_the_contacts(client, personas, kcc, client_noord):
    from halte.journey.tests.factories import referral_at

    _contact(kcc, client_noord, timezone.now() - datetime.timedelta(days=20))
    referral_at(
        "contacted",
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
        received_days_ago=10,
    )
    items = (
        Api(client, personas["front_office"])
        .get(f"/clients/{client_noord.pk}/timeline")
        .json()["items"]
    )
    assert [item["type"] for item in items] == [
        "journey_event",
        "journey_event",
        "journey_event",
        "interaction",
    ]
    assert [item["kind"] for item in items[:3]] == [
        "contacted",
        "owner_assigned",
        "referral_received",
    ]
    assert items[2]["by"] == personas["planner"].get_full_name()


# Higher apps' items (the journey's steps), through contact.extensions


def test_it_merges_the_items_a_registered_source_gives(kcc, client_noord):
    now = timezone.now()
    contact = _contact(kcc, client_noord, now - datetime.timedelta(days=1))
    step = SimpleNamespace(pk=5)
    asked = []

    def source(client, *, limit, before, after):
        asked.append((client, limit, before, after))
        return [TimelineItem("journey", now, step, template="journey/_timeline_step.html")]

    with TIMELINE_SOURCES.replaced(source):
        items = timeline(client_noord, limit=3)
    assert asked == [(client_noord, 3, None, None)]
    assert [item.item for item in items] == [step, contact]


def test_it_lists_contacts_and_promises_alone_when_no_source_is_registered(
    client, personas, kcc, client_noord, django_assert_num_queries
):
    from halte.journey.tests.factories import referral_at

    contact = _contact(kcc, client_noord, timezone.now() - datetime.timedelta(days=20))
    referral_at(
        "received", planner=personas["planner"], nurse=personas["nurse_noord"], client=client_noord
    )
    api = Api(client, personas["front_office"])
    with TIMELINE_SOURCES.replaced():
        api.get(f"/clients/{client_noord.pk}/timeline")
        # As above, less the journey steps' query.
        with django_assert_num_queries(8):
            response = api.get(f"/clients/{client_noord.pk}/timeline")
    assert [(i["type"], i["id"]) for i in response.json()["items"]] == [("interaction", contact.pk)]

"""POST /api/v1/commitments, its attempts and completion, and the lists of promises."""

import datetime

import pytest
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq, looks_since
from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.models import Client, ClientStatus
from halte.clients.tests.factories import ClientFactory, RelationFactory
from halte.contact.models import (
    Commitment,
    CommitmentAttempt,
    CommitmentStatus,
    Interaction,
    ServiceLevelPolicy,
)
from halte.contact.services import commitment_create
from halte.core.calendar import is_working_day, next_working_day
from halte.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _promise(client_noord, owner, **changes) -> dict:
    return {
        "client_id": client_noord.pk,
        "kind": "callback",
        "description": "Terugbellen over de planning van volgende week.",
        "owner_user": owner.pk,
        **changes,
    }


def _made(actor_user, client, *, owner_user=None, owner_team=None, due_at=None) -> Commitment:
    return commitment_create(
        actor=Actor(actor_user),
        client=client,
        kind="callback",
        description="Terugbellen",
        owner_user=owner_user if owner_team is None else None,
        owner_team=owner_team,
        due_at=due_at,
    )


def _overdue(commitment: Commitment) -> Commitment:
    # A promise made yesterday that fell due an hour ago: the database holds
    # due_at > created_at, so both move back.
    now = timezone.now()
    Commitment.objects.filter(pk=commitment.pk).update(
        created_at=now - datetime.timedelta(days=1), due_at=now - datetime.timedelta(hours=1)
    )
    return commitment


def test_it_makes_a_callback_due_by_the_policy(client, personas, client_noord):
    # Open all day with the cutoff at its end, so whenever the test runs, a working
    # day's callback is asked before the cutoff.
    policy = ServiceLevelPolicy.current()
    policy.office_opens = datetime.time(0, 0)
    policy.office_closes = datetime.time(23, 59, 59)
    policy.callback_cutoff = datetime.time(23, 59, 58)
    policy.callback_next_day_at = datetime.time(9, 30)
    policy.save()
    kcc = personas["front_office"]

    response = Api(client, kcc).post("/commitments", _promise(client_noord, kcc))

    assert response.status_code == 201
    body = response.json()
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    if is_working_day(today):  # the same day, at closing time
        expected = datetime.datetime.combine(today, datetime.time(23, 59, 59), tzinfo=zone)
    else:  # weekend or holiday: the next working day, at the agreed time
        expected = datetime.datetime.combine(
            next_working_day(today), datetime.time(9, 30), tzinfo=zone
        )
    assert datetime.datetime.fromisoformat(body["due_at"]) == expected
    assert body["due_at"][-6:] in ("+01:00", "+02:00")
    assert (body["status"], body["overdue"], body["owner_user"]) == ("open", False, kcc.pk)
    assert body["attempts"] == [] and body["result"] is None


def test_it_keeps_a_due_time_given(client, personas, client_noord):
    due = (timezone.localtime() + datetime.timedelta(days=3)).replace(microsecond=0)

    body = (
        Api(client, personas["front_office"])
        .post(
            "/commitments",
            _promise(client_noord, personas["nurse_noord"], due_at=due.isoformat()),
        )
        .json()
    )

    assert datetime.datetime.fromisoformat(body["due_at"]) == due


def test_it_gives_a_promise_to_a_team_with_relation_and_number(
    client, personas, teams, client_noord
):
    relation = client_noord.relations.get()
    data = _promise(
        client_noord,
        personas["front_office"],
        owner_user=None,
        owner_team=teams["noord"].pk,
        kind="send_information",
        relation_id=relation.pk,
        callback_number="06-87654321",
    )

    response = Api(client, personas["front_office"]).post("/commitments", data)

    assert response.status_code == 201
    body = response.json()
    assert (body["owner_user"], body["owner_team"]) == (None, teams["noord"].pk)
    assert (body["relation_id"], body["callback_e164"]) == (relation.pk, "+31687654321")


def test_it_writes_one_create_entry(client, personas, client_noord):
    before = last_seq()

    Api(client, personas["front_office"]).post(
        "/commitments", _promise(client_noord, personas["front_office"])
    )

    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.CREATE,
        "promises",
        client_noord.pk,
    )


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"owner_user": None}, {"owner_user", "owner_team"}),  # no owner
        ({"owner_team": "TEAM"}, {"owner_user", "owner_team"}),  # two owners
        ({"owner_user": 987654}, {"owner_user"}),
        ({"owner_user": None, "owner_team": 987654}, {"owner_team"}),
        ({"kind": "promise"}, {"kind"}),
        ({"description": ""}, {"description"}),
        ({"description": "x" * 1001}, {"description"}),
        ({"due_at": "2020-01-01T10:00:00+01:00"}, {"due_at"}),
        ({"due_at": "2030-01-01T10:00:00"}, {"due_at"}),
        ({"callback_number": "12"}, {"callback_number"}),
        ({"relation_id": 987654}, {"relation_id"}),
        ({"client_id": 987654}, {"client_id"}),
        ({"client_id": None}, {"client_id"}),
        ({"status": "done"}, {"status"}),
    ],
)
def test_it_refuses_bad_input_with_422_naming_the_field_and_writes_nothing(
    client, personas, teams, client_noord, change, fields
):
    if change.get("owner_team") == "TEAM":
        change = {"owner_team": teams["noord"].pk}
    before = (last_seq(), Commitment.objects.count())

    response = Api(client, personas["front_office"]).post(
        "/commitments", _promise(client_noord, personas["nurse_noord"], **change)
    )

    assert response.status_code == 422
    assert fields <= set(error_of(response)["fields"])
    assert (last_seq(), Commitment.objects.count()) == before


def test_it_refuses_an_owner_who_left(client, personas, client_noord):
    gone = UserFactory(is_active=False)

    response = Api(client, personas["front_office"]).post(
        "/commitments", _promise(client_noord, gone)
    )

    assert response.status_code == 422
    assert "owner_user" in error_of(response)["fields"]


def test_it_treats_another_teams_client_as_unknown(client, personas, client_noord):
    response = Api(client, personas["nurse_zuid"]).post(
        "/commitments", _promise(client_noord, personas["nurse_zuid"])
    )

    assert response.status_code == 422
    assert "client_id" in error_of(response)["fields"]
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_promise_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).post(
        "/commitments", _promise(client_noord, personas["front_office"])
    )

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome) == (
        Action.CREATE,
        "promises",
        Outcome.DENIED,
    )


# Attempts and completion


def test_it_keeps_the_promise_open_after_attempts(client, personas, client_noord):
    kcc = personas["front_office"]
    promise = _made(kcc, client_noord, owner_user=kcc)
    api = Api(client, kcc)
    before = last_seq()

    first = api.post(f"/commitments/{promise.pk}/attempts", {"outcome": "no_answer"})
    second = api.post(
        f"/commitments/{promise.pk}/attempts", {"outcome": "voicemail", "note": "Ingesproken."}
    )

    assert first.status_code == second.status_code == 201
    body = second.json()
    assert body["attempt"]["outcome"] == "voicemail"
    assert body["attempt"]["by_id"] == kcc.pk
    assert body["commitment"]["status"] == "open"
    assert [a["outcome"] for a in body["commitment"]["attempts"]] == ["voicemail", "no_answer"]
    assert [(e.action, e.part, e.client_id) for e in audit_entries(before)] == [
        (Action.UPDATE, "promises", client_noord.pk)
    ] * 2


@pytest.mark.parametrize(
    ("data", "field"),
    [({"outcome": "reached"}, "outcome"), ({"outcome": "busy", "note": "x" * 301}, "note")],
)
def test_it_refuses_a_bad_attempt_with_422(client, personas, client_noord, data, field):
    kcc = personas["front_office"]
    promise = _made(kcc, client_noord, owner_user=kcc)

    response = Api(client, kcc).post(f"/commitments/{promise.pk}/attempts", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert CommitmentAttempt.objects.count() == 0


def test_it_completes_a_promise_with_the_resulting_contact(client, personas, client_noord):
    kcc = personas["front_office"]
    promise = _made(kcc, client_noord, owner_user=kcc)
    before = last_seq()

    response = Api(client, kcc).post(
        f"/commitments/{promise.pk}/complete",
        {"summary": "Teruggebeld, planning aangepast.", "channel": "phone"},
    )

    assert response.status_code == 200
    body = response.json()
    interaction = Interaction.objects.get()
    assert (body["status"], body["completed_by_id"]) == ("done", kcc.pk)
    assert body["completed_at"]
    assert body["result_id"] == interaction.pk
    assert body["result"]["summary"] == "Teruggebeld, planning aangepast."
    assert (body["result"]["direction"], body["result"]["outcome"]) == ("out", "resolved")
    assert [(e.action, e.part) for e in audit_entries(before)] == [
        (Action.CREATE, "contacts"),
        (Action.UPDATE, "promises"),
    ]


def test_it_refuses_to_complete_a_promise_twice_with_409(client, personas, client_noord):
    kcc = personas["front_office"]
    promise = _made(kcc, client_noord, owner_user=kcc)
    api = Api(client, kcc)
    api.post(f"/commitments/{promise.pk}/complete", {"summary": "Gedaan."})
    before = (last_seq(), Interaction.objects.count())

    again = api.post(f"/commitments/{promise.pk}/complete", {"summary": "Nog eens."})
    attempt = api.post(f"/commitments/{promise.pk}/attempts", {"outcome": "busy"})

    assert again.status_code == attempt.status_code == 409
    assert error_of(again)["code"] == "conflict"
    assert (last_seq(), Interaction.objects.count()) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "summary"), ({"summary": "x", "channel": "pigeon"}, "channel")],
)
def test_it_refuses_a_bad_completion_with_422(client, personas, client_noord, data, field):
    kcc = personas["front_office"]
    promise = _made(kcc, client_noord, owner_user=kcc)

    response = Api(client, kcc).post(f"/commitments/{promise.pk}/complete", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    promise.refresh_from_db()
    assert promise.status == CommitmentStatus.OPEN


def test_it_hides_another_teams_promise_as_404(client, personas, client_noord):
    promise = _made(personas["nurse_noord"], client_noord, owner_user=personas["nurse_noord"])
    api = Api(client, personas["nurse_zuid"])

    assert api.get(f"/commitments/{promise.pk}").status_code == 404
    assert api.post(f"/commitments/{promise.pk}/attempts", {"outcome": "busy"}).status_code == 404
    assert api.post(f"/commitments/{promise.pk}/complete", {"summary": "x"}).status_code == 404


def test_it_refuses_a_manager_to_keep_a_promise(client, personas, client_noord):
    promise = _made(personas["front_office"], client_noord, owner_user=personas["front_office"])

    response = Api(client, personas["manager"]).post(
        f"/commitments/{promise.pk}/complete", {"summary": "x"}
    )

    assert response.status_code == 403


def test_it_shows_one_promise_with_one_read_entry(client, personas, client_noord):
    promise = _made(personas["front_office"], client_noord, owner_user=personas["front_office"])
    before = last_seq()

    response = Api(client, personas["planner"]).get(f"/commitments/{promise.pk}")

    assert response.json()["id"] == promise.pk
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.READ,
        "promises",
        client_noord.pk,
    )


# Lists


@pytest.fixture
def queue(personas, teams, client_noord):
    """Promises of several owners, one of them overdue, and one of a Zuid client."""
    kcc, nurse = personas["front_office"], personas["nurse_noord"]
    zuid_client = ClientFactory(team=teams["zuid"])
    return {
        "mine": _made(kcc, client_noord, owner_user=kcc),
        "mine_overdue": _overdue(_made(kcc, client_noord, owner_user=kcc)),
        "noord": _made(kcc, client_noord, owner_team=teams["noord"]),
        "nurse": _made(kcc, client_noord, owner_user=nurse),
        "zuid": _overdue(_made(kcc, zuid_client, owner_team=teams["zuid"])),
    }


def _ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_it_lists_my_promises_soonest_due_first(client, personas, queue):
    response = Api(client, personas["front_office"]).get("/commitments", {"mine": "true"})

    assert response.status_code == 200
    assert _ids(response) == [queue["mine_overdue"].pk, queue["mine"].pk]
    assert response.json()["items"][0]["overdue"] is True
    assert response.json()["items"][0]["client_display_name"]


def test_it_lists_my_teams_promises(client, personas, queue):
    nurse = Api(client, personas["nurse_noord"])

    assert _ids(nurse.get("/commitments", {"team": "true"})) == [queue["noord"].pk]
    assert sorted(_ids(nurse.get("/commitments", {"team": "true", "mine": "true"}))) == sorted(
        [queue["noord"].pk, queue["nurse"].pk]
    )


def test_it_lists_the_organisations_overdue_promises_within_scope(client, personas, queue):
    manager = Api(client, personas["manager"]).get("/commitments", {"overdue": "true"})
    lead = Api(client, personas["team_lead"]).get("/commitments", {"overdue": "true"})

    assert sorted(_ids(manager)) == sorted([queue["mine_overdue"].pk, queue["zuid"].pk])
    assert _ids(lead) == [queue["mine_overdue"].pk]


def test_it_keeps_the_organisations_list_to_roles_that_watch_escalations(client, personas, queue):
    assert Api(client, personas["front_office"]).get("/commitments").status_code == 403
    assert Api(client, personas["manager"]).get("/commitments", {"mine": "true"}).status_code == 403


def test_one_page_of_promises_is_one_entry_naming_its_clients(
    client, personas, queue, client_noord
):
    before = last_seq()

    Api(client, personas["manager"]).get("/commitments")

    shown = sorted({client_noord.pk, queue["zuid"].client_id})
    assert len(shown) == 2
    assert looks_since(before) == [(Action.READ, "promises", shown, "success")]


def test_it_lists_promises_in_a_constant_number_of_queries(
    client, personas, teams, queue, django_assert_num_queries
):
    api = Api(client, personas["manager"])
    api.get("/commitments")  # the token's last use: once a minute
    with django_assert_num_queries(20, exact=False) as few:
        assert len(api.get("/commitments").json()["items"]) == 5
    kcc = personas["front_office"]
    for _ in range(6):
        _made(kcc, ClientFactory(team=teams["noord"]), owner_team=teams["noord"])
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(api.get("/commitments").json()["items"]) == 11


def test_it_pages_the_list(client, personas, queue):
    api = Api(client, personas["manager"])

    first = api.get("/commitments", {"limit": 3}).json()
    second = api.get("/commitments", {"cursor": first["next"]}).json()

    assert len(first["items"]) == 3 and len(second["items"]) == 2
    assert second["next"] is None
    assert {i["id"] for i in first["items"] + second["items"]} == {c.pk for c in queue.values()}
    assert api.get("/commitments", {"overdue": "true", "cursor": first["next"]}).status_code == 400


def test_it_does_not_list_promises_kept(client, personas, queue):
    api = Api(client, personas["front_office"])
    api.post(f"/commitments/{queue['mine'].pk}/complete", {"summary": "Gedaan."})

    assert _ids(api.get("/commitments", {"mine": "true"})) == [queue["mine_overdue"].pk]


def test_it_lets_a_relation_of_another_client_not_through(client, personas, teams, client_noord):
    stranger = RelationFactory(client=ClientFactory(team=teams["noord"]))

    response = Api(client, personas["front_office"]).post(
        "/commitments",
        _promise(client_noord, personas["front_office"], relation_id=stranger.pk),
    )

    assert response.status_code == 422
    assert "relation_id" in error_of(response)["fields"]


def test_it_calls_back_on_the_relations_number_unless_given_another(client, personas, client_noord):
    relation = client_noord.relations.get()
    body = (
        Api(client, personas["front_office"])
        .post(
            "/commitments",
            _promise(client_noord, personas["front_office"], relation_id=relation.pk),
        )
        .json()
    )
    assert body["callback_e164"] == "+31687654321"


def test_it_refuses_a_promise_about_a_deceased_client(client, personas, client_noord):
    Client.objects.filter(pk=client_noord.pk).update(status=ClientStatus.DECEASED)
    response = Api(client, personas["front_office"]).post(
        "/commitments", _promise(client_noord, personas["front_office"])
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"client_id"}
    assert Commitment.objects.count() == 0

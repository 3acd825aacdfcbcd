"""GET /api/v1/care-products, the referrals, their owner, stage moves and the intake."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq, looks_since
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory, RelationFactory
from halte.contact.models import Commitment
from halte.core.roles import Role
from halte.core.tests.factories import UserFactory
from halte.journey.api.referrals import NO_INTAKE
from halte.journey.models import Intake, JourneyEvent, Referral, Stage
from halte.journey.tests.factories import referral_at

pytestmark = pytest.mark.django_db


def _at(stage, personas, client, **kwargs):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client, **kwargs
    )


def _referral(client_noord, **changes) -> dict:
    return {
        "client_id": client_noord.pk,
        "source": "gp",
        "product": "wijkverpleging",
        "question": "Hulp bij wondzorg na ziekenhuisopname.",
        **changes,
    }


def _iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


# The care offer


def test_it_lists_the_care_offer(client, personas):
    response = Api(client, personas["front_office"]).get("/care-products")

    assert response.status_code == 200
    body = response.json()
    by_code = {item["code"]: item for item in body["items"]}
    assert by_code["wijkverpleging"] == {
        "id": by_code["wijkverpleging"]["id"],
        "code": "wijkverpleging",
        "name": "Wijkverpleging",
        "financing": "zvw",
        "norm_days": 42,
    }
    assert by_code["verpleeghuiszorg"]["financing"] == "wlz"
    assert body["next"] is None


def test_it_pages_the_care_offer(client, personas):
    api = Api(client, personas["manager"])

    first = api.get("/care-products", {"limit": 4}).json()
    second = api.get("/care-products", {"cursor": first["next"]}).json()

    assert len(first["items"]) == 4 and len(second["items"]) == 2
    assert second["next"] is None


# Registering


# A Monday morning: the urgent referral received on Sunday is due today at 17:00, and
# not yet overdue (on the real clock this test failed every day after that moment).
@time_machine.travel(datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC))
def test_it_registers_a_referral(client, personas, teams, client_noord):
    relation = client_noord.relations.get()
    received = (timezone.now() - datetime.timedelta(days=1)).replace(microsecond=0)
    before = last_seq()

    response = Api(client, personas["front_office"]).post(
        "/referrals",
        _referral(
            client_noord,
            urgency="urgent",
            received_at=_iso(received),
            referrer_id=relation.pk,
            source="relative",
            owner_id=personas["planner"].pk,
        ),
    )

    assert response.status_code == 201
    body = response.json()
    referral = Referral.objects.get()
    assert body["id"] == referral.pk
    assert (body["client_id"], body["referrer_id"], body["team_id"]) == (
        client_noord.pk,
        relation.pk,
        teams["noord"].pk,
    )
    assert (body["product"], body["urgency"], body["stage"]) == (
        "wijkverpleging",
        "urgent",
        "received",
    )
    assert body["owner"] == {
        "id": personas["planner"].pk,
        "name": personas["planner"].get_full_name(),
    }
    assert datetime.datetime.fromisoformat(body["received_at"]) == received
    assert body["received_at"][-6:] in ("+01:00", "+02:00")
    assert body["due_at"] and body["overdue"] is False
    assert (body["intake"], body["waiting_entry_id"], body["care_episode_id"]) == (None, None, None)
    assert body["version"] == 1
    assert body["client_display_name"] == client_noord.formal_name
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.CREATE,
        "journey",
        client_noord.pk,
    )


def test_it_registers_for_a_team_given(client, personas, teams, client_noord):
    response = Api(client, personas["front_office"]).post(
        "/referrals", _referral(client_noord, team_id=teams["zuid"].pk)
    )

    assert response.json()["team_id"] == teams["zuid"].pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product": "tandarts"}, "product"),
        ({"team_id": 987654}, "team_id"),
        ({"owner_id": 987654}, "owner_id"),
        ({"owner_id": "FRONT_OFFICE"}, "owner_id"),  # may not plan
        ({"referrer_id": 987654}, "referrer_id"),
        ({"referrer_id": "STRANGER"}, "referrer_id"),  # another client's relation
        ({"client_id": 987654}, "client_id"),
        ({"source": "neighbour"}, "source"),
        ({"urgency": "now"}, "urgency"),
        ({"received_at": "2099-01-01T10:00:00+01:00"}, "received_at"),
        ({"received_at": "2026-01-01T10:00:00"}, "received_at"),
        ({"question": "x" * 501}, "question"),
        ({"stage": "waiting"}, "stage"),
    ],
)
def test_it_refuses_bad_referrals_with_422_naming_the_field_and_writes_nothing(
    client, personas, teams, client_noord, change, field
):
    if change.get("owner_id") == "FRONT_OFFICE":
        change = {"owner_id": personas["front_office"].pk}
    if change.get("referrer_id") == "STRANGER":
        change = {"referrer_id": RelationFactory(client=ClientFactory(team=teams["noord"])).pk}
    before = (last_seq(), Referral.objects.count(), JourneyEvent.objects.count())

    response = Api(client, personas["front_office"]).post(
        "/referrals", _referral(client_noord, **change)
    )

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    assert (last_seq(), Referral.objects.count(), JourneyEvent.objects.count()) == before


def test_a_nurse_registers_only_for_their_own_teams_as_the_form_offers(
    client, personas, teams, client_noord
):
    before = (last_seq(), Referral.objects.count())

    response = Api(client, personas["nurse_noord"]).post(
        "/referrals", _referral(client_noord, team_id=teams["zuid"].pk), HTTP_ACCEPT_LANGUAGE="nl"
    )

    assert response.status_code == 422
    assert error_of(response)["fields"]["team_id"] == [
        "Kies een van uw eigen teams: een cliënt van een ander team kunt u daarna niet meer zien."
    ]
    assert (last_seq(), Referral.objects.count()) == before


def test_it_treats_another_teams_client_as_unknown(client, personas, client_noord):
    response = Api(client, personas["nurse_zuid"]).post("/referrals", _referral(client_noord))

    assert response.status_code == 422
    assert "client_id" in error_of(response)["fields"]
    assert not Referral.objects.exists()


def test_it_asks_for_authentication(client, client_noord):
    response = Api(client).post("/referrals", _referral(client_noord))

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert Api(client).get("/referrals").status_code == 401
    assert Api(client).get("/care-products").status_code == 401


@pytest.mark.parametrize("persona", ["manager", "privacy_officer", "administrator"])
def test_it_refuses_roles_that_may_not_register_with_one_denied_entry(
    client, personas, client_noord, persona
):
    before = last_seq()

    response = Api(client, personas[persona]).post("/referrals", _referral(client_noord))

    assert response.status_code == 403
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.outcome, entry.client_id) == (
        Action.CREATE,
        "journey",
        Outcome.DENIED,
        client_noord.pk,
    )


def test_it_keeps_a_read_only_token_from_writing(client, personas, client_noord):
    api = Api(client, personas["planner"], scopes=["journey:read"])
    referral = _at(Stage.RECEIVED, personas, client_noord)

    assert api.get(f"/referrals/{referral.pk}").status_code == 200
    assert api.post("/referrals", _referral(client_noord)).status_code == 403
    assert (
        api.post(f"/referrals/{referral.pk}/transitions", {"stage": "contacted"}).status_code == 403
    )
    assert Referral.objects.count() == 1


def test_it_lets_a_write_token_write(client, personas, client_noord):
    api = Api(client, personas["planner"], scopes=["journey:write"])

    assert api.post("/referrals", _referral(client_noord)).status_code == 201
    assert api.get("/care-products").status_code == 403


def test_it_keeps_the_privacy_officer_out_of_every_read(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    api = Api(client, personas["privacy_officer"])

    for path in (
        "/care-products",
        "/referrals",
        f"/referrals/{referral.pk}",
        f"/clients/{client_noord.pk}/journey",
    ):
        assert api.get(path).status_code == 403, path


# Reading


def test_it_shows_one_referral_with_one_read_entry(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    before = last_seq()

    response = Api(client, personas["manager"]).get(f"/referrals/{referral.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["version"]) == ("intake_planned", referral.version)
    assert response["ETag"] == f'"{referral.version}"'
    intake = body["intake"]
    assert intake["held_by"]["id"] == personas["nurse_noord"].pk
    assert (intake["mode"], intake["outcome"], intake["held_at"]) == ("home_visit", "", None)
    assert datetime.datetime.fromisoformat(body["stage_since"])
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.READ,
        "journey",
        client_noord.pk,
    )


def test_it_hides_another_teams_referral_as_404(client, personas, teams, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    nurse = Api(client, personas["nurse_zuid"])
    lead = Api(client, UserFactory(role=Role.TEAM_LEAD, teams=[teams["zuid"]]))
    before = last_seq()

    assert nurse.get(f"/referrals/{referral.pk}").status_code == 404
    assert [(e.outcome, e.client_id) for e in audit_entries(before)] == [
        (Outcome.DENIED, client_noord.pk)
    ]
    assert nurse.get("/referrals", {"client_id": client_noord.pk}).status_code == 404
    assert nurse.get("/referrals").json()["items"] == []
    assert nurse.get(f"/clients/{client_noord.pk}/journey").status_code == 404
    held = {"held_at": _iso(timezone.now()), "outcome": "no_care_needed"}
    assert nurse.post(f"/referrals/{referral.pk}/intake/complete", held).status_code == 404
    for path, data in [
        ("assign", {"owner_id": personas["planner"].pk}),
        ("transitions", {"stage": "contacted"}),
        ("intake", {"planned_at": _iso(timezone.now()), "held_by_id": personas["nurse_noord"].pk}),
    ]:
        assert lead.post(f"/referrals/{referral.pk}/{path}", data).status_code == 404, path
    referral.refresh_from_db()
    assert (referral.stage, referral.version) == (Stage.RECEIVED, 1)


def test_it_answers_404_for_unknown_ids(client, personas):
    api = Api(client, personas["planner"])

    assert api.get("/referrals/987654").status_code == 404
    assert api.post("/referrals/987654/transitions", {"stage": "contacted"}).status_code == 404
    assert api.get("/referrals/0").status_code == 404
    assert error_of(api.get("/referrals/987654"))["code"] == "not_found"


@pytest.fixture
def pipeline(personas, teams, client_noord):
    """Referrals at several stages, one of them over its norm and one of team Zuid."""
    other = ClientFactory(team=teams["noord"])
    zuid = ClientFactory(team=teams["zuid"])
    stale = _at(Stage.RECEIVED, personas, other, received_days_ago=20)
    Referral.objects.filter(pk=stale.pk).update(owner=None)
    return {
        "stale": stale,
        "contacted": _at(Stage.CONTACTED, personas, client_noord, received_days_ago=5),
        "fresh": _at(Stage.RECEIVED, personas, client_noord, received_days_ago=0),
        "zuid": _at(Stage.RECEIVED, personas, zuid, received_days_ago=3),
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["items"]]


def test_it_lists_referrals_oldest_received_first(client, personas, pipeline):
    response = Api(client, personas["planner"]).get("/referrals")

    assert _ids(response) == [
        pipeline["stale"].pk,
        pipeline["contacted"].pk,
        pipeline["zuid"].pk,
        pipeline["fresh"].pk,
    ]


def test_it_lists_only_the_teams_referrals_to_a_nurse(client, personas, pipeline):
    assert pipeline["zuid"].pk not in _ids(Api(client, personas["nurse_noord"]).get("/referrals"))
    assert _ids(Api(client, personas["nurse_zuid"]).get("/referrals")) == [pipeline["zuid"].pk]


def test_it_filters_the_list(client, personas, teams, pipeline, client_noord):
    api = Api(client, personas["planner"])
    Referral.objects.filter(pk=pipeline["fresh"].pk).update(owner=UserFactory(role=Role.PLANNER))

    assert _ids(api.get("/referrals", {"stage": "contacted"})) == [pipeline["contacted"].pk]
    assert _ids(api.get("/referrals", {"owner": "none"})) == [pipeline["stale"].pk]
    assert _ids(api.get("/referrals", {"owner": "me"})) == [
        pipeline["contacted"].pk,
        pipeline["zuid"].pk,
    ]
    assert _ids(api.get("/referrals", {"client_id": client_noord.pk})) == [
        pipeline["contacted"].pk,
        pipeline["fresh"].pk,
    ]
    over = api.get("/referrals", {"over_norm": "true"})
    assert pipeline["stale"].pk in _ids(over) and pipeline["fresh"].pk not in _ids(over)
    assert all(item["overdue"] for item in over.json()["items"])
    dues = [item["due_at"] for item in over.json()["items"]]
    assert dues == sorted(dues, key=datetime.datetime.fromisoformat)


@pytest.mark.parametrize(
    "params", [{"stage": "asleep"}, {"owner": "you"}, {"client_id": 0}, {"limit": 201}]
)
def test_it_refuses_bad_list_parameters_with_400(client, personas, params):
    response = Api(client, personas["planner"]).get("/referrals", params)

    assert response.status_code == 400
    assert set(params) <= set(error_of(response)["fields"])


def test_it_pages_the_referrals(client, personas, pipeline):
    api = Api(client, personas["planner"])

    first = api.get("/referrals", {"limit": 3}).json()
    second = api.get("/referrals", {"cursor": first["next"]}).json()

    assert len(first["items"]) == 3 and len(second["items"]) == 1
    assert second["next"] is None
    assert api.get("/referrals", {"stage": "received", "cursor": first["next"]}).status_code == 400


def test_one_page_of_referrals_is_one_entry_naming_its_clients(
    client, personas, pipeline, client_noord
):
    before = last_seq()

    Api(client, personas["manager"]).get("/referrals")

    shown = sorted({r.client_id for r in pipeline.values()})
    assert len(shown) > 1
    assert looks_since(before) == [(Action.READ, "journey", shown, "success")]


def _many_referrals(personas, teams, count):
    for _ in range(count):
        _at(Stage.WAITING, personas, ClientFactory(team=teams["noord"]))


@pytest.mark.parametrize("persona", ["planner", "nurse_noord"])
def test_it_lists_referrals_in_a_constant_number_of_queries(
    client, personas, teams, persona, django_assert_max_num_queries
):
    api = Api(client, personas[persona])
    _many_referrals(personas, teams, 3)
    with django_assert_max_num_queries(12) as few:
        assert len(api.get("/referrals").json()["items"]) == 3
    _many_referrals(personas, teams, 17)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/referrals").json()["items"]) == 20


# Owner and stage moves


def test_it_assigns_an_owner_guarded_by_if_match(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    other = UserFactory(role=Role.PLANNER)
    api = Api(client, personas["planner"])
    before = last_seq()

    stale = api.post(
        f"/referrals/{referral.pk}/assign",
        {"owner_id": other.pk},
        HTTP_IF_MATCH=f'"{referral.version - 1}"' if referral.version > 1 else '"99"',
    )
    fresh = api.post(
        f"/referrals/{referral.pk}/assign",
        {"owner_id": other.pk},
        HTTP_IF_MATCH=f'"{referral.version}"',
    )

    assert stale.status_code == 409
    assert error_of(stale)["code"] == "conflict"
    assert fresh.status_code == 200
    assert fresh.json()["owner"]["id"] == other.pk
    assert fresh.json()["version"] == referral.version + 1
    assert [(e.action, e.part) for e in audit_entries(before)] == [(Action.UPDATE, "journey")]


@pytest.mark.parametrize(
    ("data", "field"), [({"owner_id": 987654}, "owner_id"), ({"owner_id": "NURSE"}, "owner_id")]
)
def test_it_refuses_an_unknown_or_unfit_owner_with_422(client, personas, client_noord, data, field):
    if data["owner_id"] == "NURSE":
        data = {"owner_id": personas["nurse_noord"].pk}
    referral = _at(Stage.RECEIVED, personas, client_noord)

    response = Api(client, personas["planner"]).post(f"/referrals/{referral.pk}/assign", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_it_refuses_a_malformed_if_match_with_400(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/transitions", {"stage": "contacted"}, HTTP_IF_MATCH="soon"
    )

    assert response.status_code == 400
    assert "If-Match" in error_of(response)["fields"]


@pytest.mark.parametrize("persona", ["front_office", "manager", "privacy_officer"])
def test_it_refuses_roles_that_may_not_plan(client, personas, client_noord, persona):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    api = Api(client, personas[persona])

    assign = api.post(f"/referrals/{referral.pk}/assign", {"owner_id": personas["planner"].pk})
    move = api.post(f"/referrals/{referral.pk}/transitions", {"stage": "contacted"})
    plan = api.post(
        f"/referrals/{referral.pk}/intake",
        {"planned_at": _iso(timezone.now()), "held_by_id": personas["nurse_noord"].pk},
    )

    assert assign.status_code == move.status_code == plan.status_code == 403
    referral.refresh_from_db()
    assert referral.stage == Stage.RECEIVED


def test_it_moves_a_referral_to_contacted(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/transitions",
        {"stage": "contacted"},
        HTTP_IF_MATCH=str(referral.version),
    )

    assert response.status_code == 200
    assert response.json()["stage"] == "contacted"


def test_it_withdraws_a_referral_with_a_reason(client, personas, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/transitions",
        {"stage": "withdrawn", "reason": "Cliënt verhuist naar Utrecht."},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["closed_reason"]) == ("withdrawn", "Cliënt verhuist naar Utrecht.")
    assert body["due_at"] is None


def test_it_refuses_to_withdraw_without_a_reason(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/transitions", {"stage": "withdrawn"}
    )

    assert response.status_code == 422
    assert "reason" in error_of(response)["fields"]
    referral.refresh_from_db()
    assert referral.stage == Stage.RECEIVED


@pytest.mark.parametrize("stage", ["waiting", "care_started", "received"])
def test_it_refuses_stages_with_an_endpoint_of_their_own_with_422(
    client, personas, client_noord, stage
):
    referral = _at(Stage.RECEIVED, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/transitions", {"stage": stage}
    )

    assert response.status_code == 422
    assert "stage" in error_of(response)["fields"]


def test_it_refuses_an_impossible_move_with_409_and_why(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    api = Api(client, personas["planner"])
    api.post(f"/referrals/{referral.pk}/transitions", {"stage": "declined", "reason": "Geen zorg"})

    response = api.post(
        f"/referrals/{referral.pk}/transitions", {"stage": "contacted"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert error_of(response)["message"] == (
        "A referral that is “Declined” cannot go to “Contacted”."
    )


# The intake


def test_it_plans_and_replans_the_intake(client, personas, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    relation = client_noord.relations.get()
    api = Api(client, personas["planner"])
    planned = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)

    first = api.post(
        f"/referrals/{referral.pk}/intake",
        {
            "planned_at": _iso(planned),
            "held_by_id": personas["nurse_noord"].pk,
            "mode": "phone",
            "relative_ids": [relation.pk],
        },
    )
    again = api.post(
        f"/referrals/{referral.pk}/intake",
        {
            "planned_at": _iso(planned + datetime.timedelta(days=1)),
            "held_by_id": personas["nurse_noord"].pk,
        },
        HTTP_IF_MATCH=str(first.json()["version"]),
    )

    assert first.status_code == 200
    intake = first.json()["intake"]
    assert (intake["mode"], intake["relative_ids"]) == ("phone", [relation.pk])
    assert first.json()["stage"] == "intake_planned"
    assert again.status_code == 200
    assert again.json()["intake"]["id"] == intake["id"]
    replanned = datetime.datetime.fromisoformat(again.json()["intake"]["planned_at"])
    assert replanned == planned + datetime.timedelta(days=1)
    assert again.json()["intake"]["relative_ids"] == []
    assert Intake.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"planned_at": "BEFORE"}, "planned_at"),  # before the referral was received
        ({"held_by_id": 987654}, "held_by_id"),
        ({"held_by_id": "FRONT_OFFICE"}, "held_by_id"),  # does not hold intakes
        ({"held_by_id": "NURSE_ZUID"}, "held_by_id"),  # cannot see the client
        ({"relative_ids": [987654]}, "relative_ids"),
        ({"mode": "carrier_pigeon"}, "mode"),
    ],
)
def test_it_refuses_a_bad_intake_plan_with_422(client, personas, client_noord, change, field):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    data = {
        "planned_at": _iso(timezone.now() + datetime.timedelta(days=1)),
        "held_by_id": personas["nurse_noord"].pk,
    }
    if change.get("planned_at") == "BEFORE":
        change = {"planned_at": _iso(referral.received_at - datetime.timedelta(days=1))}
    if change.get("held_by_id") == "FRONT_OFFICE":
        change = {"held_by_id": personas["front_office"].pk}
    if change.get("held_by_id") == "NURSE_ZUID":
        change = {"held_by_id": personas["nurse_zuid"].pk}

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/intake", data | change
    )

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    assert not Intake.objects.exists()


def test_it_records_the_intake_with_its_agreements_as_promises(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    before = last_seq()

    response = Api(client, personas["nurse_noord"]).post(
        f"/referrals/{referral.pk}/intake/complete",
        {
            "held_at": _iso(timezone.now() - datetime.timedelta(hours=1)),
            "outcome": "care_needed",
            "indicated_product": "specialistische-thuiszorg",
            "hours_per_week": 3.5,
            "summary": "Wondzorg dagelijks, daarna afbouwen.",
            "agreements": ["Folder wondzorg sturen", "  ", "Huisarts informeren"],
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["stage"] == "intake_done"
    intake = body["intake"]
    assert (intake["outcome"], intake["indicated_product"], intake["hours_per_week"]) == (
        "care_needed",
        "specialistische-thuiszorg",
        3.5,
    )
    promises = Commitment.objects.order_by("id")
    assert [p.description for p in promises] == ["Folder wondzorg sturen", "Huisarts informeren"]
    assert {p.owner_user_id for p in promises} == {personas["nurse_noord"].pk}
    assert [(e.action, e.part) for e in audit_entries(before)] == [
        (Action.CREATE, "promises"),
        (Action.CREATE, "promises"),
        (Action.UPDATE, "journey"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"indicated_product": None}, "indicated_product"),  # required for care_needed
        ({"indicated_product": "tandarts"}, "indicated_product"),
        ({"held_at": "2099-01-01T10:00:00+01:00"}, "held_at"),
        ({"held_at": "BEFORE"}, "held_at"),
        ({"hours_per_week": 120}, "hours_per_week"),
        ({"outcome": "maybe"}, "outcome"),
        ({"agreements": ["x" * 1001]}, "agreements.0"),
    ],
)
def test_it_refuses_a_bad_intake_record_with_422(client, personas, client_noord, change, field):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    if change.get("held_at") == "BEFORE":
        change = {"held_at": _iso(referral.received_at - datetime.timedelta(hours=1))}
    data = {
        "held_at": _iso(timezone.now()),
        "outcome": "care_needed",
        "indicated_product": "wijkverpleging",
    }

    response = Api(client, personas["nurse_noord"]).post(
        f"/referrals/{referral.pk}/intake/complete", data | change
    )

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    referral.refresh_from_db()
    assert referral.stage == Stage.INTAKE_PLANNED
    assert not Commitment.objects.exists()


def test_it_refuses_to_record_an_intake_never_planned_with_409(client, personas, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)

    response = Api(client, personas["nurse_noord"]).post(
        f"/referrals/{referral.pk}/intake/complete",
        {"held_at": _iso(timezone.now()), "outcome": "no_care_needed"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 409
    with translation.override("en"):
        assert error_of(response)["message"] == str(NO_INTAKE)


def test_it_lets_the_front_office_register_but_not_record_an_intake(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)

    response = Api(client, personas["front_office"]).post(
        f"/referrals/{referral.pk}/intake/complete",
        {"held_at": _iso(timezone.now()), "outcome": "no_care_needed"},
    )

    assert response.status_code == 403

"""The waiting list through the API: placing a client, one queue with positions and
estimates, one entry, its priority and status, updates to the client, bridging care."""

import datetime
import json

import pytest
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, auth, error_of, last_seq, looks_since
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.contact.models import Interaction
from halte.core.roles import Role
from halte.core.tests.factories import UserFactory
from halte.journey.models import (
    CareOffice,
    JourneyEvent,
    LeftReason,
    Priority,
    Stage,
    WaitingListEntry,
)
from halte.journey.tests.factories import product, referral_at

pytestmark = pytest.mark.django_db


def _at(stage, personas, client, **kwargs):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client, **kwargs
    )


def _put(api: Api, path: str, data: dict):
    return api.client.put(
        f"/api/v1{path}", json.dumps(data), content_type="application/json", **auth(api.token)
    )


def _entry(personas, client) -> WaitingListEntry:
    return _at(Stage.WAITING, personas, client).waiting_entry


# Placing


def test_it_places_a_client_on_the_waiting_list(client, personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    before = last_seq()

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/waiting-list",
        {"status": "active", "priority": 1, "bridging_care": "Mantelzorg door dochter."},
        HTTP_IF_MATCH=str(referral.version),
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    entry = WaitingListEntry.objects.get()
    today = timezone.localdate()
    assert (body["id"], body["referral_id"], body["client_id"]) == (
        entry.pk,
        referral.pk,
        client_noord.pk,
    )
    assert (body["status"], body["priority"], body["position"]) == ("active", 1, 1)
    assert (body["product"], body["care_office"]) == ("wijkverpleging", None)
    assert body["waiting_since"] == today.isoformat()
    received = timezone.localdate(referral.received_at)
    assert body["norm_date"] == (received + datetime.timedelta(days=42)).isoformat()
    assert body["next_update_due"] == (today + datetime.timedelta(days=28)).isoformat()
    assert body["estimate"] == {"expected": None, "earliest": None, "latest": None}
    assert (body["will_exceed_norm"], body["update_due"]) == (False, False)
    assert body["bridging_care"] == "Mantelzorg door dochter."
    assert body["version"] == 1
    referral.refresh_from_db()
    assert referral.stage == Stage.WAITING
    [entry_log] = audit_entries(before)
    assert (entry_log.action, entry_log.part, entry_log.client_id) == (
        Action.CREATE,
        "journey",
        client_noord.pk,
    )


def test_it_places_a_wlz_client_at_a_care_office(client, personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord, care=product("verpleeghuiszorg"))
    CareOffice.objects.create(code="ZK-UTR", name="Zorgkantoor Utrecht")

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/waiting-list",
        {"status": "active_placement", "care_office": "ZK-UTR"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["product"], body["care_office"], body["priority"]) == (
        "verpleeghuiszorg",
        "ZK-UTR",
        2,
    )


@pytest.mark.parametrize(
    ("care", "data", "field"),
    [
        ("wijkverpleging", {"status": "active_placement"}, "status"),  # Wlz status, Zvw care
        ("verpleeghuiszorg", {"status": "active", "care_office": "ZK-UTR"}, "status"),
        ("verpleeghuiszorg", {"status": "active_placement"}, "care_office"),
        ("verpleeghuiszorg", {"status": "urgent", "care_office": "ZK-XXX"}, "care_office"),
        ("wijkverpleging", {"status": "waiting"}, "status"),
        ("wijkverpleging", {"status": "active", "priority": 4}, "priority"),
        ("wijkverpleging", {"status": "active", "bridging_care": "x" * 301}, "bridging_care"),
    ],
)
def test_it_refuses_a_bad_placement_with_422(client, personas, client_noord, care, data, field):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord, care=product(care))
    CareOffice.objects.create(code="ZK-UTR", name="Zorgkantoor Utrecht")

    response = Api(client, personas["planner"]).post(f"/referrals/{referral.pk}/waiting-list", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    assert not WaitingListEntry.objects.exists()


def test_it_refuses_to_place_a_referral_before_its_intake_with_409(client, personas, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/waiting-list", {"status": "active"}
    )

    assert response.status_code == 409
    assert not WaitingListEntry.objects.exists()


@pytest.mark.parametrize("persona", ["front_office", "manager", "nurse_noord", "privacy_officer"])
def test_it_refuses_roles_that_may_not_run_the_waiting_list(
    client, personas, client_noord, persona
):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)

    response = Api(client, personas[persona]).post(
        f"/referrals/{referral.pk}/waiting-list", {"status": "active"}
    )

    assert response.status_code == 403
    assert not WaitingListEntry.objects.exists()


# One queue


@pytest.fixture
def queue(personas, teams):
    """Four waiting clients of team Noord (the second not active, the fourth urgent),
    and six who started care in the last twelve weeks: half a place a week."""
    today = timezone.localdate()
    entries = [_entry(personas, ClientFactory(team=teams["noord"])) for _ in range(4)]
    for index, entry in enumerate(entries):
        WaitingListEntry.objects.filter(pk=entry.pk).update(
            waiting_since=today - datetime.timedelta(days=30 - index),
            norm_date=today + datetime.timedelta(days=100),
        )
    WaitingListEntry.objects.filter(pk=entries[1].pk).update(status="non_active")
    WaitingListEntry.objects.filter(pk=entries[3].pk).update(priority=Priority.HIGH)
    for weeks_ago in range(6):
        started = _entry(personas, ClientFactory(team=teams["noord"]))
        WaitingListEntry.objects.filter(pk=started.pk).update(
            left_on=today - datetime.timedelta(weeks=weeks_ago, days=1),
            left_reason=LeftReason.CARE_STARTED,
        )
    return [WaitingListEntry.objects.get(pk=e.pk) for e in entries]


def _days(value: str | None) -> int | None:
    if value is None:
        return None
    return (datetime.date.fromisoformat(value) - timezone.localdate()).days


def test_it_shows_the_queue_with_positions_and_estimates(client, personas, teams, queue):
    first, second, third, fourth = queue

    response = Api(client, personas["planner"]).get(
        "/waiting-list", {"product": "wijkverpleging", "team_id": teams["noord"].pk}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["product"], body["team_id"]) == ("wijkverpleging", teams["noord"].pk)
    assert body["outflow"] == {"started": 6, "weeks": 12, "per_week": 0.5}
    assert (body["waiting"], body["active"], body["page"], body["next"]) == (4, 3, 1, None)
    rows = [
        (
            item["id"],
            item["position"],
            _days(item["estimate"]["expected"]),
            _days(item["estimate"]["earliest"]),
            _days(item["estimate"]["latest"]),
        )
        for item in body["items"]
    ]
    # Half a place a week: the n-th in line waits 2n weeks, give or take
    # 1.28 * sqrt(n) / 0.5 weeks.
    assert rows == [
        (fourth.pk, 1, 14, 0, 32),
        (first.pk, 2, 28, 3, 53),
        (second.pk, None, None, None, None),
        (third.pk, 3, 42, 11, 73),
    ]
    item = body["items"][0]
    assert item["client_display_name"] == fourth.client.formal_name
    assert (item["status"], item["priority"], item["version"]) == ("active", 1, fourth.version)
    assert item["will_exceed_norm"] is False and item["update_due"] is False
    assert item["last_update_on"] is None


def test_it_flags_who_will_exceed_the_norm_and_who_is_due_an_update(client, personas, teams, queue):
    today = timezone.localdate()
    WaitingListEntry.objects.filter(pk=queue[2].pk).update(
        norm_date=today + datetime.timedelta(days=20),
        next_update_due=today - datetime.timedelta(days=1),
    )

    body = (
        Api(client, personas["planner"])
        .get("/waiting-list", {"product": "wijkverpleging", "team_id": teams["noord"].pk})
        .json()
    )

    flagged = {item["id"]: (item["will_exceed_norm"], item["update_due"]) for item in body["items"]}
    # Third in line: expected after six weeks, norm in twenty days.
    assert flagged[queue[2].pk] == (True, True)
    assert flagged[queue[0].pk] == (False, False)


def test_it_pages_the_queue_by_page_number(client, personas, teams, queue):
    api = Api(client, personas["planner"])
    params = {"product": "wijkverpleging", "team_id": teams["noord"].pk, "limit": 3}

    first = api.get("/waiting-list", params).json()
    second = api.get("/waiting-list", params | {"page": first["next"]}).json()

    assert [i["position"] for i in first["items"]] == [1, 2, None]
    assert first["next"] == 2
    assert [i["position"] for i in second["items"]] == [3]
    assert second["next"] is None


def test_one_page_of_the_waiting_list_is_one_entry_naming_its_clients(
    client, personas, teams, queue
):
    before = last_seq()

    Api(client, personas["manager"]).get(
        "/waiting-list", {"product": "wijkverpleging", "team_id": teams["noord"].pk}
    )

    shown = sorted(e.client_id for e in queue)
    assert len(shown) > 1
    assert looks_since(before) == [(Action.READ, "waiting_list", shown, "success")]


def test_it_keeps_a_nurse_to_her_own_teams_queues(client, personas, teams, queue):
    before = last_seq()
    params = {"product": "wijkverpleging", "team_id": teams["noord"].pk}

    assert Api(client, personas["nurse_noord"]).get("/waiting-list", params).status_code == 200
    response = Api(client, personas["nurse_zuid"]).get("/waiting-list", params)

    assert response.status_code == 403
    assert audit_entries(before)[-1].outcome == Outcome.DENIED


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"product": "tandarts", "team_id": "TEAM"}, "product"),
        ({"product": "wijkverpleging", "team_id": 987654}, "team_id"),
        ({"team_id": "TEAM"}, "product"),
        ({"product": "wijkverpleging"}, "team_id"),
        ({"product": "wijkverpleging", "team_id": "TEAM", "page": 0}, "page"),
    ],
)
def test_it_refuses_an_unknown_queue_with_400(client, personas, teams, params, field):
    params = {k: teams["noord"].pk if v == "TEAM" else v for k, v in params.items()}

    response = Api(client, personas["planner"]).get("/waiting-list", params)

    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_it_refuses_the_privacy_officer_the_queue(client, personas, teams):
    response = Api(client, personas["privacy_officer"]).get(
        "/waiting-list", {"product": "wijkverpleging", "team_id": teams["noord"].pk}
    )

    assert response.status_code == 403


def _many_waiting(personas, teams, count):
    for _ in range(count):
        _entry(personas, ClientFactory(team=teams["noord"]))


@pytest.mark.parametrize("persona", ["planner", "nurse_noord"])
def test_it_shows_the_queue_in_a_constant_number_of_queries(
    client, personas, teams, persona, django_assert_max_num_queries
):
    api = Api(client, personas[persona])
    params = {"product": "wijkverpleging", "team_id": teams["noord"].pk}
    _many_waiting(personas, teams, 3)
    with django_assert_max_num_queries(16) as few:
        assert len(api.get("/waiting-list", params).json()["items"]) == 3
    _many_waiting(personas, teams, 17)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/waiting-list", params).json()["items"]) == 20


# One entry


def test_it_shows_one_entry_with_its_position_and_one_read_entry(client, personas, queue):
    before = last_seq()

    response = Api(client, personas["manager"]).get(f"/waiting-list/{queue[0].pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["position"], _days(body["estimate"]["expected"])) == (2, 28)
    assert response["ETag"] == f'"{queue[0].version}"'
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.READ,
        "waiting_list",
        queue[0].client_id,
    )


def test_it_hides_another_teams_entry_as_404(client, personas, teams, client_noord):
    entry = _entry(personas, client_noord)
    nurse = Api(client, personas["nurse_zuid"])
    lead = Api(client, UserFactory(role=Role.TEAM_LEAD, teams=[teams["zuid"]]))

    assert nurse.get(f"/waiting-list/{entry.pk}").status_code == 404
    patch = lead.patch(f"/waiting-list/{entry.pk}", {"priority": 1, "reason": "Spoed"})
    update = lead.post(f"/waiting-list/{entry.pk}/updates", {"channel": "phone", "summary": "x"})
    bridging = _put(lead, f"/waiting-list/{entry.pk}/bridging-care", {"text": "x"})
    assert patch.status_code == update.status_code == bridging.status_code == 404
    assert Api(client, personas["planner"]).get("/waiting-list/987654").status_code == 404


def test_it_changes_the_priority_with_a_reason(client, personas, client_noord):
    entry = _entry(personas, client_noord)
    before = last_seq()

    response = Api(client, personas["planner"]).patch(
        f"/waiting-list/{entry.pk}",
        {"priority": 1, "reason": "Mantelzorger valt weg."},
        HTTP_IF_MATCH=f'"{entry.version}"',
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["priority"], body["version"]) == (1, entry.version + 1)
    assert response["ETag"] == f'"{entry.version + 1}"'
    event = JourneyEvent.objects.filter(kind="priority_changed").get()
    assert event.detail.endswith("Mantelzorger valt weg.")
    assert [(e.action, e.part) for e in audit_entries(before)] == [(Action.UPDATE, "journey")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"priority": 1}, "reason"),
        ({"priority": 1, "reason": "  "}, "reason"),
        ({"status": "urgent", "reason": "Spoed"}, "status"),  # Wlz status, Zvw care
        ({"priority": 0, "reason": "Spoed"}, "priority"),
        ({"reason": "Niets"}, "priority"),  # nothing changed
        ({"priority": 2, "reason": "Zelfde"}, "priority"),  # nothing changed
        ({"priority": 1, "reason": "x", "client_id": 3}, "client_id"),
    ],
)
def test_it_refuses_a_bad_change_with_422(client, personas, client_noord, data, field):
    entry = _entry(personas, client_noord)

    response = Api(client, personas["planner"]).patch(f"/waiting-list/{entry.pk}", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    assert WaitingListEntry.objects.get().version == entry.version


def test_two_planners_change_one_entry_and_nothing_is_lost(client, personas, client_noord):
    entry = _entry(personas, client_noord)
    first = Api(client, personas["planner"])
    second = Api(client, UserFactory(role=Role.PLANNER))
    version = first.get(f"/waiting-list/{entry.pk}").json()["version"]
    assert second.get(f"/waiting-list/{entry.pk}").json()["version"] == version

    won = first.patch(
        f"/waiting-list/{entry.pk}",
        {"priority": 1, "reason": "Spoed"},
        HTTP_IF_MATCH=str(version),
    )
    lost = second.patch(
        f"/waiting-list/{entry.pk}",
        {"status": "non_active", "reason": "Op vakantie"},
        HTTP_IF_MATCH=str(version),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert won.status_code == 200
    assert lost.status_code == 409
    assert error_of(lost)["message"] == (
        "Someone else changed this in the meantime; reload and try again."
    )
    stored = WaitingListEntry.objects.get()
    assert (stored.priority, stored.status, stored.version) == (1, "active", version + 1)

    reread = second.get(f"/waiting-list/{entry.pk}").json()
    retried = second.patch(
        f"/waiting-list/{entry.pk}",
        {"status": "non_active", "reason": "Op vakantie"},
        HTTP_IF_MATCH=str(reread["version"]),
    )

    assert retried.status_code == 200
    assert (retried.json()["priority"], retried.json()["status"]) == (1, "non_active")
    assert retried.json()["position"] is None


def test_it_changes_without_if_match_too(client, personas, client_noord):
    entry = _entry(personas, client_noord)

    response = Api(client, personas["planner"]).patch(
        f"/waiting-list/{entry.pk}", {"status": "non_active", "reason": "Wil nog niet starten"}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "non_active"


@pytest.mark.parametrize("persona", ["front_office", "manager", "nurse_noord"])
def test_it_refuses_a_change_to_roles_that_may_not_plan(client, personas, client_noord, persona):
    entry = _entry(personas, client_noord)
    before = last_seq()

    response = Api(client, personas[persona]).patch(
        f"/waiting-list/{entry.pk}", {"priority": 1, "reason": "Spoed"}
    )

    assert response.status_code == 403
    assert [(e.action, e.outcome) for e in audit_entries(before)] == [
        (Action.UPDATE, Outcome.DENIED)
    ]


def test_it_records_an_update_given_to_the_client(client, personas, client_noord):
    entry = _entry(personas, client_noord)
    WaitingListEntry.objects.filter(pk=entry.pk).update(
        next_update_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    before = last_seq()

    response = Api(client, personas["planner"]).post(
        f"/waiting-list/{entry.pk}/updates",
        {"channel": "phone", "summary": "Verwachte start in maart doorgegeven."},
    )

    assert response.status_code == 201
    body = response.json()
    today = timezone.localdate()
    assert body["last_update_on"] == today.isoformat()
    assert body["next_update_due"] == (today + datetime.timedelta(days=28)).isoformat()
    assert body["update_due"] is False
    interaction = Interaction.objects.get()
    assert (interaction.client_id, interaction.channel, interaction.direction) == (
        client_noord.pk,
        "phone",
        "out",
    )
    assert [(e.action, e.part) for e in audit_entries(before)] == [
        (Action.CREATE, "contacts"),
        (Action.UPDATE, "journey"),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel": "pigeon", "summary": "x"}, "channel"),
        ({"channel": "phone"}, "summary"),
        ({"channel": "phone", "summary": "x" * 5001}, "summary"),
    ],
)
def test_it_refuses_a_bad_update_with_422(client, personas, client_noord, data, field):
    entry = _entry(personas, client_noord)

    response = Api(client, personas["planner"]).post(f"/waiting-list/{entry.pk}/updates", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert not Interaction.objects.exists()


def test_it_records_and_stops_bridging_care(client, personas, client_noord):
    entry = _entry(personas, client_noord)
    api = Api(client, personas["planner"])
    before = last_seq()

    given = _put(api, f"/waiting-list/{entry.pk}/bridging-care", {"text": "Thuiszorg 2 uur"})
    stopped = _put(api, f"/waiting-list/{entry.pk}/bridging-care", {"text": ""})

    assert given.status_code == stopped.status_code == 200
    assert given.json()["bridging_care"] == "Thuiszorg 2 uur"
    assert stopped.json()["bridging_care"] == ""
    assert stopped.json()["version"] == entry.version + 2
    assert [(e.action, e.part) for e in audit_entries(before)] == [(Action.UPDATE, "journey")] * 2


def test_it_refuses_too_long_bridging_care_with_422(client, personas, client_noord):
    entry = _entry(personas, client_noord)

    response = _put(
        Api(client, personas["planner"]),
        f"/waiting-list/{entry.pk}/bridging-care",
        {"text": "x" * 301},
    )

    assert response.status_code == 422
    assert "text" in error_of(response)["fields"]


def test_it_refuses_changes_once_the_client_left_the_list(client, personas, client_noord):
    entry = _entry(personas, client_noord)
    api = Api(client, personas["planner"])
    api.post(
        f"/referrals/{entry.referral_id}/transitions",
        {"stage": "withdrawn", "reason": "Overleden"},
    )

    patch = api.patch(f"/waiting-list/{entry.pk}", {"priority": 1, "reason": "Spoed"})
    shown = api.get(f"/waiting-list/{entry.pk}").json()

    assert patch.status_code == 409
    assert (shown["left_reason"], shown["position"]) == ("withdrawn", None)

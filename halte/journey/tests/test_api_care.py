"""Care through the API: starting it, its contact person, ending it, and a client's
journey."""

import pytest
from django.utils import timezone

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action, Outcome
from halte.clients.models import ClientStatus
from halte.core.roles import Role
from halte.core.tests.factories import UserFactory
from halte.journey.models import CareEpisode, Referral, Stage, WaitingListEntry
from halte.journey.tests.factories import referral_at

pytestmark = pytest.mark.django_db


def _at(stage, personas, client, **kwargs):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client, **kwargs
    )


def _start(personas, **changes) -> dict:
    return {
        "starts_on": timezone.localdate().isoformat(),
        "contact_person_id": personas["nurse_noord"].pk,
        **changes,
    }


@pytest.fixture
def second_nurse(teams):
    return UserFactory(
        username="nurse_noord_2", role=Role.CARE_PROFESSIONAL, teams=[teams["noord"]]
    )


def test_a_team_lead_cannot_move_the_client_to_another_team_by_starting_care(
    client, personas, teams, client_noord
):
    # The care's team becomes the client's: outside the lead's own teams the client
    # would drop out of their view (the form offers only their own teams).
    referral = _at(Stage.WAITING, personas, client_noord)
    before = (last_seq(), CareEpisode.objects.count())

    response = Api(client, personas["team_lead"]).post(
        f"/referrals/{referral.pk}/care-episode",
        _start(personas, contact_person_id=personas["nurse_zuid"].pk, team_id=teams["zuid"].pk),
    )

    assert response.status_code == 422
    assert "team_id" in error_of(response)["fields"]
    client_noord.refresh_from_db()
    assert client_noord.team == teams["noord"]
    assert (last_seq(), CareEpisode.objects.count()) == before


@pytest.fixture
def episode(client, personas, client_noord) -> CareEpisode:
    referral = _at(Stage.WAITING, personas, client_noord)
    Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/care-episode", _start(personas)
    )
    return CareEpisode.objects.get()


def test_it_starts_care_with_a_fixed_contact_person(client, personas, teams, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    before = last_seq()

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/care-episode",
        _start(personas, hours_per_week="6.5"),
        HTTP_IF_MATCH=str(referral.version),
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    nurse = personas["nurse_noord"]
    assert body["contact_person"] == {"id": nurse.pk, "name": nurse.get_full_name()}
    assert (body["product"], body["team_id"], body["hours_per_week"]) == (
        "wijkverpleging",
        teams["noord"].pk,
        6.5,
    )
    assert (body["starts_on"], body["ended_on"], body["running"]) == (
        timezone.localdate().isoformat(),
        None,
        True,
    )
    client_noord.refresh_from_db()
    assert (client_noord.primary_contact, client_noord.status) == (nurse, ClientStatus.IN_CARE)
    assert WaitingListEntry.objects.get().left_reason == "care_started"
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.CREATE,
        "journey",
        client_noord.pk,
    )
    referral = Api(client, personas["planner"]).get(f"/referrals/{referral.pk}").json()
    assert (referral["stage"], referral["care_episode_id"]) == ("care_started", body["id"])


def test_it_takes_the_hours_from_the_intake(client, personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/care-episode", _start(personas)
    )

    assert response.json()["hours_per_week"] == 4.5


def test_it_refuses_care_for_a_withdrawn_referral_with_409_and_why(client, personas, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    api = Api(client, personas["planner"])
    api.post(f"/referrals/{referral.pk}/transitions", {"stage": "withdrawn", "reason": "Verhuisd"})

    response = api.post(
        f"/referrals/{referral.pk}/care-episode", _start(personas), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    assert error_of(response)["message"] == (
        "A referral that is “Withdrawn” cannot go to “Care started”."
    )
    assert not CareEpisode.objects.exists()


def test_it_refuses_a_stale_referral_version_with_409(client, personas, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/care-episode",
        _start(personas),
        HTTP_IF_MATCH=str(referral.version - 1),
    )

    assert response.status_code == 409
    assert not CareEpisode.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_person_id": 987654}, "contact_person_id"),
        ({"contact_person_id": "NURSE_ZUID"}, "contact_person_id"),  # not of the team
        ({"contact_person_id": "FRONT_OFFICE"}, "contact_person_id"),  # gives no care
        ({"team_id": 987654}, "team_id"),
        ({"starts_on": "2001-01-01"}, "starts_on"),  # before the referral was received
        ({"starts_on": "01-01-2027"}, "starts_on"),
        ({"hours_per_week": -1}, "hours_per_week"),
    ],
)
def test_it_refuses_a_bad_start_with_422(client, personas, client_noord, change, field):
    referral = _at(Stage.WAITING, personas, client_noord)
    if change.get("contact_person_id") == "NURSE_ZUID":
        change = {"contact_person_id": personas["nurse_zuid"].pk}
    if change.get("contact_person_id") == "FRONT_OFFICE":
        change = {"contact_person_id": personas["front_office"].pk}

    response = Api(client, personas["planner"]).post(
        f"/referrals/{referral.pk}/care-episode", _start(personas, **change)
    )

    assert response.status_code == 422
    assert field in error_of(response)["fields"], error_of(response)
    assert not CareEpisode.objects.exists()
    assert Referral.objects.get().stage == Stage.WAITING


@pytest.mark.parametrize("persona", ["front_office", "nurse_noord", "manager"])
def test_it_refuses_roles_that_may_not_start_care(client, personas, client_noord, persona):
    referral = _at(Stage.WAITING, personas, client_noord)

    response = Api(client, personas[persona]).post(
        f"/referrals/{referral.pk}/care-episode", _start(personas)
    )

    assert response.status_code == 403


def test_it_shows_an_episode_with_one_read_entry(client, personas, episode):
    before = last_seq()

    response = Api(client, personas["nurse_noord"]).get(f"/care-episodes/{episode.pk}")

    assert response.status_code == 200
    assert response.json()["contact_person"]["id"] == personas["nurse_noord"].pk
    assert response["ETag"] == f'"{episode.version}"'
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.READ,
        "journey",
        episode.client_id,
    )


def test_it_hides_another_teams_episode_as_404(client, personas, teams, episode, second_nurse):
    lead = Api(client, UserFactory(role=Role.TEAM_LEAD, teams=[teams["zuid"]]))
    before = last_seq()

    assert (
        Api(client, personas["nurse_zuid"]).get(f"/care-episodes/{episode.pk}").status_code == 404
    )
    assert (
        lead.patch(
            f"/care-episodes/{episode.pk}", {"contact_person_id": second_nurse.pk}
        ).status_code
        == 404
    )
    assert (
        lead.post(
            f"/care-episodes/{episode.pk}/end",
            {"ended_on": timezone.localdate().isoformat(), "reason": "recovered"},
        ).status_code
        == 404
    )
    assert {e.outcome for e in audit_entries(before)} == {Outcome.DENIED}
    assert Api(client, personas["planner"]).get("/care-episodes/987654").status_code == 404


def test_it_changes_the_contact_person_guarded_by_if_match(
    client, personas, client_noord, episode, second_nurse
):
    api = Api(client, personas["planner"])
    before = last_seq()

    stale = api.patch(
        f"/care-episodes/{episode.pk}",
        {"contact_person_id": second_nurse.pk},
        HTTP_IF_MATCH=str(episode.version + 5),
    )
    fresh = api.patch(
        f"/care-episodes/{episode.pk}",
        {"contact_person_id": second_nurse.pk},
        HTTP_IF_MATCH=str(episode.version),
    )

    assert stale.status_code == 409
    assert fresh.status_code == 200
    assert fresh.json()["contact_person"]["id"] == second_nurse.pk
    assert fresh.json()["version"] == episode.version + 1
    assert fresh["ETag"] == f'"{episode.version + 1}"'
    client_noord.refresh_from_db()
    assert client_noord.primary_contact == second_nurse
    assert [(e.action, e.part) for e in audit_entries(before)] == [(Action.UPDATE, "journey")]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"contact_person_id": 987654}, "contact_person_id"),
        ({"contact_person_id": "SAME"}, "contact_person_id"),
        ({}, "contact_person_id"),
    ],
)
def test_it_refuses_a_bad_contact_person_with_422(client, personas, episode, data, field):
    if data.get("contact_person_id") == "SAME":
        data = {"contact_person_id": personas["nurse_noord"].pk}

    response = Api(client, personas["planner"]).patch(f"/care-episodes/{episode.pk}", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_it_ends_care_with_a_reason(client, personas, client_noord, episode):
    api = Api(client, personas["planner"])
    today = timezone.localdate().isoformat()

    response = api.post(
        f"/care-episodes/{episode.pk}/end", {"ended_on": today, "reason": "recovered"}
    )
    again = api.post(f"/care-episodes/{episode.pk}/end", {"ended_on": today, "reason": "moved"})

    assert response.status_code == 200
    body = response.json()
    assert (body["ended_on"], body["end_reason"], body["running"]) == (today, "recovered", False)
    client_noord.refresh_from_db()
    assert (client_noord.primary_contact, client_noord.status) == (None, ClientStatus.ENDED)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ended_on": "2001-01-01", "reason": "recovered"}, "ended_on"),
        ({"ended_on": "2099-01-01", "reason": "recovered"}, "ended_on"),
        ({"ended_on": "TODAY", "reason": "bored"}, "reason"),
        ({"reason": "recovered"}, "ended_on"),
    ],
)
def test_it_refuses_a_bad_end_with_422(client, personas, episode, data, field):
    data = {k: timezone.localdate().isoformat() if v == "TODAY" else v for k, v in data.items()}

    response = Api(client, personas["planner"]).post(f"/care-episodes/{episode.pk}/end", data)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert CareEpisode.objects.get().is_running


# A client's journey


def test_it_shows_the_journey_of_a_waiting_client(client, personas, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    before = last_seq()

    response = Api(client, personas["front_office"]).get(f"/clients/{client_noord.pk}/journey")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["client_id"] == client_noord.pk
    assert [(s["name"], s["state"]) for s in body["stops"]] == [
        ("referral", "done"),
        ("intake", "done"),
        ("waiting", "current"),
        ("care", "ahead"),
        ("end", "ahead"),
    ]
    referral_stop = body["stops"][0]
    assert referral_stop["entered_at"] and referral_stop["left_at"]
    assert referral_stop["duration_days"] == 2  # the intake was planned two days after receipt
    assert body["stops"][3] == {
        "name": "care",
        "state": "ahead",
        "entered_at": None,
        "left_at": None,
        "duration_days": None,
    }
    assert (body["referral"]["id"], body["referral_ids"]) == (referral.pk, [referral.pk])
    assert (body["waiting"]["position"], body["waiting"]["status"]) == (1, "active")
    assert body["episode"] is None
    kinds = [event["kind"] for event in body["events"]]
    assert kinds[0] == "referral_received" and kinds[-1] == "waiting"
    assert body["events"][0]["by"]["id"] == personas["planner"].pk
    [entry] = audit_entries(before)
    assert (entry.action, entry.part, entry.client_id) == (
        Action.READ,
        "journey",
        client_noord.pk,
    )


def test_it_shows_the_running_care_in_the_journey(client, personas, client_noord, episode):
    body = Api(client, personas["manager"]).get(f"/clients/{client_noord.pk}/journey").json()

    assert body["episode"]["id"] == episode.pk
    assert body["episode"]["contact_person"]["id"] == personas["nurse_noord"].pk
    assert body["waiting"] is None
    assert [s["state"] for s in body["stops"]][3] == "current"


def test_it_shows_an_empty_journey_for_a_client_without_referrals(client, personas, client_noord):
    body = Api(client, personas["planner"]).get(f"/clients/{client_noord.pk}/journey").json()

    assert (body["referral"], body["waiting"], body["episode"]) == (None, None, None)
    assert body["events"] == [] and body["referral_ids"] == []
    assert {s["state"] for s in body["stops"]} == {"ahead"}


def test_it_hides_another_teams_journey_as_404_with_a_denied_entry(client, personas, client_noord):
    before = last_seq()

    assert (
        Api(client, personas["nurse_zuid"]).get(f"/clients/{client_noord.pk}/journey").status_code
        == 404
    )
    assert [(e.outcome, e.client_id) for e in audit_entries(before)] == [
        (Outcome.DENIED, client_noord.pk)
    ]
    assert Api(client, personas["planner"]).get("/clients/987654/journey").status_code == 404


def test_it_lists_the_referrals_newest_first_in_the_journey(client, personas, client_noord):
    older = _at(Stage.RECEIVED, personas, client_noord, received_days_ago=30)
    newer = _at(Stage.CONTACTED, personas, client_noord, received_days_ago=2)

    body = Api(client, personas["planner"]).get(f"/clients/{client_noord.pk}/journey").json()

    assert body["referral_ids"] == [newer.pk, older.pk]
    assert body["referral"]["stage"] == "contacted"

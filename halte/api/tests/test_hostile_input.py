"""Hostile input through the API: dates and times outside their range, hidden
characters in text, and a body that is not JSON are refused before the database,
each with the API's error shape and a message that says what is allowed."""

import datetime
import json

import pytest
from django.utils import timezone, translation

from halte.api.tests.helpers import Api, error_of
from halte.clients.models import Client
from halte.contact.models import CallEvent, Commitment, Interaction
from halte.contact.telephony import sign
from halte.core.validation import BIDI_CHARACTER, CONTROL_CHARACTER, LINE_BREAK
from halte.journey.models import CareEpisode, Intake, Referral, Stage
from halte.journey.tests.factories import product, referral_at
from halte.outreach.models import Announcement
from halte.outreach.tests.announcement_helpers import announcement

pytestmark = pytest.mark.django_db

YEAR_9999 = "9999-12-31T23:59:59+00:00"
YEAR_1_EAST = "0001-01-01T00:00:00+14:00"  # before year 1 in UTC: no conversion survives it
YEAR_1999 = "1999-12-31T12:00:00+01:00"
MOMENTS = [YEAR_9999, YEAR_1_EAST, YEAR_1999]
IN_THREE_YEARS = (timezone.now() + datetime.timedelta(days=3 * 366)).isoformat()


def _range_error(response, field, *, names_range=True):
    assert response.status_code == 422, response.content[:300]
    error = error_of(response)
    assert error["code"] == "invalid"
    [message] = error["fields"][field]
    if names_range:  # "Enter a date and time from 01-01-2000 00:00 to ..."
        assert "01-01-2000" in message, message
    return message


@pytest.mark.parametrize("moment", [*MOMENTS, "+2026-01-01T00:00:00+00:00"])
def test_a_contact_outside_its_range_is_refused(client, personas, client_noord, moment):
    response = Api(client, personas["front_office"]).post(
        "/interactions",
        {
            "client_id": client_noord.pk,
            "channel": "phone",
            "direction": "in",
            "outcome": "resolved",
            "occurred_at": moment,
        },
    )
    if moment.startswith("+"):  # not a date at all
        assert response.status_code == 422
    else:  # the year 9999 has the older message: not in the future
        _range_error(response, "occurred_at", names_range=moment != YEAR_9999)
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("moment", [YEAR_9999, IN_THREE_YEARS])
def test_a_promise_due_too_far_ahead_is_refused(client, personas, client_noord, moment):
    response = Api(client, personas["front_office"]).post(
        "/commitments",
        {
            "client_id": client_noord.pk,
            "kind": "callback",
            "description": "Terugbellen",
            "owner_user": personas["front_office"].pk,
            "due_at": moment,
        },
    )
    message = _range_error(response, "due_at")
    assert "01-01-2000 00:00" in message
    assert not Commitment.objects.exists()


def test_a_promise_due_within_two_years_is_taken(client, personas, client_noord):
    due = timezone.now() + datetime.timedelta(days=700)
    response = Api(client, personas["front_office"]).post(
        "/commitments",
        {
            "client_id": client_noord.pk,
            "kind": "callback",
            "description": "Terugbellen",
            "owner_user": personas["front_office"].pk,
            "due_at": due.isoformat(),
        },
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("day", ["1899-12-31", "9999-12-31", "0001-01-01"])
def test_a_birth_date_outside_its_range_is_refused(client, personas, client_noord, day):
    response = Api(client, personas["front_office"]).patch(
        f"/clients/{client_noord.pk}", {"date_of_birth": day}
    )
    assert response.status_code == 422
    assert error_of(response)["fields"]["date_of_birth"]
    client_noord.refresh_from_db()
    assert str(client_noord.date_of_birth) != day


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_referral_received_outside_its_range_is_refused(client, personas, client_noord, moment):
    response = Api(client, personas["planner"]).post(
        "/referrals",
        {
            "client_id": client_noord.pk,
            "source": "gp",
            "product": product().code,
            "received_at": moment,
        },
    )
    _range_error(response, "received_at", names_range=moment != YEAR_9999)
    assert not Referral.objects.exists()


@pytest.fixture
def contacted(personas, client_noord):
    return referral_at(
        Stage.CONTACTED,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )


@pytest.mark.parametrize("moment", [YEAR_9999, IN_THREE_YEARS])
def test_an_intake_planned_too_far_ahead_is_refused(client, personas, contacted, moment):
    response = Api(client, personas["planner"]).post(
        f"/referrals/{contacted.pk}/intake",
        {"planned_at": moment, "held_by_id": personas["nurse_noord"].pk},
    )
    _range_error(response, "planned_at")
    assert not Intake.objects.exists()


def test_an_intake_held_in_the_year_1_is_refused(client, personas, client_noord):
    planned = referral_at(
        Stage.INTAKE_PLANNED,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    response = Api(client, personas["nurse_noord"]).post(
        f"/referrals/{planned.pk}/intake/complete",
        {"held_at": YEAR_1_EAST, "outcome": "no_care_needed"},
    )
    assert response.status_code == 422
    assert error_of(response)["fields"]["held_at"]
    assert Intake.objects.get(referral=planned).held_at is None


@pytest.fixture
def waiting(personas, client_noord):
    return referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31"])
def test_care_starting_outside_its_range_is_refused(client, personas, waiting, day):
    response = Api(client, personas["planner"]).post(
        f"/referrals/{waiting.pk}/care-episode",
        {"starts_on": day, "contact_person_id": personas["nurse_noord"].pk},
    )
    assert response.status_code == 422
    assert error_of(response)["fields"]["starts_on"]
    assert not CareEpisode.objects.exists()


def test_an_announcement_scheduled_in_the_year_9999_is_refused(client, personas):
    draft = announcement(personas["planner"])
    response = Api(client, personas["planner"]).post(
        f"/announcements/{draft.pk}/schedule", {"send_at": YEAR_9999}
    )
    _range_error(response, "send_at")
    draft.refresh_from_db()
    assert draft.send_at is None
    assert Announcement.objects.get(pk=draft.pk).status == "draft"


def test_a_call_event_in_the_year_9999_is_refused(client, settings, client_noord):
    settings.TELEPHONY_WEBHOOK_SECRET = "test-telephony-secret-0123456789abcdef"
    body = json.dumps(
        {"call_id": "call-9", "event": "ringing", "caller": "06-12345678", "at": YEAR_9999}
    ).encode()
    response = client.post(
        "/api/v1/telephony/events",
        body,
        content_type="application/json",
        HTTP_X_HALTE_SIGNATURE=sign(body, settings.TELEPHONY_WEBHOOK_SECRET),
    )
    _range_error(response, "at")
    assert not CallEvent.objects.exists()


# Hidden characters


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Jan\x00sen", "Null"),
        ("Jan\x07sen", "control"),
        ("Jan\x1bsen", "control"),
        ("Jan\x85sen", "control"),  # a C1 control: NEXT LINE
        ("Jan\u202esen", "direction"),
        ("Jan\u2066sen", "direction"),
        ("Jan\nsen", "one line"),
        ("Jan\tsen", "one line"),
    ],
)
def test_a_name_with_a_hidden_character_is_refused(client, personas, client_noord, name, message):
    api = Api(client, personas["front_office"])
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = api.patch(f"/clients/{client_noord.pk}", {"family_name": name})

    assert response.status_code == 422
    [text] = error_of(response)["fields"]["family_name"]
    assert message in text
    assert Client.objects.get(pk=client_noord.pk).family_name == "Berg"


def test_line_breaks_and_tabs_are_kept_in_multi_line_text(client, personas, client_noord):
    response = Api(client, personas["front_office"]).post(
        "/interactions",
        {
            "client_id": client_noord.pk,
            "channel": "phone",
            "direction": "in",
            "outcome": "resolved",
            "topic": "Vraag",
            "summary": "Belde over de zorg.\r\n\tKomt morgen terug.",
        },
    )
    assert response.status_code == 201, response.content
    assert Interaction.objects.get().summary == "Belde over de zorg.\r\n\tKomt morgen terug."


def test_a_bidi_override_in_multi_line_text_is_refused(client, personas, client_noord):
    response = Api(client, personas["front_office"]).post(
        "/interactions",
        {
            "client_id": client_noord.pk,
            "channel": "phone",
            "direction": "in",
            "outcome": "resolved",
            "summary": "Betaald: \u202e0001\u202c euro",
        },
    )
    assert response.status_code == 422
    assert error_of(response)["fields"]["summary"]
    assert not Interaction.objects.exists()


def test_the_messages_name_the_position():
    with translation.override("en"):
        assert "(position 4)" in str(CONTROL_CHARACTER % {"position": 4})
        assert "position 2" in str(BIDI_CHARACTER % {"position": 2})
    with translation.override("nl"):
        assert str(LINE_BREAK) == "Houd dit op één regel: geen nieuwe regels of tabs."


# A body that is not JSON


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""],
)
def test_a_body_that_is_not_json_is_refused_with_415(client, personas, client_noord, content_type):
    token = Api(client, personas["front_office"]).token
    response = client.patch(
        f"/api/v1/clients/{client_noord.pk}",
        json.dumps({"family_name": "Anders"}),
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "unsupported_media_type"
    assert Client.objects.get(pk=client_noord.pk).family_name == "Berg"


def test_json_with_a_charset_or_a_json_based_type_is_read(client, personas, client_noord):
    token = Api(client, personas["front_office"]).token
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.patch(
            f"/api/v1/clients/{client_noord.pk}",
            json.dumps({"family_name": "Anders"}),
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, (content_type, response.content)


def test_every_operation_with_a_body_declares_415(client):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    with_body = [op for op in operations if "requestBody" in op]
    assert with_body
    assert [op["operationId"] for op in with_body if "415" not in op["responses"]] == []

"""Hostile input on the pages: each date and time field refuses a value outside its
range with a Dutch message naming the range, and a name with a hidden character
(a control character, a bidirectional override) is refused before the database."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from halte.audit.context import Actor
from halte.clients.models import Client, Preference
from halte.clients.tests.pages import assert_shows
from halte.clients.tests.test_pages_edit import _edit_data
from halte.clients.validation import BIRTH_IN_FUTURE, BIRTH_TOO_EARLY
from halte.contact.models import Commitment
from halte.core import validation
from halte.journey import services
from halte.journey.models import CareEpisode, Intake, Referral, Stage
from halte.journey.tests.factories import product, referral_at

pytestmark = pytest.mark.django_db


def _at(stage, personas, client_obj):
    return referral_at(
        stage, planner=personas["planner"], nurse=personas["nurse_noord"], client=client_obj
    )


def _url(name, pk):
    return reverse(f"journey:{name}", args=[pk])


def _range_message(kind, value) -> str:
    with translation.override("nl"):
        return str(kind.problem(value))


def test_the_messages_are_dutch_and_name_the_range():
    with translation.override("nl"):
        message = str(validation.BIRTH_DATE.problem(datetime.date(1899, 12, 31)))
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert message == f"Vul een datum in van 01-01-1900 tot en met {today}."


def test_a_promise_due_in_the_year_9999_is_refused(client, personas, client_noord):
    client.force_login(personas["front_office"])
    response = client.post(
        reverse("contact:commitment_add", args=[client_noord.pk]),
        {
            "kind": "callback",
            "description": "Terugbellen",
            "relation": "",
            "callback_number": "",
            "owner": "me",
            "colleague": "",
            "team": "",
            "due_at": "31-12-9999 23:59",
        },
    )
    assert_shows(response, _range_message(validation.PLANNED_MOMENT, datetime.datetime.max))
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("received", "message"),
    [
        ("31-12-1999 23:00", validation.MOMENT_OUT_OF_RANGE),
        ("01-01-0001 00:00", validation.MOMENT_OUT_OF_RANGE),
        ("31-12-9999 23:59", services.IN_THE_FUTURE),
    ],
)
def test_a_referral_received_outside_its_range_is_refused(
    client, personas, teams, client_noord, received, message
):
    client.force_login(personas["front_office"])
    response = client.post(
        _url("referral_add", client_noord.pk),
        {
            "source": "gp",
            "referrer": "",
            "product": str(product().pk),
            "team": str(teams["noord"].pk),
            "urgency": "regular",
            "received_at": received,
            "question": "",
            "owner": "",
        },
    )
    assert response.status_code == 200
    if message is validation.MOMENT_OUT_OF_RANGE:
        assert "01-01-2000 00:00" in response.content.decode()
    else:
        assert_shows(response, message)
    assert not Referral.objects.exists()


def test_an_intake_planned_in_the_year_9999_is_refused(client, personas, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    client.force_login(personas["planner"])
    response = client.post(
        _url("intake_plan", referral.pk),
        {
            "version": referral.version,
            "planned_at": "31-12-9999 10:00",
            "held_by": personas["nurse_noord"].pk,
            "mode": "home_visit",
        },
    )
    assert_shows(response, _range_message(validation.PLANNED_MOMENT, datetime.datetime.max))
    assert not Intake.objects.exists()


def test_an_intake_held_before_2000_is_refused(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    client.force_login(personas["nurse_noord"])
    response = client.post(
        _url("intake_record", referral.pk),
        {
            "version": referral.version,
            "held_at": "01-01-1990 10:00",
            "outcome": "no_care_needed",
            "indicated_product": "",
            "hours_per_week": "",
            "summary": "",
            "agreements": "",
        },
    )
    assert "01-01-2000 00:00" in response.content.decode()
    assert Intake.objects.get().held_at is None


@pytest.mark.parametrize("day", ["31-12-9999", "31-12-1999"])
def test_care_starting_outside_its_range_is_refused(client, personas, teams, client_noord, day):
    referral = _at(Stage.WAITING, personas, client_noord)
    client.force_login(personas["planner"])
    response = client.post(
        _url("care_start", referral.pk),
        {
            "version": referral.version,
            "starts_on": day,
            "team": teams["noord"].pk,
            "contact_person": personas["nurse_noord"].pk,
            "hours_per_week": "",
        },
    )
    assert_shows(
        response,
        _range_message(validation.CARE_DAY, datetime.datetime.strptime(day, "%d-%m-%Y").date()),
    )
    assert not CareEpisode.objects.exists()


def test_care_ended_in_the_year_9999_is_refused(client, personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        contact_person=personas["nurse_noord"],
    )
    client.force_login(personas["planner"])
    response = client.post(
        _url("care_end", episode.pk),
        {"version": episode.version, "ended_on": "31-12-9999", "reason": "recovered"},
    )
    assert response.status_code == 200
    assert CareEpisode.objects.get().ended_on is None


@pytest.mark.parametrize(
    ("day", "message"), [("31-12-1899", BIRTH_TOO_EARLY), ("31-12-9999", BIRTH_IN_FUTURE)]
)
def test_a_birth_date_outside_its_range_is_refused(client, personas, client_noord, day, message):
    client.force_login(personas["front_office"])
    url = reverse("clients:edit", args=[client_noord.pk])
    response = client.post(url, _edit_data(client, client_noord, date_of_birth=day))
    assert_shows(response, message)
    assert Client.objects.get(pk=client_noord.pk).date_of_birth != datetime.date(9999, 12, 31)


def test_a_preference_noted_before_2000_is_refused(client, personas, client_noord):
    client.force_login(personas["nurse_noord"])
    response = client.post(
        reverse("clients:preference_add", args=[client_noord.pk]),
        {"kind": "like", "text": "Koffie", "noted_on": "01-01-1990"},
    )
    assert_shows(response, _range_message(validation.PAST_DAY, datetime.date(1990, 1, 1)))
    assert not Preference.objects.exists()


# Hidden characters in names and text


@pytest.mark.parametrize("name", ["Relatie\u202eeivlaM", "Ma\x00rieke", "Ma\x1brieke", "Ma\nrieke"])
def test_a_relation_named_with_a_hidden_character_is_refused(client, personas, client_noord, name):
    client.force_login(personas["front_office"])
    before = client_noord.relations.count()
    response = client.post(
        reverse("clients:relation_add", args=[client_noord.pk]),
        {"name": name, "kind": "child"} | {f"phone_label_{n}": "mobile" for n in (1, 2, 3)},
    )
    assert response.status_code in (200, 422)
    assert "name" in response.context["form"].errors
    assert client_noord.relations.count() == before


def test_a_promise_text_with_a_bidi_override_is_refused_in_dutch(client, personas, client_noord):
    client.force_login(personas["front_office"])
    response = client.post(
        reverse("contact:commitment_add", args=[client_noord.pk]),
        {
            "kind": "callback",
            "description": "Terugbellen over \u202e0001\u202c euro",
            "relation": "",
            "callback_number": "",
            "owner": "me",
            "colleague": "",
            "team": "",
            "due_at": "",
        },
    )
    with translation.override("nl"):
        expected = str(validation.BIDI_CHARACTER % {"position": 18})
    assert_shows(response, expected)
    assert not Commitment.objects.exists()

"""The journey on the client page and the contact card: the journey bar, the waiting
place with its estimate, the care with its fixed contact person and its forms, the
stage in one line for the front office, and the constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from halte.audit.context import Actor
from halte.clients.tests.factories import ClientFactory
from halte.journey import queries, services
from halte.journey.models import CareEpisode, Stage
from halte.journey.templatetags.journey import about, estimate_range, stage_line
from halte.journey.tests.factories import referral_at


def _at(stage, personas, client_obj, **kwargs):
    return referral_at(
        stage,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_obj,
        **kwargs,
    )


def _page(client_obj):
    return reverse("clients:detail", args=[client_obj.pk])


def _card(client_obj):
    return reverse("contact:card", args=[client_obj.pk])


def _bar(content) -> dict[str, str]:
    """stop -> state, as the journey bar shows them."""
    bar = content.split('class="journey-bar"')[1].split("</ol>")[0]
    stops = {}
    for item in bar.split('<li class="stop ')[1:]:
        state = item.split('"')[0]
        stop = item.split('data-stop="')[1].split('"')[0]
        stops[stop] = state
    return stops


def _in_care(personas, client_obj):
    referral = _at(Stage.INTAKE_DONE, personas, client_obj)
    return services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )


@pytest.mark.parametrize(
    ("persona", "new_referral"),
    [
        ("front_office", True),
        ("planner", True),
        ("nurse_noord", True),
        ("team_lead", True),
        ("manager", False),
    ],
)
def test_it_shows_the_journey_and_a_new_referral_to_those_who_may(
    client, personas, client_noord, persona, new_referral
):
    client.force_login(personas[persona])
    content = client.get(_page(client_noord)).content.decode()
    assert 'id="journey"' in content
    add = reverse("journey:referral_add", args=[client_noord.pk])
    assert (add in content) is new_referral


def test_it_shows_the_waiting_place_and_the_bar_at_waiting(client, personas, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    client.force_login(personas["front_office"])
    content = client.get(_page(client_noord)).content.decode()
    assert _bar(content) == {
        "referral": "done",
        "intake": "done",
        "waiting": "current",
        "care": "ahead",
        "end": "ahead",
    }
    assert 'class="position">1<' in content
    assert reverse("journey:referral", args=[referral.pk]) in content
    assert "8 " in content.split('data-stop="intake"')[1].split("</li>")[0]  # 8 days


def test_it_shows_the_care_with_its_contact_person_and_forms_for_planners(
    client, personas, client_noord
):
    episode = _in_care(personas, client_noord)
    client.force_login(personas["planner"])
    content = client.get(_page(client_noord)).content.decode()
    assert _bar(content)["care"] == "current"
    assert _bar(content)["waiting"] == "skipped"
    assert escape(str(personas["nurse_noord"])) in content.split('class="contact-person"')[1]
    assert reverse("journey:care_end", args=[episode.pk]) in content
    assert reverse("journey:contact_person", args=[episode.pk]) in content
    client.force_login(personas["nurse_noord"])
    content = client.get(_page(client_noord)).content.decode()
    assert reverse("journey:care_end", args=[episode.pk]) not in content


def test_it_ends_care_from_the_client_page_and_goes_back_to_it(client, personas, client_noord):
    episode = _in_care(personas, client_noord)
    client.force_login(personas["planner"])
    response = client.post(
        reverse("journey:care_end", args=[episode.pk]),
        {
            "version": episode.version,
            "ended_on": timezone.localdate().strftime("%d-%m-%Y"),
            "reason": "recovered",
            "next": _page(client_noord),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _page(client_noord)
    assert _bar(response.content.decode())["end"] == "done"
    assert CareEpisode.objects.get().ended_on == timezone.localdate()


def test_it_answers_404_to_a_nurse_of_another_team(client, personas, client_noord):
    _at(Stage.WAITING, personas, client_noord)
    client.force_login(personas["nurse_zuid"])
    assert client.get(_page(client_noord)).status_code == 404
    assert client.get(_card(client_noord)).status_code == 404


@pytest.mark.parametrize("persona", ["front_office", "planner"])
def test_it_renders_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries, persona
):
    small, large = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    for client_obj, updates in ((small, 3), (large, 20)):
        entry = _at(Stage.WAITING, personas, client_obj).waiting_entry
        for _ in range(updates):
            entry = services.waiting_update_given(
                actor=Actor(personas["planner"]), entry=entry, channel="phone", summary="Positie"
            )
    client.force_login(personas[persona])
    client.get(_page(small))  # warm the session and the policies
    with django_assert_num_queries(60, exact=False) as few:
        client.get(_page(small))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_page(large))
    assert _bar(response.content.decode())["waiting"] == "current"


# The contact card


def test_it_tells_the_front_office_the_waiting_place_in_one_line(client, personas, client_noord):
    _at(Stage.WAITING, personas, client_noord)
    with translation.override("nl"):
        journey = queries.client_journey(Actor(personas["planner"]), client_noord.pk)
        line = stage_line(journey.tracks[0])
    client.force_login(personas["front_office"])
    content = client.get(_card(client_noord)).content.decode()
    assert escape(line) in content.split('class="stage-line"')[1].split("</p>")[0]
    assert "Wijkverpleging" in line
    assert "1" in line


def test_it_tells_the_card_who_the_contact_person_is_in_care(client, personas, client_noord):
    _in_care(personas, client_noord)
    client.force_login(personas["front_office"])
    content = client.get(_card(client_noord)).content.decode()
    line = content.split('class="stage-line"')[1].split("</p>")[0]
    assert escape(str(personas["nurse_noord"])) in line


def test_care_arranged_for_a_later_day_is_not_said_to_have_begun(client, personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=next_week,
        contact_person=personas["nurse_noord"],
    )
    day = f"{next_week.day} {MONTHS_NL[next_week.month - 1]} {next_week.year}"
    with translation.override("nl"):
        journey = queries.client_journey(Actor(personas["planner"]), client_noord.pk)
        line = stage_line(journey.tracks[0])
    assert line.startswith(f"Zorg start op {day}: ")
    assert "sinds" not in line

    client.force_login(personas["planner"])
    page = client.get(reverse("journey:referral", args=[referral.pk])).content.decode()
    stage = page.split("<dt>Fase</dt>")[1].split("</dd>")[0]
    assert f"de zorg begint op {next_week:%d-%m-%Y}" in stage
    assert "sinds" not in stage


def test_care_that_began_today_is_in_care_since_today(client, personas, client_noord):
    episode = _in_care(personas, client_noord)
    with translation.override("nl"):
        journey = queries.client_journey(Actor(personas["planner"]), client_noord.pk)
        line = stage_line(journey.tracks[0])
    today = episode.starts_on
    assert line.startswith(f"In zorg: Wijkverpleging sinds {today.day} ")
    client.force_login(personas["planner"])
    page = client.get(reverse("journey:referral", args=[episode.referral_id])).content.decode()
    assert "sinds" in page.split("<dt>Fase</dt>")[1].split("</dd>")[0]


MONTHS_NL = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def test_it_shows_no_stage_line_without_a_referral(client, personas, client_noord):
    client.force_login(personas["front_office"])
    assert 'class="stage-line"' not in client.get(_card(client_noord)).content.decode()


def test_it_says_half_of_a_month_for_an_estimate():
    today = datetime.date(2026, 11, 23)
    with translation.override("en"):
        assert about(datetime.date(2027, 1, 15), today) == "mid January 2027"
        assert about(datetime.date(2026, 12, 3), today) == "early December"
        assert about(datetime.date(2026, 12, 28), today) == "late December"
        estimate = queries.Estimate(
            expected=datetime.date(2026, 12, 15),
            earliest=datetime.date(2026, 12, 3),
            latest=datetime.date(2027, 1, 2),
        )
        assert estimate_range(estimate) == (
            f"{about(estimate.expected)} (between December 3 and Jan. 2, 2027)"
        )
    with translation.override("nl"):
        assert estimate_range(estimate) == "half december (tussen 3 december en 2 januari 2027)"

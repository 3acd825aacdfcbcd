"""A referral on the pages: registering one from the client page, who may open it,
the steps offered per stage, each step's happy path and its Dutch error, a stale
form (409, nothing written) and a step that does not fit the stage."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.clients.validation import REQUIRED
from halte.contact.models import Commitment
from halte.journey import services
from halte.journey.models import (
    CareEpisode,
    EventKind,
    Intake,
    JourneyEvent,
    Referral,
    Stage,
    WaitingListEntry,
)
from halte.journey.tests.factories import product, referral_at


def _at(stage, personas, client_obj, **kwargs):
    return referral_at(
        stage,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_obj,
        **kwargs,
    )


def _url(name, pk):
    return reverse(f"journey:{name}", args=[pk])


def _stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")


@pytest.fixture
def planner(client, personas):
    client.force_login(personas["planner"])
    return personas["planner"]


# A new referral


def _new(client_noord, teams, **changes):
    data = {
        "source": "relative",
        "referrer": str(client_noord.relations.get().pk),
        "product": str(product().pk),
        "team": str(teams["noord"].pk),
        "urgency": "regular",
        "received_at": _stamp(timezone.now() - datetime.timedelta(hours=2)),
        "question": "Hulp bij wondzorg",
        "owner": "",
    }
    data.update(changes)
    return data


def test_it_offers_a_new_referral_on_the_client_page(client, personas, client_noord):
    client.force_login(personas["front_office"])
    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert _url("referral_add", client_noord.pk) in content


def test_it_registers_a_referral_and_opens_it(client, personas, teams, client_noord):
    client.force_login(personas["front_office"])
    form = client.get(_url("referral_add", client_noord.pk)).content.decode()
    assert "Marieke de Vries" in form  # the referrer from the client's relations
    before = last_seq()
    response = client.post(_url("referral_add", client_noord.pk), _new(client_noord, teams))
    referral = Referral.objects.get()
    assert response["Location"] == _url("referral", referral.pk)
    assert (referral.source, referral.referrer.name, referral.question) == (
        "relative",
        "Marieke de Vries",
        "Hulp bij wondzorg",
    )
    assert entries_since(before) == [(Action.CREATE, "journey", client_noord.pk, Outcome.SUCCESS)]


def test_it_refuses_a_referral_received_in_the_future_in_dutch(
    client, personas, teams, client_noord
):
    client.force_login(personas["front_office"])
    later = _stamp(timezone.now() + datetime.timedelta(days=2))
    response = client.post(
        _url("referral_add", client_noord.pk), _new(client_noord, teams, received_at=later)
    )
    assert response.status_code == 200
    assert_shows(response, services.IN_THE_FUTURE)
    assert not Referral.objects.exists()


def test_it_refuses_a_referral_without_care(client, personas, teams, client_noord):
    client.force_login(personas["front_office"])
    response = client.post(
        _url("referral_add", client_noord.pk), _new(client_noord, teams, product="")
    )
    assert_shows(response, REQUIRED)
    assert 'id="id_product_error"' in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_office", 200),
        ("planner", 200),
        ("nurse_noord", 200),
        ("team_lead", 200),
        ("manager", 403),
        ("privacy_officer", 403),
        ("nurse_zuid", 404),
    ],
)
def test_it_opens_the_referral_form_to_roles_that_register(
    client, personas, client_noord, persona, status
):
    client.force_login(personas[persona])
    assert client.get(_url("referral_add", client_noord.pk)).status_code == status


# Who may open the referral page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_office", 200),
        ("planner", 200),
        ("nurse_noord", 200),
        ("team_lead", 200),
        ("manager", 200),
        ("nurse_zuid", 404),
        ("privacy_officer", 403),
        ("administrator", 403),
    ],
)
def test_it_opens_the_referral_to_roles_that_see_journeys_in_their_scope(
    client, personas, client_noord, persona, status
):
    referral = _at(Stage.WAITING, personas, client_noord)
    client.force_login(personas[persona])
    before = last_seq()
    response = client.get(_url("referral", referral.pk))
    assert response.status_code == status
    assert ("van den Berg" in response.content.decode()) is (status == 200)
    if status == 404:
        assert entries_since(before) == [(Action.READ, "journey", client_noord.pk, "denied")]
    if status == 200:
        assert entries_since(before) == [(Action.READ, "journey", client_noord.pk, "success")]


def test_it_answers_404_for_a_referral_that_does_not_exist(client, planner):
    assert client.get(_url("referral", 98765)).status_code == 404


def test_it_shows_the_stage_owner_norm_intake_waiting_place_and_events(
    client, personas, planner, client_noord
):
    referral = _at(Stage.WAITING, personas, client_noord)
    content = client.get(_url("referral", referral.pk)).content.decode()
    assert 'data-stop="waiting" aria-current="step"' in content
    assert escape(str(personas["planner"])) in content  # the owner
    assert 'class="position">1<' in content
    entry = referral.waiting_entry
    assert entry.norm_date.strftime("%d-%m-%Y") in content
    assert escape(str(personas["nurse_noord"])) in content  # held the intake
    assert content.count("<li><strong>") >= 6  # the events


@pytest.mark.parametrize(
    ("stage", "steps"),
    [
        (Stage.RECEIVED, {"contacted", "intake_plan", "close", "assign"}),
        (Stage.INTAKE_PLANNED, {"intake_plan", "intake_record", "close", "assign"}),
        (Stage.INTAKE_DONE, {"waiting_place", "care_start", "close", "assign"}),
        (Stage.WAITING, {"care_start", "waiting_change", "waiting_update", "bridging", "close"}),
    ],
)
def test_it_offers_only_the_steps_that_fit_the_stage(
    client, personas, planner, client_noord, stage, steps
):
    referral = _at(stage, personas, client_noord)
    content = client.get(_url("referral", referral.pk)).content.decode()
    every = {
        "contacted",
        "intake_plan",
        "intake_record",
        "waiting_place",
        "care_start",
        "waiting_change",
        "waiting_update",
        "bridging",
        "contact_person",
        "care_end",
        "close",
    }
    shown = {step for step in every if f'id="step-{step}"' in content}
    assert shown == steps - {"assign"}


def test_it_shows_the_front_office_no_steps(client, personas, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    client.force_login(personas["front_office"])
    content = client.get(_url("referral", referral.pk)).content.decode()
    assert 'id="step-' not in content


@pytest.mark.parametrize(
    "name", ["contacted", "intake_plan", "waiting_place", "care_start", "close", "assign"]
)
def test_it_refuses_steps_to_the_front_office(client, personas, client_noord, name):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    client.force_login(personas["front_office"])
    response = client.post(_url(name, referral.pk), {"version": referral.version})
    assert response.status_code == 403
    assert Referral.objects.get().version == referral.version


def test_it_answers_404_to_a_step_on_another_teams_client(client, personas, teams, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    lead = personas["team_lead"]
    lead.teams.set([teams["zuid"]])
    client.force_login(lead)
    response = client.post(_url("contacted", referral.pk), {"version": referral.version})
    assert response.status_code == 404
    assert Referral.objects.get().stage == Stage.RECEIVED


# The steps, each with its happy path and its error


def test_it_assigns_an_owner(client, personas, planner, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    lead = personas["team_lead"]
    response = client.post(
        _url("assign", referral.pk), {"version": referral.version, "owner": lead.pk}
    )
    assert response.status_code == 302
    assert Referral.objects.get().owner == lead


def test_it_refuses_an_owner_who_does_not_plan(client, personas, planner, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    response = client.post(
        _url("assign", referral.pk),
        {"version": referral.version, "owner": personas["nurse_noord"].pk},
    )
    assert response.status_code == 200
    assert 'id="id_assign_owner_error"' in response.content.decode()
    assert Referral.objects.get().owner == personas["planner"]


def test_it_marks_a_referral_contacted(client, personas, planner, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    response = client.post(_url("contacted", referral.pk), {"version": referral.version})
    assert response["Location"] == _url("referral", referral.pk)
    assert Referral.objects.get().stage == Stage.CONTACTED


def test_it_refuses_a_step_that_does_not_fit_the_stage(client, personas, planner, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    response = client.post(_url("contacted", referral.pk), {"version": referral.version})
    assert response.status_code == 409
    assert "kan niet naar" in response.content.decode() or "cannot go to" in (
        response.content.decode()
    )
    assert Referral.objects.get().stage == Stage.INTAKE_DONE


def test_it_refuses_a_stale_form_and_writes_nothing(client, personas, planner, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    services.referral_move(
        actor=Actor(personas["team_lead"]), referral=referral, stage=Stage.CONTACTED
    )
    events = JourneyEvent.objects.count()
    when = _stamp(timezone.now() + datetime.timedelta(days=1))
    response = client.post(
        _url("intake_plan", referral.pk),
        {
            "version": referral.version,
            "planned_at": when,
            "held_by": personas["nurse_noord"].pk,
            "mode": "home_visit",
        },
    )
    assert response.status_code == 409
    assert_shows(response, services.STALE)
    assert not Intake.objects.exists()
    assert JourneyEvent.objects.count() == events
    assert Referral.objects.get().stage == Stage.CONTACTED


def test_it_plans_an_intake_with_a_relative_present(client, personas, planner, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    form = client.get(_url("referral", referral.pk)).content.decode()
    nurse = personas["nurse_noord"]
    assert f'<option value="{nurse.pk}">' in form
    assert f'<option value="{personas["nurse_zuid"].pk}">' not in form  # cannot see the client
    when = timezone.localtime() + datetime.timedelta(days=1)
    relation = client_noord.relations.get()
    response = client.post(
        _url("intake_plan", referral.pk),
        {
            "version": referral.version,
            "planned_at": _stamp(when),
            "held_by": nurse.pk,
            "mode": "phone",
            "relatives_present": [relation.pk],
        },
    )
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert (intake.held_by, intake.mode) == (nurse, "phone")
    assert list(intake.relatives_present.all()) == [relation]
    assert intake.planned_at == when.replace(second=0, microsecond=0)


def _section(page: str, step: str) -> str:
    return page.split(f'id="step-{step}"')[1].split("</section>")[0]


def test_it_names_the_relatives_present_above_their_checkboxes(
    client, personas, planner, client_noord
):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    relation = client_noord.relations.get()
    step = _section(client.get(_url("referral", referral.pk)).content.decode(), "intake_plan")
    # One group with its name as the legend, first, then a box per relative.
    assert step.index("<legend>Aanwezige naasten</legend>") < step.index(escape(relation.name))
    relation.delete()
    step = _section(client.get(_url("referral", referral.pk)).content.decode(), "intake_plan")
    assert "<legend>Aanwezige naasten</legend>" in step
    assert "Geen naasten vastgelegd." in step  # rather than a name above nothing


def test_its_selects_say_what_to_choose_not_dashes(client, personas, planner, client_noord):
    form = client.get(_url("referral_add", client_noord.pk)).content.decode()
    assert '<option value="" selected>Kies de zorg</option>' in form
    referral = _at(Stage.CONTACTED, personas, client_noord)
    page = client.get(_url("referral", referral.pk)).content.decode()
    assert '<option value="" selected>Kies een collega</option>' in _section(page, "intake_plan")
    for content in (form, page):
        assert "---------" not in content


def test_it_refuses_an_intake_without_a_time_in_dutch(client, personas, planner, client_noord):
    referral = _at(Stage.CONTACTED, personas, client_noord)
    response = client.post(
        _url("intake_plan", referral.pk),
        {"version": referral.version, "planned_at": "morgen", "held_by": "", "mode": "phone"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_intake_plan_planned_at_error"' in content
    assert 'id="id_intake_plan_held_by_error"' in content
    assert not Intake.objects.exists()


def _record(referral, **changes):
    data = {
        "version": referral.version,
        "held_at": _stamp(timezone.now() - datetime.timedelta(hours=1)),
        "outcome": "care_needed",
        "indicated_product": product().pk,
        "hours_per_week": "3,5",
        "summary": "Wondzorg nodig",
        "agreements": "Bellen over de starttijd\n\nFolder sturen",
    }
    data.update(changes)
    return data


def test_it_records_the_intake_with_agreements_as_promises(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    nurse = personas["nurse_noord"]
    client.force_login(nurse)
    response = client.post(_url("intake_record", referral.pk), _record(referral))
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert (intake.outcome, str(intake.hours_per_week)) == ("care_needed", "3.5")
    assert sorted(Commitment.objects.values_list("description", flat=True)) == [
        "Bellen over de starttijd",
        "Folder sturen",
    ]
    assert set(Commitment.objects.values_list("owner_user", flat=True)) == {nurse.pk}


def test_it_refuses_care_needed_without_the_indicated_care(client, personas, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    client.force_login(personas["nurse_noord"])
    response = client.post(
        _url("intake_record", referral.pk), _record(referral, indicated_product="")
    )
    assert response.status_code == 200
    assert_shows(response, REQUIRED)
    assert 'id="id_intake_record_indicated_product_error"' in response.content.decode()
    assert not Commitment.objects.exists()
    assert Referral.objects.get().stage == Stage.INTAKE_PLANNED


def test_it_places_the_client_on_the_waiting_list(client, personas, planner, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    response = client.post(
        _url("waiting_place", referral.pk),
        {"version": referral.version, "status": "active", "priority": "1", "bridging_care": ""},
    )
    assert response.status_code == 302
    entry = WaitingListEntry.objects.get()
    assert (entry.status, entry.priority) == ("active", 1)


def test_it_offers_wlz_statuses_and_asks_a_care_office_for_wlz_care(
    client, personas, planner, client_noord
):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord, care=product("verpleeghuiszorg"))
    content = client.get(_url("referral", referral.pk)).content.decode()
    assert 'value="active_placement"' in content
    assert 'value="non_active"' not in content
    response = client.post(
        _url("waiting_place", referral.pk),
        {"version": referral.version, "status": "active_placement", "priority": "2"},
    )
    assert response.status_code == 200
    assert_shows(response, services.CARE_OFFICE_NEEDED)
    assert not WaitingListEntry.objects.exists()


def test_it_starts_care_with_a_fixed_contact_person(client, personas, planner, teams, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    nurse = personas["nurse_noord"]
    response = client.post(
        _url("care_start", referral.pk),
        {
            "version": referral.version,
            "starts_on": timezone.localdate().strftime("%d-%m-%Y"),
            "team": teams["noord"].pk,
            "contact_person": nurse.pk,
            "hours_per_week": "",
        },
    )
    assert response.status_code == 302
    episode = CareEpisode.objects.get()
    assert (episode.contact_person, str(episode.hours_per_week)) == (nurse, "4.5")
    assert WaitingListEntry.objects.get().left_on == timezone.localdate()


def test_it_refuses_a_contact_person_from_another_team(
    client, personas, planner, teams, client_noord
):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    response = client.post(
        _url("care_start", referral.pk),
        {
            "version": referral.version,
            "starts_on": timezone.localdate().strftime("%d-%m-%Y"),
            "team": teams["noord"].pk,
            "contact_person": personas["nurse_zuid"].pk,
        },
    )
    assert response.status_code == 200
    assert_shows(response, services.NOT_IN_TEAM)
    assert not CareEpisode.objects.exists()


def test_it_withdraws_a_referral_with_a_reason(client, personas, planner, client_noord):
    referral = _at(Stage.WAITING, personas, client_noord)
    response = client.post(
        _url("close", referral.pk),
        {"version": referral.version, "stage": "withdrawn", "reason": "Verhuisd naar Zwolle"},
    )
    assert response.status_code == 302
    closed = Referral.objects.get()
    assert (closed.stage, closed.closed_reason) == (Stage.WITHDRAWN, "Verhuisd naar Zwolle")
    assert WaitingListEntry.objects.get().left_reason == "withdrawn"


def test_it_refuses_closing_without_a_reason(client, personas, planner, client_noord):
    referral = _at(Stage.RECEIVED, personas, client_noord)
    response = client.post(
        _url("close", referral.pk), {"version": referral.version, "stage": "declined"}
    )
    assert response.status_code == 200
    assert_shows(response, REQUIRED)
    assert 'id="id_close_reason_error"' in response.content.decode()
    assert Referral.objects.get().stage == Stage.RECEIVED


def test_it_offers_no_decline_once_the_intake_is_planned(client, personas, planner, client_noord):
    referral = _at(Stage.INTAKE_PLANNED, personas, client_noord)
    content = client.get(_url("referral", referral.pk)).content.decode()
    assert 'value="withdrawn"' in content
    assert 'value="declined"' not in content


# Care: change of contact person and end


@pytest.fixture
def in_care(personas, client_noord):
    referral = _at(Stage.INTAKE_DONE, personas, client_noord)
    return services.care_start(
        actor=Actor(personas["planner"]),
        referral=referral,
        starts_on=timezone.localdate() - datetime.timedelta(days=3),
        contact_person=personas["nurse_noord"],
    )


def test_it_changes_the_fixed_contact_person(client, personas, planner, teams, in_care):
    other = type(personas["nurse_noord"]).objects.create(
        username="nurse2", first_name="Ria", last_name="Kok", role="care_professional"
    )
    other.teams.set([teams["noord"]])
    response = client.post(
        _url("contact_person", in_care.pk), {"version": in_care.version, "contact_person": other.pk}
    )
    assert response.status_code == 302
    assert CareEpisode.objects.get().contact_person == other


def test_it_refuses_the_same_contact_person(client, personas, planner, in_care):
    response = client.post(
        _url("contact_person", in_care.pk),
        {"version": in_care.version, "contact_person": personas["nurse_noord"].pk},
    )
    assert response.status_code == 200
    assert_shows(response, services.NOTHING_CHANGED)


def test_it_ends_care(client, personas, planner, in_care):
    response = client.post(
        _url("care_end", in_care.pk),
        {
            "version": in_care.version,
            "ended_on": timezone.localdate().strftime("%d-%m-%Y"),
            "reason": "recovered",
        },
    )
    assert response.status_code == 302
    assert CareEpisode.objects.get().ended_on == timezone.localdate()
    assert JourneyEvent.objects.filter(kind=EventKind.CARE_ENDED).exists()


def test_it_refuses_ending_care_before_it_started(client, personas, planner, in_care):
    response = client.post(
        _url("care_end", in_care.pk),
        {
            "version": in_care.version,
            "ended_on": (timezone.localdate() - datetime.timedelta(days=9)).strftime("%d-%m-%Y"),
            "reason": "recovered",
        },
    )
    assert response.status_code == 200
    assert_shows(response, services.END_BEFORE_START)
    assert CareEpisode.objects.get().ended_on is None


def test_it_refuses_ending_care_twice(client, personas, planner, in_care):
    services.care_end(
        actor=Actor(personas["planner"]),
        episode=in_care,
        ended_on=timezone.localdate(),
        reason="moved",
    )
    response = client.post(
        _url("care_end", in_care.pk),
        {
            "version": in_care.version + 1,
            "ended_on": timezone.localdate().strftime("%d-%m-%Y"),
            "reason": "recovered",
        },
    )
    assert response.status_code == 409
    assert_shows(response, services.ALREADY_ENDED)
    assert CareEpisode.objects.get().end_reason == "moved"

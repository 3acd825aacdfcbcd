"""The work queues: who may open them, what each queue holds, taking a referral on,
the links from the workplace and the escalations, the planner's start page, audit
entries and a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq, looks_since
from halte.journey import services, views
from halte.journey.models import Referral, Stage, WaitingListEntry
from halte.journey.tests.factories import product, referral_at

QUEUES = reverse("journey:queues")


def _unowned(client_obj, by, **kwargs):
    return services.referral_register(
        actor=Actor(by), client=client_obj, source="gp", product=product(), **kwargs
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_office", 200),
        ("planner", 200),
        ("nurse_noord", 200),
        ("team_lead", 200),
        ("manager", 200),
        ("privacy_officer", 403),
        ("administrator", 403),
    ],
)
def test_it_opens_the_queues_to_roles_that_see_journeys(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(QUEUES).status_code == status


def test_it_sends_anonymous_visitors_to_the_login(client, db):
    response = client.get(QUEUES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_it_sends_the_planner_from_the_start_page_to_the_queues(client, personas):
    client.force_login(personas["planner"])
    assert client.get("/")["Location"] == QUEUES


@pytest.mark.parametrize(
    ("persona", "linked"),
    [
        ("front_office", True),
        ("planner", True),
        ("nurse_noord", True),
        ("team_lead", True),
        ("manager", True),
        ("privacy_officer", False),
    ],
)
def test_it_links_the_queues_in_the_nav(client, personas, persona, linked):
    client.force_login(personas[persona])
    content = client.get("/", follow=True).content.decode()
    assert (f'href="{QUEUES}"' in content) is linked


def test_it_lists_a_new_referral_without_owner_with_a_take_on_button(
    client, personas, client_noord
):
    referral = _unowned(client_noord, personas["front_office"])
    client.force_login(personas["planner"])
    content = client.get(QUEUES).content.decode()
    unowned = content.split('id="unowned"')[1].split("</section>")[0]
    assert "Hendrika van den Berg" in unowned
    assert reverse("clients:detail", args=[client_noord.pk]) in unowned
    assert reverse("journey:take_on", args=[referral.pk]) in unowned


def test_it_shows_no_take_on_button_to_the_front_office(client, personas, client_noord):
    referral = _unowned(client_noord, personas["front_office"])
    client.force_login(personas["front_office"])
    content = client.get(QUEUES).content.decode()
    assert "Hendrika van den Berg" in content
    assert reverse("journey:take_on", args=[referral.pk]) not in content


def test_it_takes_a_referral_on_and_opens_it(client, personas, client_noord):
    referral = _unowned(client_noord, personas["front_office"])
    client.force_login(personas["planner"])
    response = client.post(
        reverse("journey:take_on", args=[referral.pk]), {"version": referral.version}
    )
    assert response["Location"] == reverse("journey:referral", args=[referral.pk])
    assert Referral.objects.get().owner == personas["planner"]


def test_it_refuses_a_stale_take_on_and_writes_nothing(client, personas, client_noord):
    referral = _unowned(client_noord, personas["front_office"])
    services.referral_assign(
        actor=Actor(personas["team_lead"]),
        referral=referral,
        owner=personas["team_lead"],
    )
    client.force_login(personas["planner"])
    before = last_seq()
    response = client.post(
        reverse("journey:take_on", args=[referral.pk]), {"version": referral.version}
    )
    assert response.status_code == 409
    assert_shows(response, services.STALE)
    assert Referral.objects.get().owner == personas["team_lead"]
    assert [e[0] for e in entries_since(before)] == [Action.READ]  # the page shown again


def test_it_refuses_taking_on_to_the_front_office(client, personas, client_noord):
    referral = _unowned(client_noord, personas["front_office"])
    client.force_login(personas["front_office"])
    response = client.post(reverse("journey:take_on", args=[referral.pk]), {"version": 1})
    assert response.status_code == 403
    assert Referral.objects.get().owner is None


def test_it_highlights_referrals_over_their_norm(client, personas, client_noord):
    referral = _unowned(client_noord, personas["front_office"], owner=personas["planner"])
    Referral.objects.filter(pk=referral.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(personas["planner"])
    content = client.get(QUEUES).content.decode()
    over_norm = content.split('id="over_norm"')[1].split("</section>")[0]
    assert '<tr class="overdue">' in over_norm
    assert "Hendrika van den Berg" in over_norm


def test_it_lists_intakes_to_plan_waiting_clients_and_care_starting(
    client, personas, teams, client_noord
):
    planner, nurse = personas["planner"], personas["nurse_noord"]
    contacted = ClientFactory(team=teams["noord"], given_names="Cor", family_name="Contact")
    referral_at(Stage.CONTACTED, planner=planner, nurse=nurse, client=contacted)
    waiting = ClientFactory(team=teams["noord"], given_names="Wim", family_name="Wacht")
    entry = referral_at(Stage.WAITING, planner=planner, nurse=nurse, client=waiting).waiting_entry
    WaitingListEntry.objects.filter(pk=entry.pk).update(
        next_update_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    starting = ClientFactory(team=teams["noord"], given_names="Sam", family_name="Start")
    referral = referral_at(Stage.INTAKE_DONE, planner=planner, nurse=nurse, client=starting)
    services.care_start(
        actor=Actor(planner),
        referral=referral,
        starts_on=timezone.localdate(),
        contact_person=nurse,
    )
    client.force_login(planner)
    content = client.get(QUEUES).content.decode()

    def section(name):
        return content.split(f'id="{name}"')[1].split("</section>")[0]

    assert "Cor Contact" in section("intakes")
    assert "Wim Wacht" in section("waiting")
    assert '<tr class="expiring">' in section("waiting")
    assert "Sam Start" in section("starting")
    assert escape(str(nurse)) in section("starting")


def test_it_shows_a_nurse_only_her_own_teams_referrals(client, personas, teams, client_noord):
    _unowned(client_noord, personas["front_office"])
    client.force_login(personas["nurse_zuid"])
    content = client.get(QUEUES).content.decode()
    assert "van den Berg" not in content


def test_one_look_at_the_queues_is_one_entry_naming_the_clients_shown(
    client, personas, teams, client_noord
):
    others = [ClientFactory(team=teams["noord"]) for _ in range(2)]
    for shown in (client_noord, *others):
        _unowned(shown, personas["front_office"])
    client.force_login(personas["planner"])
    before = last_seq()
    client.get(QUEUES)
    shown = sorted([client_noord.pk, *(other.pk for other in others)])
    assert looks_since(before) == [(Action.READ, "journey_queues", shown, Outcome.SUCCESS)]


def test_it_pages_a_long_queue(client, personas, teams):
    for _ in range(views.QUEUE_PAGE_SIZE + 3):
        _unowned(ClientFactory(team=teams["noord"]), personas["front_office"])
    client.force_login(personas["planner"])
    first = client.get(QUEUES).content.decode().split('id="unowned"')[1].split("</section>")[0]
    assert first.count('<td class="client"') == views.QUEUE_PAGE_SIZE
    assert "?unowned=2#unowned" in first
    second = client.get(QUEUES, {"unowned": 2}).content.decode()
    second = second.split('id="unowned"')[1].split("</section>")[0]
    assert second.count('<td class="client"') == 3


def test_it_renders_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    planner, nurse = personas["planner"], personas["nurse_noord"]

    def add(n):
        """n in each queue."""
        for _ in range(n):
            unowned = _unowned(ClientFactory(team=teams["noord"]), personas["front_office"])
            Referral.objects.filter(pk=unowned.pk).update(
                due_at=timezone.now() - datetime.timedelta(hours=1)
            )
            referral_at(Stage.CONTACTED, planner=planner, nurse=nurse, client=_noord())
            entry = referral_at(
                Stage.WAITING, planner=planner, nurse=nurse, client=_noord()
            ).waiting_entry
            WaitingListEntry.objects.filter(pk=entry.pk).update(
                next_update_due=timezone.localdate()
            )
            starting = referral_at(Stage.INTAKE_DONE, planner=planner, nurse=nurse, client=_noord())
            services.care_start(
                actor=Actor(planner),
                referral=starting,
                starts_on=timezone.localdate(),
                contact_person=nurse,
            )

    def _noord():
        return ClientFactory(team=teams["noord"])

    add(3)
    client.force_login(planner)
    client.get(QUEUES)  # warm the session and the policies
    with django_assert_num_queries(40, exact=False) as few:
        client.get(QUEUES)
    add(views.QUEUE_PAGE_SIZE)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(QUEUES)
    assert response.content.decode().count('<td class="client"') == views.QUEUE_PAGE_SIZE * 5


def test_it_shows_a_referral_in_full_once_and_names_it_in_later_queues(
    client, personas, client_noord
):
    referral = _unowned(client_noord, personas["front_office"])
    Referral.objects.filter(pk=referral.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(personas["planner"])
    content = client.get(QUEUES).content.decode()

    def section(name):
        return content.split(f'id="{name}"')[1].split("</section>")[0]

    assert reverse("journey:take_on", args=[referral.pk]) in section("unowned")
    over_norm = section("over_norm")
    assert '<tr class="elsewhere">' in over_norm and 'href="#unowned"' in over_norm
    assert reverse("journey:take_on", args=[referral.pk]) not in over_norm
    assert "Hendrika van den Berg" in over_norm


def test_it_shows_the_preferred_name_beside_the_official_one(client, personas, teams):
    riet = ClientFactory(
        team=teams["noord"],
        given_names="Johannes",
        preferred_name="Janus",
        name_prefix="van 't",
        family_name="Riet",
    )
    _unowned(riet, personas["front_office"])
    client.force_login(personas["planner"])
    content = client.get(QUEUES).content.decode()
    assert escape("Johannes (Janus) van 't Riet") in content


def test_it_opens_the_referral_queues_with_work_and_folds_the_rest(
    client, personas, teams, client_noord
):
    _unowned(client_noord, personas["front_office"])
    entry = referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=ClientFactory(team=teams["noord"]),
    ).waiting_entry
    WaitingListEntry.objects.filter(pk=entry.pk).update(next_update_due=timezone.localdate())
    client.force_login(personas["planner"])

    def summaries(**params):
        content = client.get(QUEUES, params).content.decode()
        return {
            name: content.split(f'id="{name}"')[1].split("</summary>")[0]
            for name in ("unowned", "over_norm", "intakes", "waiting", "starting")
        }

    shown = summaries()
    assert "<details open>" in shown["unowned"]
    assert "<details>" in shown["over_norm"]
    assert '<span class="count">0</span>' in shown["over_norm"]
    assert "<details>" in shown["waiting"] and '<span class="count">1</span>' in shown["waiting"]
    assert "<details open>" in summaries(waiting=1)["waiting"]


# The links from the workplace and the escalations


def test_it_links_the_workplace_to_new_referrals_without_owner_with_the_count(
    client, personas, teams, client_noord
):
    for _ in range(3):
        _unowned(ClientFactory(team=teams["noord"]), personas["front_office"])
    client.force_login(personas["front_office"])
    content = client.get(reverse("contact:workplace")).content.decode()
    assert f'href="{QUEUES}#unowned"' in content
    assert "(3)" in content


def test_it_links_the_escalations_to_referrals_over_their_norm_with_the_count(
    client, personas, client_noord
):
    referral = _unowned(client_noord, personas["front_office"])
    Referral.objects.filter(pk=referral.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(personas["team_lead"])
    content = client.get(reverse("contact:escalations")).content.decode()
    assert f'href="{QUEUES}#over_norm"' in content
    assert "(1)" in content


def test_it_links_its_queues_from_the_workplace_and_the_escalations(client, personas, client_noord):
    _unowned(client_noord, personas["front_office"])
    client.force_login(personas["team_lead"])
    workplace = client.get(reverse("contact:workplace")).content.decode()
    assert f'<a href="{QUEUES}#unowned">Nieuwe aanmeldingen zonder eigenaar (1)</a>' in workplace
    escalations = client.get(reverse("contact:escalations")).content.decode()
    assert f'<a href="{QUEUES}#over_norm">Aanmeldingen over de norm (0)</a>' in escalations

"""One journey per care question: a client in care for one thing and waiting for
another has a bar for each, a header status that names both, on the client page, the
contact card and the API, in a number of queries that does not grow with them."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from halte.api.tests.helpers import Api
from halte.audit.context import Actor
from halte.clients.models import ClientStatus
from halte.clients.tests.factories import ClientFactory
from halte.journey import queries, services
from halte.journey.models import CareEpisode, Stage, WaitingListEntry
from halte.journey.tests.factories import product, referral_at

pytestmark = pytest.mark.django_db


def _at(stage, personas, client_obj, code="wijkverpleging", **kwargs):
    return referral_at(
        stage,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_obj,
        care=product(code),
        **kwargs,
    )


def _care_without_referral(personas, client_obj, code="wijkverpleging", **fields):
    """Care from before Halte kept the journey: an episode without its referral."""
    client_obj.status = ClientStatus.IN_CARE
    client_obj.save(update_fields=["status"])
    return CareEpisode.objects.create(
        client=client_obj,
        product=product(code),
        team=client_obj.team,
        contact_person=personas["nurse_noord"],
        starts_on=timezone.localdate() - datetime.timedelta(days=900),
        **fields,
    )


@pytest.fixture
def kees(personas, teams):
    """In care for wijkverpleging (no referral recorded), waiting for dagbesteding."""
    kees = ClientFactory(team=teams["noord"], given_names="Kees", family_name="Bakker")
    _care_without_referral(personas, kees)
    _at(Stage.WAITING, personas, kees, code="dagbesteding")
    return kees


def _text(markup: str) -> str:
    """The text a reader sees: no tags, entities decoded (a van 't Hof is escaped)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip())


def _header_status(content: str) -> str:
    return _text(content.split('class="status journey-status">')[1].split("</span>")[0])


def _open_part(content: str) -> str:
    """The journey section before the folded closed journeys."""
    section = content.split('id="journey"')[1].split("</section>")[0]
    return section.split('class="closed-tracks"')[0]


def test_it_shows_a_bar_for_each_open_journey(client, personas, kees):
    client.force_login(personas["front_office"])
    content = client.get(reverse("clients:detail", args=[kees.pk])).content.decode()
    open_part = _open_part(content)
    assert open_part.count('class="journey-bar"') == 2
    wijk, dag = open_part.split('class="track ')[1:]
    assert wijk.startswith("care") and "Wijkverpleging" in wijk
    assert 'data-stop="care" aria-current="step"' in wijk.replace('class="stop current" ', "")
    assert dag.startswith("waiting") and "Dagbesteding" in dag
    assert 'class="position">1<' in dag


def test_it_says_both_journeys_in_the_header_in_dutch(client, personas, kees):
    client.force_login(personas["front_office"])
    with translation.override("nl"):
        page = client.get(reverse("clients:detail", args=[kees.pk]), HTTP_ACCEPT_LANGUAGE="nl")
        card = client.get(reverse("contact:card", args=[kees.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    expected = "In zorg: Wijkverpleging · Wacht op: Dagbesteding"
    assert _header_status(page.content.decode()) == expected
    assert _header_status(card.content.decode()) == expected


def test_it_tells_the_card_a_line_per_open_journey(client, personas, kees):
    client.force_login(personas["front_office"])
    content = client.get(reverse("contact:card", args=[kees.pk])).content.decode()
    lines = [_text(part.split("</p>")[0]) for part in content.split('class="stage-line"')[1:]]
    assert len(lines) == 2
    assert "Wijkverpleging" in lines[0] and str(personas["nurse_noord"]) in lines[0]
    assert "Dagbesteding" in lines[1] and "1" in lines[1]


def test_it_folds_the_closed_journeys(client, personas, client_noord):
    withdrawn = _at(Stage.RECEIVED, personas, client_noord, code="huishoudelijke-hulp")
    services.referral_move(
        actor=Actor(personas["planner"]),
        referral=withdrawn,
        stage=Stage.WITHDRAWN,
        reason="Dochter regelt het zelf",
    )
    _at(Stage.CONTACTED, personas, client_noord)
    client.force_login(personas["planner"])
    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert _open_part(content).count('class="journey-bar"') == 1
    folded = content.split('class="closed-tracks"')[1].split("</details>")[0]
    assert "Huishoudelijke hulp" in folded and 'class="journey-bar"' in folded
    assert reverse("journey:referral", args=[withdrawn.pk]) in folded


def test_it_shows_the_client_status_without_an_open_journey(client, personas, client_noord):
    _care_without_referral(
        personas, client_noord, ended_on=timezone.localdate(), end_reason="recovered"
    )
    client_noord.status = ClientStatus.ENDED
    client_noord.save(update_fields=["status"])
    client.force_login(personas["front_office"])
    with translation.override("nl"):
        content = client.get(
            reverse("clients:detail", args=[client_noord.pk]), HTTP_ACCEPT_LANGUAGE="nl"
        ).content.decode()
    assert _header_status(content) == "Zorg beëindigd"


def test_it_offers_the_care_forms_per_running_care(client, personas, kees, client_noord):
    second = _at(Stage.INTAKE_DONE, personas, kees, code="huishoudelijke-hulp")
    episode = services.care_start(
        actor=Actor(personas["planner"]),
        referral=second,
        starts_on=timezone.localdate(),
        contact_person=personas["nurse_noord"],
    )
    client.force_login(personas["planner"])
    content = client.get(reverse("clients:detail", args=[kees.pk])).content.decode()
    for running in CareEpisode.objects.filter(client=kees):
        assert reverse("journey:care_end", args=[running.pk]) in content
        assert f'id="id_contact_person_{running.pk}_contact_person"' in content
    nurse_option = f'<option value="{personas["nurse_noord"].pk}">'
    assert content.count(nurse_option) == 2
    assert episode.pk in {e.pk for e in CareEpisode.objects.filter(client=kees)}


def test_it_gives_every_journey_and_the_status_in_the_api(client, personas, kees):
    body = Api(client, personas["manager"]).get(f"/clients/{kees.pk}/journey").json()

    assert [(j["product"], j["phase"], j["open"]) for j in body["journeys"]] == [
        ("wijkverpleging", "care", True),
        ("dagbesteding", "waiting", True),
    ]
    care, waiting = body["journeys"]
    assert care["referral_id"] is None and care["episode"]["product"] == "wijkverpleging"
    assert [s["state"] for s in care["stops"]] == [
        "unrecorded",
        "unrecorded",
        "unrecorded",
        "current",
        "ahead",
    ]
    assert waiting["waiting"]["position"] == 1 and waiting["stage"] == "waiting"
    assert "Dagbesteding" in waiting["summary"]
    assert body["status"] in (
        "In zorg: Wijkverpleging · Wacht op: Dagbesteding",
        "In care: Wijkverpleging · Waiting for: Dagbesteding",
    )
    assert body["episode"]["product"] == "wijkverpleging"


def test_it_places_every_entry_as_the_one_entry_query_does(personas, teams):
    """The positions read for all of a client's entries at once agree with the
    per-entry count the referral page uses."""
    clients = [ClientFactory(team=teams["noord"]) for _ in range(4)]
    for index, client_obj in enumerate(clients):
        _at(Stage.WAITING, personas, client_obj, received_days_ago=20 - index)
    last = WaitingListEntry.objects.get(client=clients[-1])
    services.waiting_entry_change(
        actor=Actor(personas["planner"]), entry=last, priority=1, reason="Mantelzorger ziek"
    )
    today, weeks = timezone.localdate(), 12
    for entry in queries.with_place(WaitingListEntry.objects.all(), today, weeks):
        assert queries.placed_row(entry, today, weeks).position == (
            queries.waiting_row(entry, today).position
        )
    assert queries.client_journey(Actor(personas["planner"]), clients[-1].pk).waiting.position == 1


def _journeys_of(personas, client_obj, count: int) -> None:
    """`count` open journeys in every phase, and as many closed ones."""
    codes = ["wijkverpleging", "dagbesteding", "huishoudelijke-hulp", "ggz-begeleiding"]
    for index in range(count):
        code = codes[index % len(codes)]
        stage = [Stage.WAITING, Stage.CONTACTED, Stage.INTAKE_PLANNED][index % 3]
        _at(stage, personas, client_obj, code=code)
        _care_without_referral(personas, client_obj, code=code)
        closed = _at(Stage.RECEIVED, personas, client_obj, code=code)
        services.referral_move(
            actor=Actor(personas["planner"]), referral=closed, stage=Stage.DECLINED, reason="Nee"
        )


@pytest.mark.parametrize("persona", ["front_office", "planner"])
@pytest.mark.parametrize("page", ["clients:detail", "contact:card"])
def test_it_renders_many_journeys_in_as_many_queries_as_one(
    client, personas, teams, django_assert_num_queries, persona, page
):
    one, many = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    _journeys_of(personas, one, 1)
    _journeys_of(personas, many, 5)
    client.force_login(personas[persona])
    client.get(reverse(page, args=[one.pk]))  # warm the session and the policies
    with django_assert_num_queries(60, exact=False) as few:
        client.get(reverse(page, args=[one.pk]))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse(page, args=[many.pk]))
    assert response.content.decode().count('class="stage-line"') >= 10


def test_it_answers_the_journeys_in_as_many_queries_as_one(
    client, personas, teams, django_assert_num_queries
):
    one, many = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    _journeys_of(personas, one, 1)
    _journeys_of(personas, many, 5)
    api = Api(client, personas["planner"])
    api.get(f"/clients/{one.pk}/journey")
    with django_assert_num_queries(60, exact=False) as few:
        api.get(f"/clients/{one.pk}/journey")
    with django_assert_num_queries(len(few.captured_queries)):
        body = api.get(f"/clients/{many.pk}/journey").json()
    assert len(body["journeys"]) == 15


def test_it_puts_its_steps_on_the_clients_timeline_page(client, personas, client_noord):
    _at(Stage.CONTACTED, personas, client_noord)
    client.force_login(personas["front_office"])
    url = reverse("contact:timeline", args=[client_noord.pk])
    content = client.get(url, headers={"HX-Request": "true"}).content.decode()
    steps = [_text(part.split("</li>")[0]) for part in content.split('class="journey-step"')[1:]]
    assert len(steps) == 3
    assert steps[0].startswith("> Eerste contact over de aanmelding")

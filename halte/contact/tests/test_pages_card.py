"""The agent's client card: everything for the first ten seconds, the caller's
authorisations when opened from a call, writing up the call, roles, audit, queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.extensions import ClientSection
from halte.clients.models import Client, ClientStatus
from halte.clients.tests.factories import (
    ClientFactory,
    PhoneFactory,
    PreferenceFactory,
    RelationFactory,
)
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.contact.extensions import CARD_SECTIONS
from halte.contact.models import Channel, Interaction, InteractionStatus
from halte.contact.services import ALREADY_COMPLETED, call_event_register, interaction_log
from halte.contact.tests.pages import make_promise, relative_of


def _url(client_obj, **params):
    url = reverse("contact:card", args=[client_obj.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture
def hendrika(client_noord, personas):
    client_noord.salutation = "mrs"
    client_noord.preferred_name = "Riek"
    client_noord.address_form = "je"
    client_noord.language, client_noord.interpreter_needed = "tr", True
    client_noord.hard_of_hearing = True
    client_noord.what_matters = "Elke ochtend de krant lezen bij het raam."
    client_noord.primary_contact = personas["nurse_noord"]
    client_noord.save()
    PreferenceFactory(client=client_noord, kind="like", text="Koffie om tien uur")
    PreferenceFactory(client=client_noord, kind="dislike", text="Thee met suiker")
    return client_noord


@pytest.fixture
def call(hendrika, personas):
    personas["front_office"].phone_extension = "201"
    personas["front_office"].save()
    return call_event_register(
        call_id="call-1",
        event="ringing",
        caller="06 87654321",
        agent_extension="201",
        at=timezone.now(),
    ).interaction


def test_it_shows_what_the_agent_needs_first(client, personas, hendrika):
    client.force_login(personas["front_office"])
    response = client.get(_url(hendrika))
    content = response.content.decode()
    assert response.status_code == 200
    assert "mevrouw Van den Berg" in content  # how to address her
    assert "Riek" in content
    assert "Informeel (je)" in content or "je)" in content
    assert f"{hendrika.age()} jaar" in content
    assert "Turks" in content
    assert "Elke ochtend de krant lezen" in content
    assert "Koffie om tien uur" in content
    assert "Thee met suiker" in content
    assert "Wijkteam Noord" in content
    assert escape(str(personas["nurse_noord"])) in content  # the fixed contact person
    assert 'class="flag"' in content  # hard of hearing, interpreter


def test_it_shows_a_deceased_client_once_without_age_callback_or_promise(
    client, personas, hendrika
):
    Client.objects.filter(pk=hendrika.pk).update(status=ClientStatus.DECEASED)
    client.force_login(personas["front_office"])
    content = client.get(_url(hendrika)).content.decode()
    assert content.count("Overleden") == 1
    assert 'class="status deceased journey-status"' in content
    assert "jaar" not in content  # no age
    assert hendrika.date_of_birth.strftime("%d-%m-%Y") in content
    assert reverse("contact:commitment_add", args=[hendrika.pk]) not in content
    assert 'href="tel:+31612345678"' not in content  # no call to her own number
    assert 'href="tel:+31687654321"' in content  # her daughter can still be called


ACTIONS = {
    "promise": "contact:commitment_add",
    "contact": "contact:interaction_add",
    "referral": "journey:referral_add",
    "page": "clients:detail",
    "edit": "clients:edit",
}


@pytest.mark.parametrize("persona", ["front_office", "planner", "nurse_noord", "team_lead"])
def test_it_offers_every_action_the_role_allows(client, personas, hendrika, persona):
    client.force_login(personas[persona])
    content = client.get(_url(hendrika)).content.decode()
    start = content.index('class="actions client-actions"')
    actions = content[start : content.index("</div>", start)]
    for name, url in ACTIONS.items():
        assert reverse(url, args=[hendrika.pk]) in actions, name
        assert client.get(reverse(url, args=[hendrika.pk])).status_code == 200, name


def test_it_shows_every_relation_with_what_they_may_do(client, personas, hendrika):
    hendrika.relations.update(may_receive_information=False, may_act_on_behalf=False)
    client.force_login(personas["front_office"])
    content = client.get(_url(hendrika)).content.decode()
    assert '<li class="not-allowed">mag geen informatie ontvangen</li>' in content
    assert ">06 87 65 43 21</a>" in content


def test_it_shows_open_promises_overdue_first_and_the_last_ten_contacts(client, personas, hendrika):
    lead = personas["team_lead"]
    make_promise(hendrika, lead, due_in=datetime.timedelta(days=2), owner_user=lead, text="Later")
    make_promise(hendrika, lead, due_in=datetime.timedelta(hours=-1), owner_user=lead, text="Laat")
    actor = Actor(personas["nurse_noord"])
    for n in range(12):
        interaction_log(
            actor=actor,
            client=hendrika,
            channel=[Channel.EMAIL, Channel.PHONE, Channel.LETTER][n % 3],
            direction="in",
            topic=f"Onderwerp {n:02d}",
            outcome="resolved",
            occurred_at=timezone.now() - datetime.timedelta(hours=12 - n),
        )
    client.force_login(personas["front_office"])
    content = client.get(_url(hendrika)).content.decode()
    assert content.index("Laat") < content.index("Later")
    assert '<li class="overdue">' in content
    assert "Onderwerp 11" in content
    assert "Onderwerp 02" in content
    assert "Onderwerp 01" not in content  # only the last ten
    assert content.index("Onderwerp 11") < content.index("Onderwerp 02")


def test_it_shows_the_calling_relative_and_their_authorisations(client, personas, hendrika, call):
    relation = hendrika.relations.get()
    client.force_login(personas["front_office"])
    content = client.get(_url(hendrika, gesprek=call.pk, naaste=relation.pk)).content.decode()
    assert relative_of(hendrika, relation) in content
    assert 'class="allowed"' in content  # may receive information
    assert 'class="not-allowed"' in content  # may not act on behalf
    assert reverse("contact:call_complete", args=[hendrika.pk, call.pk]) in content
    promise_url = reverse("contact:commitment_add", args=[hendrika.pk])
    # The promise remembers the call and who made the request.
    assert f"{promise_url}?gesprek={call.pk}&amp;naaste={relation.pk}" in content


def test_it_warns_when_a_relative_may_not_receive_information(client, personas, hendrika, call):
    hendrika.relations.update(may_receive_information=False)
    client.force_login(personas["front_office"])
    content = client.get(_url(hendrika, gesprek=call.pk)).content.decode()
    assert '<li class="not-allowed">' in content
    assert '<li class="allowed">' not in content


def test_it_ignores_a_call_id_that_is_not_a_number(client, personas, hendrika):
    client.force_login(personas["front_office"])
    assert client.get(_url(hendrika, gesprek="abc", naaste="x")).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("front_office", 200),
        ("planner", 200),
        ("nurse_noord", 200),
        ("team_lead", 200),
        ("nurse_zuid", 404),
        ("manager", 403),
        ("privacy_officer", 403),
        ("administrator", 403),
    ],
)
def test_it_opens_the_card_to_those_who_may_see_the_client(
    client, personas, hendrika, persona, status
):
    client.force_login(personas[persona])
    response = client.get(_url(hendrika))
    assert response.status_code == status
    assert ("van den Berg" in response.content.decode()) is (status == 200)


def test_it_logs_the_card_read(client, personas, hendrika):
    client.force_login(personas["front_office"])
    before = last_seq()
    client.get(_url(hendrika))
    assert entries_since(before) == [
        (Action.READ, "card", hendrika.pk, Outcome.SUCCESS),
        (Action.READ, "journey", hendrika.pk, Outcome.SUCCESS),  # the stage line
    ]


def test_it_logs_a_denied_read_for_another_team(client, personas, hendrika):
    client.force_login(personas["nurse_zuid"])
    before = last_seq()
    client.get(_url(hendrika))
    assert entries_since(before) == [(Action.READ, "card", hendrika.pk, Outcome.DENIED)]


def _fill(client_obj, size, user):
    actor = Actor(user)
    for n in range(size):
        relation = RelationFactory(client=client_obj)
        PhoneFactory(client=client_obj, relation=relation)
        PhoneFactory(client=client_obj)
        PreferenceFactory(client=client_obj, kind=["like", "dislike"][n % 2])
        make_promise(client_obj, user, due_in=datetime.timedelta(hours=n - 2), owner_user=user)
        interaction_log(
            actor=actor,
            client=client_obj,
            channel="phone",
            direction="in",
            outcome="resolved",
            relation=relation,
        )


def test_it_renders_the_card_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    small = ClientFactory(team=teams["noord"], primary_contact=personas["nurse_noord"])
    large = ClientFactory(team=teams["noord"], primary_contact=personas["nurse_noord"])
    _fill(small, 1, personas["nurse_noord"])
    _fill(large, 9, personas["nurse_noord"])
    client.force_login(personas["front_office"])
    client.get(_url(small))  # warm the session
    with django_assert_num_queries(30, exact=False) as few:
        client.get(_url(small))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_url(large))
    assert response.content.decode().count('href="tel:') == 9 * 2


# Writing up the call


def _complete(client, hendrika, call, **data):
    url = reverse("contact:call_complete", args=[hendrika.pk, call.pk])
    return client.post(url, {"outcome": "resolved", "relation": "", **data})


def test_it_writes_up_the_call_for_the_client(client, personas, hendrika, call):
    relation = hendrika.relations.get()
    client.force_login(personas["front_office"])
    before = last_seq()
    response = _complete(
        client, hendrika, call, relation=relation.pk, topic="Vraag over zorg", summary="Uitgelegd"
    )
    assert response["Location"] == _url(hendrika)
    call.refresh_from_db()
    assert call.status == InteractionStatus.COMPLETED
    assert (call.client_id, call.relation_id, call.topic) == (
        hendrika.pk,
        relation.pk,
        "Vraag over zorg",
    )
    assert entries_since(before) == [(Action.CREATE, "contacts", hendrika.pk, Outcome.SUCCESS)]


def test_it_goes_on_from_a_follow_up_call_to_a_callback_on_the_callers_number(
    client, personas, hendrika, call
):
    relation = hendrika.relations.get()
    PhoneFactory(client=hendrika, relation=relation, e164="+31201234567")  # not the one she used
    client.force_login(personas["front_office"])
    response = client.post(
        reverse("contact:call_complete", args=[hendrika.pk, call.pk]),
        {"outcome": "follow_up", "relation": relation.pk, "topic": "Rooster"},
        follow=True,
    )
    promise_url = reverse("contact:commitment_add", args=[hendrika.pk])
    assert response.redirect_chain == [(f"{promise_url}?gesprek={call.pk}", 302)]
    page = response.content.decode()
    assert f'<option value="{relation.pk}" selected>' in page
    assert 'name="callback_number" value="06 87 65 43 21"' in page


def test_it_says_when_the_call_was_already_written_up(client, personas, hendrika, call):
    client.force_login(personas["front_office"])
    _complete(client, hendrika, call, summary="Eerste")
    response = _complete(client, hendrika, call, summary="Tweede")
    assert response.status_code == 409
    assert_shows(response, ALREADY_COMPLETED)
    assert Interaction.objects.get(pk=call.pk).summary == "Eerste"


def test_it_refuses_an_unknown_outcome_and_writes_nothing(client, personas, hendrika, call):
    client.force_login(personas["front_office"])
    before = last_seq()
    response = _complete(client, hendrika, call, outcome="maybe")
    assert response.status_code == 200
    assert "maybe" in response.content.decode()
    assert Interaction.objects.get(pk=call.pk).status == InteractionStatus.OPEN
    assert entries_since(before) == []


def test_it_refuses_a_relation_of_another_client(client, personas, hendrika, call):
    other = RelationFactory(client=ClientFactory(team=hendrika.team))
    client.force_login(personas["front_office"])
    response = _complete(client, hendrika, call, relation=other.pk)
    assert response.status_code == 200
    assert Interaction.objects.get(pk=call.pk).status == InteractionStatus.OPEN


def test_it_writes_up_calls_only_by_post(client, personas, hendrika, call):
    client.force_login(personas["front_office"])
    url = reverse("contact:call_complete", args=[hendrika.pk, call.pk])
    assert client.get(url).status_code == 405


def test_it_keeps_the_call_from_a_nurse_of_another_team(client, personas, hendrika, call):
    client.force_login(personas["nurse_zuid"])
    assert _complete(client, hendrika, call).status_code == 404
    assert Interaction.objects.get(pk=call.pk).status == InteractionStatus.OPEN


# Higher apps' sections (the journey's stage lines), through contact.extensions


def test_it_includes_the_section_a_registered_provider_gives(client, personas, hendrika):
    calls = []

    def provider(request, actor, client_pk):
        calls.append(client_pk)
        return ClientSection("clients/_status.html", {}, status="Op proef")

    client.force_login(personas["front_office"])
    with CARD_SECTIONS.replaced(provider):
        response = client.get(_url(hendrika))
    assert calls == [hendrika.pk]
    assert response.content.decode().count("Op proef") == 2


def test_it_shows_the_card_without_sections_when_none_is_registered(client, personas, hendrika):
    client.force_login(personas["front_office"])
    before = last_seq()
    with CARD_SECTIONS.replaced():
        response = client.get(_url(hendrika))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'journey-status">{hendrika.get_status_display()}</span>' in content
    assert 'class="stage-line"' not in content
    assert entries_since(before) == [(Action.READ, "card", hendrika.pk, Outcome.SUCCESS)]

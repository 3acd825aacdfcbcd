"""Promises on the pages: making one (due by the policy or a given time), failed
attempts, keeping it, the conflict of keeping it twice, and the escalation list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from halte.audit.models import Action, AuditEntry, Outcome
from halte.clients.models import Client, ClientStatus
from halte.clients.tests.factories import ClientFactory, PhoneFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.clients.validation import REQUIRED
from halte.contact.forms import INVALID_DATETIME
from halte.contact.models import (
    Commitment,
    CommitmentAttempt,
    CommitmentStatus,
    Interaction,
    ServiceLevelPolicy,
)
from halte.contact.services import (
    ALREADY_DONE,
    CLIENT_DECEASED,
    DUE_IN_THE_PAST,
    ONE_OWNER,
    call_event_register,
)
from halte.contact.tests.pages import make_promise

ESCALATIONS = reverse("contact:escalations")


def _add_url(client_obj, call=None):
    url = reverse("contact:commitment_add", args=[client_obj.pk])
    return f"{url}?gesprek={call.pk}" if call else url


def _data(**changes):
    data = {
        "kind": "callback",
        "description": "Bellen over de nieuwe tijden van de ochtendzorg",
        "relation": "",
        "callback_number": "",
        "owner": "me",
        "colleague": "",
        "team": "",
        "due_at": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def agent(client, personas):
    client.force_login(personas["front_office"])
    return personas["front_office"]


# Making a promise


def test_it_makes_a_promise_due_by_the_policy_and_shows_the_due_time(client, agent, client_noord):
    before = last_seq()
    asked = timezone.now()
    response = client.post(_add_url(client_noord), _data(), follow=True)
    promise = Commitment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("contact:commitment", args=[promise.pk])
    expected = ServiceLevelPolicy.current().due_at("callback", asked)
    assert abs(promise.due_at - expected) < datetime.timedelta(minutes=1)
    shown = dateformat.format(timezone.localtime(promise.due_at), "d-m-Y H:i")
    assert response.content.decode().count(shown) >= 2  # the message and the page
    assert promise.owner_user == agent
    assert entries_since(before)[0] == (Action.CREATE, "promises", client_noord.pk, "success")


def test_it_makes_a_promise_for_a_team_at_a_given_time(client, agent, teams, client_noord):
    due = timezone.localtime() + datetime.timedelta(days=3)
    client.post(
        _add_url(client_noord),
        _data(owner="team", team=teams["noord"].pk, due_at=due.strftime("%d-%m-%Y %H:%M")),
    )
    promise = Commitment.objects.get()
    assert promise.owner_team == teams["noord"]
    assert promise.owner_user is None
    assert promise.due_at == due.replace(second=0, microsecond=0)


def test_it_makes_a_promise_for_a_colleague(client, agent, personas, client_noord):
    nurse = personas["nurse_noord"]
    client.post(_add_url(client_noord), _data(owner="colleague", colleague=nurse.pk))
    assert Commitment.objects.get().owner_user == nurse


def test_it_remembers_the_call_and_the_caller(client, agent, client_noord):
    call = call_event_register(
        call_id="c1", event="ringing", caller="0687654321", at=timezone.now()
    ).interaction
    form = client.get(_add_url(client_noord, call)).content.decode()
    assert 'value="06 87 65 43 21"' in form  # the number to call back, prefilled
    relation = client_noord.relations.get()
    client.post(
        _add_url(client_noord, call),
        _data(relation=relation.pk, callback_number="06 87654321"),
    )
    promise = Commitment.objects.get()
    assert (promise.origin, promise.relation, promise.callback_e164) == (
        call,
        relation,
        "+31687654321",
    )


def test_it_offers_the_clients_first_number_for_a_callback(client, agent, client_noord):
    form = client.get(_add_url(client_noord)).content.decode()
    assert 'name="callback_number" value="06 12 34 56 78"' in form


def test_it_offers_the_number_of_the_relative_it_is_promised_to(client, agent, client_noord):
    relation = client_noord.relations.get()
    form = client.get(f"{_add_url(client_noord)}?naaste={relation.pk}").content.decode()
    assert 'name="callback_number" value="06 87 65 43 21"' in form


def test_it_shows_the_callback_number_in_the_one_notation(client, agent, client_noord):
    client.post(_add_url(client_noord), _data(callback_number="0201234567"), follow=True)
    page = client.get(reverse("contact:commitment", args=[Commitment.objects.get().pk]))
    assert '<a class="phone" href="tel:+31201234567">020 123 45 67</a>' in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_makes_no_promise_about_a_deceased_client(client, agent, client_noord, method):
    Client.objects.filter(pk=client_noord.pk).update(status=ClientStatus.DECEASED)
    response = getattr(client, method)(_add_url(client_noord), _data(), follow=True)
    assert response.redirect_chain == [(reverse("contact:card", args=[client_noord.pk]), 302)]
    assert_shows(response, CLIENT_DECEASED)
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"description": ""}, REQUIRED),
        ({"description": "   "}, REQUIRED),
        ({"owner": ""}, ONE_OWNER),
        ({"owner": "colleague", "colleague": ""}, ONE_OWNER),
        ({"owner": "team", "team": ""}, ONE_OWNER),
        ({"due_at": "01-01-2020 10:00"}, DUE_IN_THE_PAST),
        ({"due_at": "morgen"}, INVALID_DATETIME),
    ],
)
def test_it_shows_what_is_wrong_and_writes_nothing(
    client, agent, client_noord, changes, field_message
):
    before = last_seq()
    response = client.post(_add_url(client_noord), _data(**changes))
    assert response.status_code == 200
    assert_shows(response, field_message)
    assert not Commitment.objects.exists()
    assert entries_since(before) == []


def test_it_refuses_an_unknown_kind(client, agent, client_noord):
    response = client.post(_add_url(client_noord), _data(kind="bribe"))
    assert response.status_code == 200
    assert "bribe" in response.content.decode()
    assert 'class="error"' in response.content.decode()
    assert not Commitment.objects.exists()


def test_it_offers_only_colleagues_who_can_see_the_client(client, agent, personas, client_noord):
    content = client.get(_add_url(client_noord)).content.decode()
    offered = content.split('name="colleague"')[1].split("</select>")[0]
    assert f'value="{personas["nurse_noord"].pk}"' in offered
    assert f'value="{personas["planner"].pk}"' in offered
    assert f'value="{personas["nurse_zuid"].pk}"' not in offered
    assert f'value="{personas["manager"].pk}"' not in offered  # makes no promises


def test_it_refuses_a_colleague_who_cannot_see_the_client(client, agent, personas, client_noord):
    response = client.post(
        _add_url(client_noord), _data(owner="colleague", colleague=personas["nurse_zuid"].pk)
    )
    assert response.status_code == 200
    assert 'id="id_colleague_error"' in response.content.decode()
    assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("nurse_zuid", 404),
        ("manager", 403),
        ("privacy_officer", 403),
        ("administrator", 403),
    ],
)
def test_it_refuses_promises_to_those_who_may_not_make_them(
    client, personas, client_noord, persona, status
):
    client.force_login(personas[persona])
    assert client.get(_add_url(client_noord)).status_code == status
    assert client.post(_add_url(client_noord), _data()).status_code == status
    assert not Commitment.objects.exists()


# Attempts and keeping the promise


@pytest.fixture
def promise(personas, teams, client_noord):
    return make_promise(
        client_noord,
        personas["front_office"],
        due_in=datetime.timedelta(hours=2),
        owner_team=teams["noord"],
    )


def _attempt(client, promise, **data):
    url = reverse("contact:commitment_attempt", args=[promise.pk])
    return client.post(url, {"outcome": "no_answer", "note": "", **data})


def _keep(client, promise, **data):
    url = reverse("contact:commitment_complete", args=[promise.pk])
    return client.post(url, {"channel": "phone", "outcome": "resolved", **data})


def test_it_shows_the_promise_and_logs_the_read(client, agent, promise):
    before = last_seq()
    response = client.get(reverse("contact:commitment", args=[promise.pk]))
    assert "Terugbellen" in response.content.decode()
    assert entries_since(before) == [(Action.READ, "promises", promise.client_id, Outcome.SUCCESS)]


def test_it_records_a_failed_attempt_and_keeps_the_promise_open(client, agent, promise):
    before = last_seq()
    response = _attempt(client, promise, note="Voicemail vol")
    assert response.status_code == 302
    attempt = CommitmentAttempt.objects.get()
    assert (attempt.outcome, attempt.note) == ("no_answer", "Voicemail vol")
    assert Commitment.objects.get().status == CommitmentStatus.OPEN
    assert entries_since(before) == [
        (Action.UPDATE, "promises", promise.client_id, Outcome.SUCCESS)
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Voicemail vol" in page


def test_it_refuses_an_unknown_attempt_outcome(client, agent, promise):
    response = _attempt(client, promise, outcome="gave_up")
    assert response.status_code == 200
    assert not CommitmentAttempt.objects.exists()


def test_it_keeps_the_promise_with_the_resulting_contact(client, personas, promise):
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    response = _keep(client, promise, summary="Teruggebeld, tijden doorgegeven")
    assert response.status_code == 302
    kept = Commitment.objects.get()
    assert kept.status == CommitmentStatus.DONE
    assert kept.completed_by == personas["nurse_noord"]
    assert kept.result.summary == "Teruggebeld, tijden doorgegeven"
    assert [e[:2] for e in entries_since(before)] == [
        (Action.CREATE, "contacts"),
        (Action.UPDATE, "promises"),
    ]


def test_it_needs_a_summary_to_keep_a_promise(client, agent, promise):
    response = _keep(client, promise, summary="")
    assert_shows(response, REQUIRED)
    assert Commitment.objects.get().status == CommitmentStatus.OPEN
    assert not Interaction.objects.exists()


def test_it_says_clearly_when_the_promise_was_already_kept(client, agent, promise):
    _keep(client, promise, summary="Eerste keer")
    response = _keep(client, promise, summary="Tweede keer")
    assert response.status_code == 409
    assert_shows(response, ALREADY_DONE)
    assert Interaction.objects.count() == 1
    response = _attempt(client, promise)
    assert response.status_code == 409
    assert_shows(response, ALREADY_DONE)


@pytest.mark.parametrize("persona", ["manager", "privacy_officer"])
def test_it_refuses_to_keep_promises_for_roles_without_them(client, personas, promise, persona):
    client.force_login(personas[persona])
    assert _keep(client, promise, summary="x").status_code == 403
    assert client.get(reverse("contact:commitment", args=[promise.pk])).status_code == 403


def test_it_hides_the_promise_from_a_nurse_of_another_team(client, personas, promise):
    client.force_login(personas["nurse_zuid"])
    assert client.get(reverse("contact:commitment", args=[promise.pk])).status_code == 404
    assert _keep(client, promise, summary="x").status_code == 404
    assert Commitment.objects.get().status == CommitmentStatus.OPEN


def test_it_keeps_promises_only_by_post(client, agent, promise):
    url = reverse("contact:commitment_complete", args=[promise.pk])
    assert client.get(url).status_code == 405


# Escalations


@pytest.fixture
def spread(personas, teams, client_noord):
    lead = personas["team_lead"]
    zuid_client = ClientFactory(team=teams["zuid"], family_name="Zuidema")
    make_promise(
        client_noord,
        lead,
        due_in=datetime.timedelta(hours=-3),
        owner_user=lead,
        text="Ruim te laat",
    )
    make_promise(
        client_noord,
        lead,
        due_in=datetime.timedelta(minutes=30),
        owner_team=teams["noord"],
        text="Bijna zover",
    )
    make_promise(
        client_noord, lead, due_in=datetime.timedelta(days=2), owner_user=lead, text="Nog lang niet"
    )
    make_promise(
        zuid_client,
        personas["nurse_zuid"],
        due_in=datetime.timedelta(hours=-1),
        owner_team=teams["zuid"],
        text="Zuid te laat",
    )
    return zuid_client


def test_it_shows_the_team_lead_overdue_and_expiring_promises_highlighted(client, personas, spread):
    client.force_login(personas["team_lead"])
    content = client.get(ESCALATIONS).content.decode()
    assert content.index("Ruim te laat") < content.index("Bijna zover")
    assert "Nog lang niet" not in content
    assert "Zuid te laat" not in content  # another team's client
    assert content.count('<tr class="overdue">') == 1
    assert content.count('<tr class="expiring">') == 1
    # Said in plain Dutch, not word for word from "soonest due first".
    assert "wat het eerst verloopt, staat bovenaan" in content
    assert "eerst verlopend eerst" not in content


def test_it_shows_the_manager_the_whole_organisation(client, personas, spread):
    client.force_login(personas["manager"])
    response = client.get(ESCALATIONS)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ruim te laat" in content
    assert "Zuid te laat" in content
    assert "/werkplek/toezeggingen/" not in content  # no links to what they may not open
    assert "/werkplek/clienten/" not in content


@pytest.mark.parametrize(
    "persona", ["front_office", "nurse_noord", "planner", "privacy_officer", "administrator"]
)
def test_it_keeps_escalations_for_team_leads_and_managers(client, personas, spread, persona):
    client.force_login(personas[persona])
    assert client.get(ESCALATIONS).status_code == 403


def test_it_logs_the_clients_the_escalation_list_shows(client, personas, spread, client_noord):
    client.force_login(personas["manager"])
    before = last_seq()
    client.get(ESCALATIONS)
    # One look, one entry, naming every client on the list.
    assert entries_since(before) == [(Action.READ, "promises", None, Outcome.SUCCESS)]
    entry = AuditEntry.objects.get(seq__gt=before)
    assert sorted(entry.clients.values_list("client_id", flat=True)) == sorted(
        [client_noord.pk, spread.pk]
    )


def test_it_renders_escalations_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    lead = personas["team_lead"]
    client.force_login(lead)

    def add(n):
        for _ in range(n):
            c = ClientFactory(team=teams["noord"])
            make_promise(c, lead, due_in=datetime.timedelta(hours=-1), owner_user=lead)
            make_promise(c, lead, due_in=datetime.timedelta(minutes=10), owner_team=teams["noord"])

    add(1)
    client.get(ESCALATIONS)
    with django_assert_num_queries(30, exact=False) as few:
        client.get(ESCALATIONS)
    add(5)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(ESCALATIONS)
    assert response.content.decode().count('<tr class="overdue">') == 6


def test_it_shows_the_promise_form_in_a_constant_number_of_queries(
    client, agent, teams, django_assert_num_queries
):
    small, large = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    for client_obj, size in [(small, 1), (large, 6)]:
        for n in range(size):
            relation = client_obj.relations.create(name=f"Naaste {n}", kind="child")
            PhoneFactory(client=client_obj, relation=relation)
            PhoneFactory(client=client_obj)
    client.get(_add_url(small))  # warm the session
    with django_assert_num_queries(40, exact=False) as few:
        client.get(f"{_add_url(small)}?naaste={small.relations.first().pk}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(f"{_add_url(large)}?naaste={large.relations.first().pk}")
    assert response.status_code == 200

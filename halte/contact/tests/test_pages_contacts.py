"""Logging a contact on any channel, and the client's timeline of contacts and promises."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.clients.models import Client, ClientStatus
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq
from halte.contact.models import Commitment, Interaction
from halte.contact.queries import timeline_cursor
from halte.contact.services import interaction_log
from halte.contact.tests.pages import make_promise
from halte.contact.tests.test_api_timeline import TAMPERED_MOMENTS
from halte.contact.views import FOLLOW_UP_NEXT


def _log_url(client_obj):
    return reverse("contact:interaction_add", args=[client_obj.pk])


def _timeline_url(client_obj):
    return reverse("contact:timeline", args=[client_obj.pk])


def _data(**changes):
    data = {
        "channel": "email",
        "direction": "in",
        "relation": "",
        "topic": "Vraag over facturen",
        "summary": "Doorgestuurd naar de administratie",
        "outcome": "follow_up",
    }
    data.update(changes)
    return data


def test_it_logs_a_contact_on_any_channel(client, personas, client_noord):
    relation = client_noord.relations.get()
    client.force_login(personas["front_office"])
    before = last_seq()
    response = client.post(
        _log_url(client_noord), _data(relation=relation.pk, channel="letter", outcome="resolved")
    )
    assert response["Location"] == reverse("contact:card", args=[client_noord.pk])
    contact = Interaction.objects.get()
    assert (contact.channel, contact.relation, contact.staff) == (
        "letter",
        relation,
        personas["front_office"],
    )
    assert entries_since(before) == [(Action.CREATE, "contacts", client_noord.pk, Outcome.SUCCESS)]


# A contact that needs a follow-up goes on to the promise


def test_it_leads_a_follow_up_straight_to_the_promise_form(client, personas, client_noord):
    relation = client_noord.relations.get()
    client.force_login(personas["front_office"])
    response = client.post(_log_url(client_noord), _data(relation=relation.pk), follow=True)
    contact = Interaction.objects.get()
    promise_url = reverse("contact:commitment_add", args=[client_noord.pk])
    assert response.redirect_chain == [(f"{promise_url}?gesprek={contact.pk}", 302)]
    assert_shows(response, FOLLOW_UP_NEXT)
    page = response.content.decode()
    # Promised to the relative the contact was with, on their number, in reply to it.
    assert f'<option value="{relation.pk}" selected>' in page
    assert 'value="06 87 65 43 21"' in page
    assert "Vraag over facturen" in page


def test_it_keeps_the_follow_up_promise_with_its_contact(client, personas, client_noord):
    client.force_login(personas["front_office"])
    response = client.post(_log_url(client_noord), _data())
    contact = Interaction.objects.get()
    data = {"kind": "callback", "description": "Uitzoeken en terugbellen", "owner": "me"}
    client.post(response["Location"], {**data, "relation": "", "callback_number": ""})
    promise = Commitment.objects.get()
    assert (promise.origin, promise.client, promise.callback_e164) == (
        contact,
        client_noord,
        "+31612345678",  # the client's own first number: the contact was with her
    )


def test_it_makes_no_promise_after_a_follow_up_for_a_deceased_client(
    client, personas, client_noord
):
    Client.objects.filter(pk=client_noord.pk).update(status=ClientStatus.DECEASED)
    client.force_login(personas["front_office"])
    response = client.post(_log_url(client_noord), _data())
    assert response["Location"] == reverse("contact:card", args=[client_noord.pk])


def test_it_shows_the_form_with_the_clients_relations(client, personas, client_noord):
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    content = client.get(_log_url(client_noord)).content.decode()
    assert "Marieke de Vries" in content
    assert entries_since(before) == [(Action.READ, "card", client_noord.pk, Outcome.SUCCESS)]


@pytest.mark.parametrize(
    "changes",
    [{"channel": "pigeon"}, {"direction": "sideways"}, {"outcome": ""}, {"relation": "999999"}],
)
def test_it_refuses_bad_input_and_writes_nothing(client, personas, client_noord, changes):
    client.force_login(personas["front_office"])
    before = last_seq()
    response = client.post(_log_url(client_noord), _data(**changes))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Interaction.objects.exists()
    assert entries_since(before) == []


def test_it_refuses_a_summary_that_is_too_long(client, personas, client_noord):
    client.force_login(personas["front_office"])
    response = client.post(_log_url(client_noord), _data(summary="x" * 5001))
    assert "5000" in response.content.decode()
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nurse_zuid", 404), ("manager", 403), ("privacy_officer", 403), ("administrator", 403)],
)
def test_it_refuses_contacts_to_those_who_may_not_log_them(
    client, personas, client_noord, persona, status
):
    client.force_login(personas[persona])
    assert client.get(_log_url(client_noord)).status_code == status
    assert client.post(_log_url(client_noord), _data()).status_code == status
    assert not Interaction.objects.exists()


# The timeline


def _history(client_obj, personas):
    actor = Actor(personas["nurse_noord"])
    now = timezone.now()
    for hours, channel, topic in [(30, "letter", "Brief"), (5, "email", "Mail"), (1, "sms", "Sms")]:
        interaction_log(
            actor=actor,
            client=client_obj,
            channel=channel,
            direction="out",
            topic=topic,
            outcome="resolved",
            occurred_at=now - datetime.timedelta(hours=hours),
        )
    make_promise(
        client_obj,
        personas["nurse_noord"],
        due_in=datetime.timedelta(hours=4),
        owner_user=personas["nurse_noord"],
        text="Folder sturen",
    )


def test_it_shows_the_timeline_newest_first_across_channels(client, personas, client_noord):
    _history(client_noord, personas)
    client.force_login(personas["front_office"])
    content = client.get(_timeline_url(client_noord)).content.decode()
    assert "<html" in content
    order = [content.index(text) for text in ["Folder sturen", "Sms", "Mail", "Brief"]]
    assert order == sorted(order)


def test_it_renders_the_timeline_alone_for_htmx(client, personas, client_noord):
    _history(client_noord, personas)
    client.force_login(personas["front_office"])
    response = client.get(_timeline_url(client_noord), headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert "Brief" in response.content.decode()


def test_it_logs_the_timeline_read(client, personas, client_noord):
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    client.get(_timeline_url(client_noord), headers={"HX-Request": "true"})
    assert entries_since(before) == [(Action.READ, "timeline", client_noord.pk, Outcome.SUCCESS)]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nurse_zuid", 404), ("manager", 403), ("privacy_officer", 403)],
)
def test_it_keeps_the_timeline_from_those_who_may_not_read_it(
    client, personas, client_noord, persona, status
):
    _history(client_noord, personas)
    client.force_login(personas[persona])
    response = client.get(_timeline_url(client_noord))
    assert response.status_code == status
    assert "Folder sturen" not in response.content.decode()


@pytest.mark.parametrize(("persona", "shown"), [("front_office", True), ("manager", False)])
def test_it_loads_the_timeline_into_the_client_page(client, personas, client_noord, persona, shown):
    client.force_login(personas[persona])
    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert (f'hx-get="{_timeline_url(client_noord)}"' in content) is shown


def test_it_reads_the_timeline_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    small = ClientFactory(team=teams["noord"])
    large = ClientFactory(team=teams["noord"])
    _history(small, personas)
    for _ in range(5):
        _history(large, personas)
    client.force_login(personas["front_office"])
    client.get(_timeline_url(small))
    with django_assert_num_queries(30, exact=False) as few:
        client.get(_timeline_url(small))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_timeline_url(large))
    assert response.content.decode().count("Folder sturen") == 5


def _many_contacts(client_obj, staff, count):
    start = timezone.now() - datetime.timedelta(days=count)
    for number in range(count):
        interaction_log(
            actor=Actor(staff),
            client=client_obj,
            channel="phone",
            direction="in",
            occurred_at=start + datetime.timedelta(hours=number),
            topic=f"Gesprek {number:03d}",
            outcome="resolved",
        )


def test_it_pages_a_long_timeline_without_losing_or_repeating_an_item(
    client, personas, client_noord
):
    _many_contacts(client_noord, personas["front_office"], 60)
    client.force_login(personas["front_office"])
    first = client.get(_timeline_url(client_noord), headers={"HX-Request": "true"})
    content = first.content.decode()
    assert content.count("Gesprek ") == 50 and "Gesprek 059" in content
    cursor = content.split("?na=")[1].split('"')[0]
    rest = client.get(
        _timeline_url(client_noord), {"na": cursor}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="timeline"' not in rest  # appended below the first page
    shown = sorted(
        [line for line in (content + rest).split() if line.startswith("0") and len(line) == 3]
    )
    assert shown == [f"{number:03d}" for number in range(60)]
    assert "?na=" not in rest


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJjIjogMX0"])
def test_a_broken_page_link_is_a_bad_request(client, personas, client_noord, cursor):
    client.force_login(personas["front_office"])
    response = client.get(_timeline_url(client_noord), {"na": cursor})
    assert response.status_code == 400


@pytest.mark.parametrize("moment", TAMPERED_MOMENTS)
def test_a_page_link_naming_an_impossible_moment_is_a_bad_request(
    client, personas, client_noord, moment
):
    client.force_login(personas["front_office"])
    cursor = timeline_cursor(client_noord.pk, (moment, 2, 1), 50)
    response = client.get(_timeline_url(client_noord), {"na": cursor})
    assert response.status_code == 400


def test_a_page_link_of_another_client_is_refused(client, personas, client_noord, teams):
    other = ClientFactory(team=teams["noord"])
    _many_contacts(other, personas["front_office"], 55)
    client.force_login(personas["front_office"])
    content = client.get(_timeline_url(other), headers={"HX-Request": "true"}).content.decode()
    cursor = content.split("?na=")[1].split('"')[0]
    assert client.get(_timeline_url(client_noord), {"na": cursor}).status_code == 400

import pytest
from django.urls import reverse

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry
from halte.audit.services import audit_record

URL = reverse("audit:log")


@pytest.fixture
def history(personas, client_noord):
    nurse, kcc = Actor(personas["nurse_noord"]), Actor(personas["front_office"])
    audit_record(nurse, action=Action.READ, part="card", client_id=client_noord.pk)
    audit_record(kcc, action=Action.UPDATE, part="phones", client_id=client_noord.pk)
    audit_record(kcc, action=Action.SEARCH, part="search:name")
    return client_noord


def test_it_shows_the_privacy_officer_every_entry(client, personas, history):
    client.force_login(personas["privacy_officer"])
    response = client.get(URL)
    assert response.status_code == 200
    assert [e.part for e in response.context["page"].entries][:3] == [
        "search:name",
        "phones",
        "card",
    ]
    assert str(history.client_number).encode() in response.content


def test_it_shows_no_client_content(client, personas, history):
    client.force_login(personas["privacy_officer"])
    response = client.get(URL, {"client_number": history.client_number})
    assert history.family_name.encode() not in response.content
    assert history.given_names.encode() not in response.content


def test_it_filters_by_client_user_and_period(client, personas, history):
    client.force_login(personas["privacy_officer"])
    by_client = client.get(URL, {"client_number": history.client_number}).context["page"]
    assert {e.part for e in by_client.entries} == {"card", "phones"}
    by_user = client.get(URL, {"username": "kcc"}).context["page"]
    assert {e.part for e in by_user.entries} == {"phones", "search:name"}
    long_ago = client.get(URL, {"since": "01-01-2001", "until": "31-12-2001"}).context["page"]
    assert long_ago.entries == []


def test_it_says_so_when_no_client_has_the_number(client, personas, history):
    client.force_login(personas["privacy_officer"])
    response = client.get(URL, {"client_number": 999999})
    assert response.context["page"].unknown_client


def test_it_rejects_a_period_that_ends_before_it_starts(client, personas, history):
    client.force_login(personas["privacy_officer"])
    response = client.get(URL, {"since": "02-01-2026", "until": "01-01-2026"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "until" in response.context["form"].errors


def test_it_logs_looking_into_the_log(client, personas, history):
    client.force_login(personas["privacy_officer"])
    client.get(URL, {"client_number": history.client_number})
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.username, entry.part, entry.client_id) == ("privacy", "audit_log", history.pk)


def test_it_pages_by_sequence(client, personas, history):
    actor = Actor(personas["nurse_noord"])
    for _ in range(60):
        audit_record(actor, action=Action.READ, part="card", client_id=history.pk)
    client.force_login(personas["privacy_officer"])
    first = client.get(URL).context["page"]
    assert len(first.entries) == 50
    second = client.get(URL, {"before": first.next_before}).context["page"]
    assert second.entries[0].seq == first.entries[-1].seq - 1


@pytest.mark.parametrize(
    "persona",
    ["front_office", "planner", "nurse_noord", "team_lead", "manager", "administrator"],
)
def test_it_is_closed_to_everyone_else(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(URL).status_code == 403


def test_it_sends_anonymous_visitors_to_the_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_it_renders_in_a_constant_number_of_queries(
    client, personas, history, django_assert_num_queries
):
    client.force_login(personas["privacy_officer"])
    client.get(URL)  # warm the session
    actor = Actor(personas["nurse_noord"])
    with django_assert_num_queries(9, exact=False) as few:
        client.get(URL)
    for _ in range(30):
        audit_record(actor, action=Action.READ, part="card", client_id=history.pk)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)

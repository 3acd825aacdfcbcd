import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit import extensions as audit_extensions
from halte.audit.context import Actor
from halte.audit.forms import (
    DATE_OUT_OF_RANGE,
    INVALID_CURSOR,
    INVALID_DATE,
    INVALID_NUMBER,
    PERIOD_REVERSED,
    UNKNOWN_CHOICE,
)
from halte.audit.models import Action, AuditEntry, Outcome
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import shown

URL = reverse("audit:log")


@pytest.fixture
def history(personas, client_noord):
    nurse, kcc = Actor(personas["nurse_noord"]), Actor(personas["front_office"])
    audit_record(nurse, action=Action.READ, part="card", client_id=client_noord.pk)
    audit_record(kcc, action=Action.UPDATE, part="phones", client_id=client_noord.pk)
    audit_record(kcc, action=Action.SEARCH, part="search:name")
    return client_noord


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["privacy_officer"])
    return client


def _parts(client, **params) -> list[str]:
    """The parts of the entries a filter shows, oldest first, leaving out the officer's
    own sign-in and looks into the log."""
    page = client.get(URL, params).context["page"]
    return [row.part for row in reversed(page.entries) if row.part not in ("audit_log", "sign_in")]


def test_it_shows_the_privacy_officer_every_entry(officer, history):
    response = officer.get(URL)
    assert response.status_code == 200
    assert [e.part for e in response.context["page"].entries][:3] == [
        "search:name",
        "phones",
        "card",
    ]
    assert str(history.client_number).encode() in response.content


def test_it_shows_no_client_content(officer, history):
    response = officer.get(URL, {"client_number": history.client_number})
    assert history.family_name.encode() not in response.content
    assert history.given_names.encode() not in response.content


def test_it_says_so_when_no_client_has_the_number(officer, history):
    response = officer.get(URL, {"client_number": 999999})
    assert response.context["page"].unknown_client
    assert "Er is geen cliënt met dit cliëntnummer." in response.content.decode()


def test_it_logs_looking_into_the_log(officer, history):
    officer.get(URL, {"client_number": history.client_number})
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.username, entry.part, entry.client_id) == ("privacy", "audit_log", history.pk)


def test_it_pages_by_sequence(officer, personas, history):
    actor = Actor(personas["nurse_noord"])
    for _ in range(60):
        audit_record(actor, action=Action.READ, part="card", client_id=history.pk)
    first = officer.get(URL).context["page"]
    assert len(first.entries) == 50
    second = officer.get(URL, {"before": first.next_before}).context["page"]
    assert second.entries[0].seq == first.entries[-1].seq - 1


def test_it_keeps_the_filter_on_the_link_to_older_entries(officer, personas, history):
    actor = Actor(personas["nurse_noord"])
    for _ in range(55):
        audit_record(actor, action=Action.READ, part="card", client_id=history.pk)
    response = officer.get(URL, {"person": "nurse_noord", "action": "read"})
    page = response.context["page"]
    assert f"person=nurse_noord&amp;action=read&amp;before={page.next_before}" in (
        response.content.decode()
    )


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


# The filters


@pytest.fixture
def varied(personas, teams):
    """Entries that differ in one filter at a time, at known moments."""
    nurse = personas["nurse_noord"]
    nurse.first_name, nurse.last_name = "Mia", "Dekker"
    nurse.save()
    kcc = personas["front_office"]
    kcc.first_name, kcc.last_name = "Oscar", "de Vries"
    kcc.save()
    one, two = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["noord"])
    nurse_actor, kcc_actor = Actor(nurse), Actor(kcc)
    audit_record(nurse_actor, action=Action.READ, part="card", client_id=one.pk)
    audit_record(kcc_actor, action=Action.UPDATE, part="phones", client_id=one.pk)
    audit_record(
        kcc_actor, action=Action.READ, part="bsn", client_id=two.pk, outcome=Outcome.DENIED
    )
    audit_record_listing(
        nurse_actor, action=Action.READ, part="promises", client_ids=[one.pk, two.pk]
    )
    audit_record(nurse_actor, action=Action.EXPORT, part="waiting_list_bsn", client_id=two.pk)
    return {"one": one, "two": two}


def test_it_filters_by_client(officer, varied):
    assert _parts(officer, client_number=varied["one"].client_number) == [
        "card",
        "phones",
        "promises",
    ]
    assert _parts(officer, client_number=varied["two"].client_number) == [
        "bsn",
        "promises",
        "waiting_list_bsn",
    ]


def test_it_filters_by_person_on_username_or_name(officer, varied):
    by_nurse = ["card", "promises", "waiting_list_bsn"]
    assert _parts(officer, person="nurse_noord") == by_nurse
    assert _parts(officer, person="NURSE_noord") == by_nurse
    assert _parts(officer, person="dekker") == by_nurse
    assert _parts(officer, person="Mia Dekker") == by_nurse
    assert _parts(officer, person="de vries") == ["phones", "bsn"]
    assert _parts(officer, person="nobody at all") == []


def test_it_finds_a_process_by_the_name_it_acted_under(officer, varied):
    audit_record(Actor.system("telephone system"), action=Action.READ, part="caller_recognition")
    assert _parts(officer, person="telephone system") == ["caller_recognition"]


def test_it_filters_by_action(officer, varied):
    assert _parts(officer, action="read") == ["card", "bsn", "promises"]
    assert _parts(officer, action="update") == ["phones"]
    assert _parts(officer, action="export") == ["waiting_list_bsn"]
    assert _parts(officer, action="delete") == []


def test_it_filters_by_outcome(officer, varied):
    assert _parts(officer, outcome="denied") == ["bsn"]
    assert _parts(officer, outcome="success") == ["card", "phones", "promises", "waiting_list_bsn"]


def test_it_filters_by_period(officer, varied):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    everything = ["card", "phones", "bsn", "promises", "waiting_list_bsn"]
    assert _parts(officer, since=today.strftime("%d-%m-%Y")) == everything
    assert _parts(officer, until=today.strftime("%d-%m-%Y")) == everything
    assert _parts(officer, until=yesterday.strftime("%d-%m-%Y")) == []
    assert _parts(officer, since=(today + datetime.timedelta(days=1)).isoformat()) == []
    assert _parts(officer, since="01-01-2001", until="31-12-2001") == []


def test_it_combines_filters(officer, varied):
    one, two = varied["one"].client_number, varied["two"].client_number
    assert _parts(officer, client_number=two, person="dekker") == ["promises", "waiting_list_bsn"]
    assert _parts(officer, client_number=two, person="dekker", action="read") == ["promises"]
    assert _parts(officer, client_number=two, outcome="denied", action="read") == ["bsn"]
    assert _parts(officer, client_number=one, outcome="denied") == []
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert _parts(
        officer, person="oscar", action="update", outcome="success", since=today, until=today
    ) == ["phones"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "31-02-2026"}, "since", INVALID_DATE),
        ({"until": "gisteren"}, "until", INVALID_DATE),
        ({"since": "01-01-0001"}, "since", DATE_OUT_OF_RANGE),
        ({"until": "31-12-9999"}, "until", DATE_OUT_OF_RANGE),
        ({"since": "02-01-2026", "until": "01-01-2026"}, "until", PERIOD_REVERSED),
        ({"client_number": "12a"}, "client_number", INVALID_NUMBER),
        ({"client_number": "-4"}, "client_number", INVALID_NUMBER),
        ({"client_number": "99999999999999999999"}, "client_number", INVALID_NUMBER),
        ({"action": "peek"}, "action", UNKNOWN_CHOICE),
        ({"outcome": "maybe"}, "outcome", UNKNOWN_CHOICE),
        ({"before": "99999999999999999999"}, "before", INVALID_CURSOR),
        ({"person": "x" * 151}, "person", None),
    ],
)
def test_it_answers_bad_filter_input_with_a_clear_dutch_error(
    officer, history, params, field, message
):
    before = AuditEntry.objects.count()
    response = officer.get(URL, params)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert "Verbeter het filter om regels te zien:" in content
    if message is not None:
        assert shown(message) in content
    assert AuditEntry.objects.count() == before  # nothing was shown, so nothing to log


def test_it_shows_the_error_to_an_htmx_request_too(officer, history):
    response = officer.get(URL, {"since": "31-02-2026"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<form" not in content  # only the rows part
    assert shown(INVALID_DATE) in content


def test_it_renders_in_a_constant_number_of_queries(
    officer, personas, teams, history, django_assert_num_queries
):
    officer.get(URL)  # warm the session

    def add_entries():
        """Entries of several staff, some naming several clients, all naming history."""
        for persona in ("nurse_noord", "front_office", "planner", "team_lead"):
            actor = Actor(personas[persona])
            seen = [history.pk, *(ClientFactory(team=teams["noord"]).pk for _ in range(3))]
            audit_record(actor, action=Action.READ, part="card", client_id=history.pk)
            audit_record_listing(actor, action=Action.READ, part="promises", client_ids=seen)
            audit_record(actor, action=Action.SEARCH, part="search:phone")

    add_entries()
    filters = {
        "person": "nurse_noord",
        "client_number": history.client_number,
        "action": "read",
        "outcome": "success",
        "since": timezone.localdate().strftime("%d-%m-%Y"),
    }
    with django_assert_num_queries(12, exact=False) as few:
        officer.get(URL)
    with django_assert_num_queries(14, exact=False) as few_filtered:
        officer.get(URL, filters)
    add_entries()
    add_entries()
    with django_assert_num_queries(len(few.captured_queries)):
        response = officer.get(URL)
    assert len(response.context["page"].entries) > 20
    with django_assert_num_queries(len(few_filtered.captured_queries)):
        response = officer.get(URL, filters)
    assert len(response.context["page"].entries) == 7


# The client numbers come from the clients app, registered in its AppConfig.ready()


def test_it_names_clients_by_the_number_the_registered_provider_gives(officer, history):
    asked = []

    def numbers(client_ids):
        asked.append(set(client_ids))
        return dict.fromkeys(client_ids, 424242)

    with audit_extensions.CLIENT_NUMBERS.replaced(numbers):
        response = officer.get(URL)
    assert asked == [{history.pk}]
    assert [r.client_numbers for r in response.context["page"].entries if r.client_id] == [
        [424242],
        [424242],
    ]


def test_it_shows_client_ids_and_finds_no_number_when_no_provider_is_registered(officer, history):
    with (
        audit_extensions.CLIENT_NUMBERS.replaced(),
        audit_extensions.CLIENT_ID_FOR_NUMBER.replaced(),
    ):
        listing = officer.get(URL)
        filtered = officer.get(URL, {"client_number": history.client_number})
    assert listing.status_code == 200
    rows = [r for r in listing.context["page"].entries if r.client_id]
    assert [r.client_numbers for r in rows] == [[history.pk], [history.pk]]
    assert filtered.context["page"].unknown_client

"""The waiting-list page: who may open which queue, positions with the estimate and
its range, the norm warning, steps from a row (priority or status with a reason, an
update given, bridging care), the constant number of queries, and the care offices'
CSV with its audit entries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import Action, AuditEntry, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import assert_shows, last_seq, looks_since
from halte.clients.validation import REQUIRED
from halte.contact.models import Interaction
from halte.core import bsn as bsn_codec
from halte.journey import views
from halte.journey.models import CareOffice, JourneyPolicy, LeftReason, Stage, WaitingListEntry
from halte.journey.services import STALE
from halte.journey.templatetags.journey import about
from halte.journey.tests.factories import product, referral_at

WAITING = reverse("journey:waiting_list")


def _waiting(personas, client_obj, **kwargs):
    return referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_obj,
        **kwargs,
    ).waiting_entry


def _query(teams, team="noord", code="wijkverpleging"):
    return {"product": code, "team": teams[team].pk}


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
def test_it_opens_the_waiting_list_to_roles_that_see_journeys(
    client, personas, teams, persona, status
):
    client.force_login(personas[persona])
    assert client.get(WAITING).status_code == status
    assert client.get(WAITING, _query(teams)).status_code == status


def test_it_offers_a_nurse_only_her_own_teams(client, personas, teams, client_noord):
    _waiting(personas, client_noord)
    client.force_login(personas["nurse_zuid"])
    content = client.get(WAITING).content.decode()
    assert "Wijkteam Zuid" in content
    assert "Wijkteam Noord" not in content
    response = client.get(WAITING, _query(teams))
    assert 'id="id_team_error"' in response.content.decode()
    assert "van den Berg" not in response.content.decode()


def test_it_shows_the_queue_with_position_estimate_and_range(client, personas, teams, client_noord):
    entry = _waiting(personas, client_noord)
    for weeks_ago in range(6):
        started = _waiting(personas, ClientFactory(team=teams["noord"]))
        WaitingListEntry.objects.filter(pk=started.pk).update(
            left_on=timezone.localdate() - datetime.timedelta(weeks=weeks_ago, days=1),
            left_reason=LeftReason.CARE_STARTED,
        )
    client.force_login(personas["planner"])
    before = last_seq()
    content = client.get(WAITING, _query(teams)).content.decode()
    assert '<td class="position">1</td>' in content
    # Six starts in twelve weeks: one place every two weeks.
    expected = timezone.localdate() + datetime.timedelta(days=14)
    assert about(expected) in content
    assert "(" in content.split('<td class="position">1</td>')[1].split("</tr>")[0]
    assert entry.norm_date.strftime("%d-%m-%Y") in content
    assert "12" in content.split("<details")[1].split("</details>")[0]  # the weeks counted
    assert looks_since(before) == [(Action.READ, "waiting_list", [client_noord.pk], "success")]


def test_it_says_there_is_no_estimate_without_outflow(client, personas, teams, client_noord):
    _waiting(personas, client_noord)
    client.force_login(personas["planner"])
    content = client.get(WAITING, _query(teams)).content.decode()
    assert "no estimate yet" in content or "nog geen schatting" in content


def test_the_queue_renders_when_an_estimate_lies_past_the_year_9999(client, personas, teams):
    # The longest outflow window the column holds (the admin allows 104 weeks; this one
    # stored before that bound, or by SQL) and one start in it: the 13th in line is
    # estimated beyond what a date can hold; the queue still shows.
    JourneyPolicy.objects.filter(pk=JourneyPolicy.current().pk).update(outflow_weeks=32767)
    entries = [_waiting(personas, ClientFactory(team=teams["noord"])) for _ in range(14)]
    WaitingListEntry.objects.filter(pk=entries[0].pk).update(
        left_on=timezone.localdate(), left_reason=LeftReason.CARE_STARTED
    )
    client.force_login(personas["planner"])
    response = client.get(WAITING, _query(teams))
    assert response.status_code == 200
    assert '<td class="position">13</td>' in response.content.decode()


def test_it_marks_clients_over_the_norm_and_updates_due(client, personas, teams, client_noord):
    entry = _waiting(personas, client_noord)
    WaitingListEntry.objects.filter(pk=entry.pk).update(
        norm_date=timezone.localdate() - datetime.timedelta(days=1),
        next_update_due=timezone.localdate(),
    )
    client.force_login(personas["planner"])
    content = client.get(WAITING, _query(teams)).content.decode()
    row = content.split('<tr class="overdue">')[1].split("</tr>")[0]
    assert "flag overdue" in row
    assert "flag expiring" in row  # the update is due


def test_it_explains_the_estimate(client, personas, teams, client_noord):
    _waiting(personas, client_noord)
    client.force_login(personas["planner"])
    content = client.get(WAITING, _query(teams)).content.decode()
    assert "<details" in content
    assert "80%" in content


def test_it_links_each_row_to_its_steps_and_back(client, personas, teams, client_noord):
    entry = _waiting(personas, client_noord)
    client.force_login(personas["planner"])
    content = client.get(WAITING, _query(teams)).content.decode()
    referral_url = reverse("journey:referral", args=[entry.referral_id])
    assert f"{referral_url}?terug=" in content
    assert "#step-waiting_change" in content
    front_office = personas["front_office"]
    client.force_login(front_office)
    assert "#step-waiting_change" not in client.get(WAITING, _query(teams)).content.decode()


def test_it_pages_the_queue(client, personas, teams):
    for _ in range(3):
        _waiting(personas, ClientFactory(team=teams["noord"]))
    client.force_login(personas["planner"])
    original = views.WAITING_PAGE_SIZE
    views.WAITING_PAGE_SIZE = 2
    try:
        first = client.get(WAITING, _query(teams)).content.decode()
        second = client.get(WAITING, {**_query(teams), "page": 2}).content.decode()
    finally:
        views.WAITING_PAGE_SIZE = original
    assert first.count('<td class="position">') == 2
    assert 'rel="next"' in first
    assert '<td class="position">3</td>' in second


def test_it_renders_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            _waiting(personas, ClientFactory(team=teams["noord"]))

    add(3)
    client.force_login(personas["planner"])
    client.get(WAITING, _query(teams))  # warm the session and the policies
    with django_assert_num_queries(30, exact=False) as few:
        client.get(WAITING, _query(teams))
    add(17)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(WAITING, _query(teams))
    assert response.content.decode().count('<td class="position">') == 20


# Steps from a row


@pytest.fixture
def entry(client, personas, client_noord):
    client.force_login(personas["planner"])
    return _waiting(personas, client_noord)


def test_it_changes_the_priority_with_a_reason_and_goes_back_to_the_list(client, teams, entry):
    back = f"{WAITING}?product=wijkverpleging&team={teams['noord'].pk}"
    response = client.post(
        reverse("journey:waiting_change", args=[entry.pk]),
        {
            "version": entry.version,
            "priority": "1",
            "status": "active",
            "reason": "Mantelzorger valt weg",
            "next": back,
        },
    )
    assert response["Location"] == back
    assert WaitingListEntry.objects.get().priority == 1


def test_it_refuses_a_change_without_a_reason(client, entry):
    response = client.post(
        reverse("journey:waiting_change", args=[entry.pk]),
        {"version": entry.version, "priority": "1", "status": "active", "reason": ""},
    )
    assert response.status_code == 200
    assert_shows(response, REQUIRED)
    assert 'id="id_waiting_change_reason_error"' in response.content.decode()
    assert WaitingListEntry.objects.get().priority == 2


def test_it_refuses_a_stale_change_and_writes_nothing(client, entry):
    WaitingListEntry.objects.filter(pk=entry.pk).update(version=entry.version + 1)
    response = client.post(
        reverse("journey:waiting_change", args=[entry.pk]),
        {"version": entry.version, "priority": "1", "status": "active", "reason": "Spoed"},
    )
    assert response.status_code == 409
    assert_shows(response, STALE)
    assert WaitingListEntry.objects.get().priority == 2


def test_it_never_follows_a_next_to_another_site(client, entry):
    response = client.post(
        reverse("journey:waiting_update", args=[entry.pk]),
        {
            "version": entry.version,
            "channel": "phone",
            "summary": "Positie doorgegeven",
            "next": "https://example.com/",
        },
    )
    assert response["Location"] == reverse("journey:referral", args=[entry.referral_id])


def test_it_records_an_update_given(client, entry):
    response = client.post(
        reverse("journey:waiting_update", args=[entry.pk]),
        {"version": entry.version, "channel": "phone", "summary": "Positie 1 doorgegeven"},
    )
    assert response.status_code == 302
    updated = WaitingListEntry.objects.get()
    assert updated.last_update_on == timezone.localdate()
    assert Interaction.objects.get().summary == "Positie 1 doorgegeven"


def test_it_refuses_an_update_without_what_was_told(client, entry):
    response = client.post(
        reverse("journey:waiting_update", args=[entry.pk]),
        {"version": entry.version, "channel": "phone", "summary": ""},
    )
    assert response.status_code == 200
    assert 'id="id_waiting_update_summary_error"' in response.content.decode()
    assert not Interaction.objects.exists()


def test_it_records_bridging_care(client, entry):
    response = client.post(
        reverse("journey:bridging", args=[entry.pk]),
        {"version": entry.version, "text": "Thuiszorg Vitaal, 2x per week"},
    )
    assert response.status_code == 302
    assert WaitingListEntry.objects.get().bridging_care == "Thuiszorg Vitaal, 2x per week"


def test_it_refuses_bridging_care_that_is_too_long(client, entry):
    response = client.post(
        reverse("journey:bridging", args=[entry.pk]), {"version": entry.version, "text": "x" * 301}
    )
    assert response.status_code == 200
    assert "300" in response.content.decode()
    assert WaitingListEntry.objects.get().bridging_care == ""


@pytest.mark.parametrize("name", ["waiting_change", "waiting_update", "bridging"])
def test_it_refuses_row_steps_to_the_front_office(client, personas, client_noord, name):
    entry = _waiting(personas, client_noord)
    client.force_login(personas["front_office"])
    response = client.post(reverse(f"journey:{name}", args=[entry.pk]), {"version": 1})
    assert response.status_code == 403


# The care offices' CSV


BSN = "111222333"


@pytest.fixture
def office(personas, teams, client_noord):
    office = CareOffice.objects.create(code="ZK-UTR", name="Zorgkantoor Utrecht")
    client_noord.bsn_encrypted = bsn_codec.encrypt(BSN)
    client_noord.bsn_hash = bsn_codec.lookup_hash(BSN)
    client_noord.save()
    _waiting(personas, client_noord, care=product("verpleeghuiszorg"), care_office=office)
    return office


def _csv(office):
    return reverse("journey:care_office_csv", args=[office.code])


def test_it_exports_the_care_offices_list_for_excel(client, personas, office, client_noord):
    client.force_login(personas["planner"])
    before = last_seq()
    response = client.get(_csv(office))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="wachtlijst-ZK-UTR-')
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffclient_number;bsn;name;")
    lines = body.strip().splitlines()
    assert len(lines) == 2
    row = lines[1].split(";")
    assert row[0] == str(client_noord.client_number)
    assert row[1] == BSN
    assert row[2] == "Hendrika van den Berg"
    assert looks_since(before) == [
        (Action.EXPORT, "waiting_list_bsn", [client_noord.pk], Outcome.SUCCESS)
    ]


def test_one_export_is_one_entry_naming_every_client_exported(
    client, personas, teams, office, client_noord
):
    others = [ClientFactory(team=teams["noord"]) for _ in range(2)]
    for other in others:
        _waiting(personas, other, care=product("verpleeghuiszorg"), care_office=office)
    client.force_login(personas["planner"])
    before = last_seq()
    response = client.get(_csv(office))
    assert len(response.content.decode("utf-8").strip().splitlines()) == 4
    assert looks_since(before) == [
        (
            Action.EXPORT,
            "waiting_list_bsn",
            sorted([client_noord.pk, *(other.pk for other in others)]),
            Outcome.SUCCESS,
        )
    ]


def test_it_exports_in_a_constant_number_of_queries(
    client, personas, teams, office, django_assert_num_queries
):
    client.force_login(personas["planner"])
    client.get(_csv(office))  # warm the session
    with django_assert_num_queries(20, exact=False) as one:
        client.get(_csv(office))
    for _ in range(4):
        _waiting(
            personas,
            ClientFactory(team=teams["noord"]),
            care=product("verpleeghuiszorg"),
            care_office=office,
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_csv(office))
    assert len(response.content.decode("utf-8").strip().splitlines()) == 6


def test_it_links_the_exports_for_roles_that_export(client, personas, office):
    client.force_login(personas["planner"])
    assert _csv(office) in client.get(WAITING).content.decode()
    client.force_login(personas["front_office"])
    assert _csv(office) not in client.get(WAITING).content.decode()


@pytest.mark.parametrize(
    "persona", ["front_office", "nurse_noord", "manager", "privacy_officer", "administrator"]
)
def test_it_refuses_the_export_to_roles_without_it(client, personas, office, persona):
    client.force_login(personas[persona])
    before = AuditEntry.objects.count()
    assert client.get(_csv(office)).status_code == 403
    # No export, and the refused attempt is one `denied` entry (issue 12).
    assert not AuditEntry.objects.filter(action=Action.EXPORT, outcome=Outcome.SUCCESS).exists()
    assert AuditEntry.objects.count() == before + 1
    refused = AuditEntry.objects.order_by("-seq").first()
    assert (refused.action, refused.part, refused.outcome, refused.username) == (
        Action.EXPORT,
        "waiting_list_bsn",
        Outcome.DENIED,
        personas[persona].username,
    )


def test_it_exports_only_the_team_leads_own_clients(client, personas, teams, office):
    personas["team_lead"].teams.set([teams["zuid"]])
    client.force_login(personas["team_lead"])
    body = client.get(_csv(office)).content.decode("utf-8")
    assert len(body.strip().splitlines()) == 1  # the header only
    assert BSN not in body


@pytest.mark.parametrize("code", ["NOPE", "NO\x00PE"])  # PostgreSQL refuses a NUL in a query
def test_it_answers_404_for_an_unknown_care_office(client, personas, db, code):
    client.force_login(personas["planner"])
    assert client.get(reverse("journey:care_office_csv", args=[code])).status_code == 404


# The overview across care and teams


def _zuid(personas, teams, **kwargs):
    return referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_zuid"],
        client=ClientFactory(team=teams["zuid"]),
        **kwargs,
    ).waiting_entry


def _overview_rows(content: str) -> list[str]:
    table = content.split('class="waiting-overview"')[1].split("</tbody>")[0]
    return table.split("<tr")[2:]  # past the header row


def test_it_opens_on_the_overview_of_every_list(client, personas, teams, client_noord):
    late = _waiting(personas, client_noord, received_days_ago=60)
    WaitingListEntry.objects.filter(pk=late.pk).update(
        next_update_due=timezone.localdate() - datetime.timedelta(days=2)
    )
    _waiting(personas, ClientFactory(team=teams["noord"]), care=product("dagbesteding"))
    _zuid(personas, teams, received_days_ago=3)
    client.force_login(personas["planner"])
    content = client.get(WAITING).content.decode()
    rows = _overview_rows(content)
    assert len(rows) == 3
    assert [("Dagbesteding" in r, "Wijkteam Noord" in r) for r in rows] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    noord = rows[1]
    assert f'href="?product=wijkverpleging&amp;team={teams["noord"].pk}"' in noord
    assert '<strong class="flag overdue">1</strong>' in noord  # received 60 days ago, norm 42
    assert '<strong class="flag expiring">' in noord
    assert "<tfoot>" in content and 'id="id_team_error"' not in content


def test_it_filters_the_overview_by_product_alone_without_asking_for_a_team(
    client, personas, teams, client_noord
):
    _waiting(personas, client_noord)
    _zuid(personas, teams)
    _waiting(personas, ClientFactory(team=teams["noord"]), care=product("dagbesteding"))
    client.force_login(personas["planner"])
    content = client.get(WAITING, {"product": "wijkverpleging"}).content.decode()
    assert "errorlist" not in content and 'id="id_team_error"' not in content
    rows = _overview_rows(content)
    assert len(rows) == 2 and all("Wijkverpleging" in row for row in rows)
    by_team = client.get(WAITING, {"team": teams["zuid"].pk}).content.decode()
    assert len(_overview_rows(by_team)) == 1


def test_it_shows_a_nurse_only_her_own_teams_lists(client, personas, teams, client_noord):
    _waiting(personas, client_noord)
    _zuid(personas, teams)
    client.force_login(personas["nurse_zuid"])
    rows = _overview_rows(client.get(WAITING).content.decode())
    assert len(rows) == 1 and "Wijkteam Zuid" in rows[0]


def test_it_counts_the_overview_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries
):
    codes = ["wijkverpleging", "dagbesteding", "huishoudelijke-hulp"]

    def add(team, code):
        if team == "zuid":
            _zuid(personas, teams, care=product(code))
        else:
            _waiting(personas, ClientFactory(team=teams[team]), care=product(code))

    add("noord", codes[0])
    client.force_login(personas["planner"])
    client.get(WAITING)  # warm the session and the policies
    with django_assert_num_queries(30, exact=False) as few:
        client.get(WAITING)
    for team in teams:
        for code in codes:
            add(team, code)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(WAITING)
    assert len(_overview_rows(response.content.decode())) == 6

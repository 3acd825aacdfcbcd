"""A page that refuses a user writes exactly one `denied` entry naming the user, the
part of the record and, where the URL names one, the client (NEN 7513), as the API does.

Two kinds of refusal: by role (core.access.require_capability, 403) and by scope (the
access helpers answer a client outside the user's teams with 404, as if it did not exist).
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.api.tests.helpers import audit_entries, last_seq
from halte.audit.labels import check_part
from halte.audit.models import Action, Outcome
from halte.audit.refusals import CAPABILITY_PARTS
from halte.contact.services import call_event_register
from halte.core.roles import CAPABILITIES, Capability
from halte.journey.tests.factories import referral_at

pytestmark = pytest.mark.django_db

CARE_OFFICE_CSV = reverse("journey:care_office_csv", args=["X"])


def _only_entry(before):
    entries = audit_entries(before)
    assert len(entries) == 1, [(e.username, e.part, e.outcome) for e in entries]
    return entries[0]


def _assert_denied(entry, user, part, client_id, action=Action.READ):
    assert (entry.username, entry.user_id, entry.role) == (user.username, user.pk, user.role)
    assert (entry.outcome, entry.part, entry.client_id, entry.action) == (
        Outcome.DENIED,
        part,
        client_id,
        action,
    )


def test_every_capability_has_a_labelled_part():
    assert set(CAPABILITY_PARTS) == set(Capability)
    for part in CAPABILITY_PARTS.values():
        check_part(part)


# Refused by role: 403 and one entry


@pytest.mark.parametrize(
    ("persona", "url_name", "part"),
    [
        ("privacy_officer", "clients:detail", "card"),
        ("administrator", "clients:edit", "card"),
        ("front_office", "clients:reveal_bsn", "bsn"),
        ("manager", "clients:reveal_bsn", "bsn"),
        ("privacy_officer", "contact:card", "workplace"),
        ("manager", "contact:timeline", "contacts"),
        ("manager", "contact:commitment_add", "promises"),
        ("manager", "outreach:client_messages", "contacts"),
    ],
)
def test_a_page_about_a_client_refused_by_role_is_one_entry_naming_the_client(
    client, personas, client_noord, persona, url_name, part
):
    user = personas[persona]
    client.force_login(user)
    before = last_seq()

    url = reverse(url_name, args=[client_noord.pk])
    response = client.post(url) if url_name == "clients:reveal_bsn" else client.get(url)

    assert response.status_code == 403
    _assert_denied(_only_entry(before), user, part, client_noord.pk)


@pytest.mark.parametrize(
    ("persona", "url", "part", "action"),
    [
        ("nurse_noord", reverse("audit:log"), "audit_log", Action.READ),
        ("privacy_officer", reverse("clients:search"), "search", Action.READ),
        ("manager", reverse("outreach:outbox"), "outbox", Action.READ),
        ("manager", reverse("contact:workplace"), "workplace", Action.READ),
        ("nurse_noord", reverse("contact:escalations"), "escalations", Action.READ),
        ("nurse_noord", reverse("outreach:announcements"), "announcement_recipients", Action.READ),
        ("manager", reverse("outreach:letter_batches"), "letters", Action.READ),
        ("front_office", CARE_OFFICE_CSV, "waiting_list_bsn", Action.EXPORT),
        ("privacy_officer", reverse("journey:queues"), "journey", Action.READ),
    ],
)
def test_a_page_refused_by_role_is_one_entry(client, personas, persona, url, part, action):
    user = personas[persona]
    client.force_login(user)
    before = last_seq()

    response = client.get(url)

    assert response.status_code == 403
    _assert_denied(_only_entry(before), user, part, None, action)


def test_a_refused_write_is_one_entry_with_the_write_it_tried(client, personas, client_noord):
    kcc = personas["front_office"]
    client.force_login(kcc)
    before = last_seq()

    response = client.post(
        reverse("clients:care_note_add", args=[client_noord.pk]), {"text": "Valt vaak."}
    )

    assert response.status_code == 403
    _assert_denied(_only_entry(before), kcc, "care_notes", client_noord.pk, Action.CREATE)
    assert not client_noord.care_notes.exists()


def test_a_refused_change_is_an_update_entry(client, personas, client_noord):
    manager = personas["manager"]
    client.force_login(manager)
    before = last_seq()

    response = client.post(reverse("clients:edit", args=[client_noord.pk]), {"given_names": "X"})

    assert response.status_code == 403
    _assert_denied(_only_entry(before), manager, "card", client_noord.pk, Action.UPDATE)


def test_two_checks_on_one_page_still_write_one_entry(client, personas, client_noord):
    # The call pages check the workplace and contact logging; the first refusal stops.
    manager = personas["manager"]
    client.force_login(manager)
    before = last_seq()

    assert client.get(reverse("contact:call_write_up", args=[1])).status_code == 403

    _assert_denied(_only_entry(before), manager, "workplace", None)


def test_an_id_too_large_for_a_client_is_refused_without_naming_one(client, personas):
    officer = personas["privacy_officer"]
    client.force_login(officer)
    before = last_seq()

    response = client.get(f"/clienten/{10**30}/")

    assert response.status_code == 403
    _assert_denied(_only_entry(before), officer, "card", None)


def test_the_largest_id_a_client_can_have_is_named(client, personas):
    officer = personas["privacy_officer"]
    client.force_login(officer)
    before = last_seq()

    response = client.get(f"/clienten/{2**63 - 1}/")

    assert response.status_code == 403
    _assert_denied(_only_entry(before), officer, "card", 2**63 - 1)


def test_a_visitor_not_signed_in_is_sent_to_sign_in_and_nothing_is_logged(client, client_noord):
    before = last_seq()

    response = client.get(reverse("clients:detail", args=[client_noord.pk]))

    assert response.status_code == 302
    assert audit_entries(before) == []


def test_an_allowed_page_writes_no_denied_entry(client, personas, client_noord):
    client.force_login(personas["nurse_noord"])
    before = last_seq()

    assert client.get(reverse("clients:detail", args=[client_noord.pk])).status_code == 200

    assert all(entry.outcome == Outcome.SUCCESS for entry in audit_entries(before))


def test_every_role_refused_every_role_page_writes_one_entry(client, personas, client_noord):
    # For each page refused by role: the personas whose role lacks its capability.
    pages = {
        Capability.VIEW_CLIENT: reverse("clients:detail", args=[client_noord.pk]),
        Capability.REVEAL_BSN: reverse("clients:reveal_bsn", args=[client_noord.pk]),
        Capability.LOG_CONTACT: reverse("contact:timeline", args=[client_noord.pk]),
        Capability.VIEW_AUDIT_LOG: reverse("audit:log"),
    }
    for capability, url in pages.items():
        for user in personas.values():
            if capability in CAPABILITIES[user.role]:
                continue
            client.force_login(user)
            before = last_seq()
            response = client.post(url) if capability == Capability.REVEAL_BSN else client.get(url)
            assert response.status_code == 403, (user.role, url)
            entry = _only_entry(before)
            assert (entry.username, entry.outcome, entry.part) == (
                user.username,
                Outcome.DENIED,
                CAPABILITY_PARTS[capability],
            )


# Refused by scope: 404 (as if there were no such client) and one entry


@pytest.mark.parametrize(
    ("url_name", "part"),
    [
        ("clients:detail", "card"),
        ("clients:edit", "card"),
        ("contact:card", "card"),
        ("contact:timeline", "timeline"),
        ("journey:referral_add", "journey"),
    ],
)
def test_a_client_outside_the_users_teams_is_404_and_one_entry(
    client, personas, client_noord, url_name, part
):
    nurse = personas["nurse_zuid"]
    client.force_login(nurse)
    before = last_seq()

    response = client.get(reverse(url_name, args=[client_noord.pk]))

    assert response.status_code == 404
    entry = _only_entry(before)
    _assert_denied(entry, nurse, entry.part, client_noord.pk)
    assert entry.part == part


def test_a_referral_of_a_client_outside_the_users_teams_is_404_and_one_entry(
    client, personas, client_noord
):
    referral = referral_at(
        "received", planner=personas["planner"], nurse=personas["nurse_noord"], client=client_noord
    )
    lead = personas["nurse_zuid"]
    client.force_login(lead)
    before = last_seq()

    response = client.get(reverse("journey:referral", args=[referral.pk]))

    assert response.status_code == 404
    _assert_denied(_only_entry(before), lead, "journey", client_noord.pk)


def test_a_client_that_does_not_exist_is_404_without_an_entry(client, personas):
    client.force_login(personas["nurse_zuid"])
    before = last_seq()

    assert client.get(reverse("clients:detail", args=[999_999])).status_code == 404

    assert audit_entries(before) == []


def test_another_agents_call_without_a_client_is_404_and_one_entry(client, personas):
    agent = personas["front_office"]
    agent.phone_extension = "201"
    agent.save()
    call = call_event_register(
        call_id="c-1",
        event="ringing",
        caller="0337122160",
        agent_extension="201",
        at=timezone.now(),
    ).interaction
    planner = personas["planner"]
    client.force_login(planner)
    before = last_seq()

    response = client.get(reverse("contact:call_write_up", args=[call.pk]))

    assert response.status_code == 404
    _assert_denied(_only_entry(before), planner, "contacts", None)


def test_another_teams_message_in_the_outbox_is_404_and_one_entry(client, personas, teams):
    from halte.clients.tests.factories import ClientFactory
    from halte.outreach.models import Message, MessageStatus
    from halte.outreach.tests.test_pages import make_message

    zuid = ClientFactory(team=teams["zuid"])
    make_message(zuid, 1, status=MessageStatus.FAILED)
    lead = personas["team_lead"]
    client.force_login(lead)
    before = last_seq()

    response = client.post(reverse("outreach:resend", args=[Message.objects.get().pk]))

    assert response.status_code == 404
    _assert_denied(_only_entry(before), lead, "messages", zuid.pk)


def test_a_message_that_does_not_exist_is_404_without_an_entry(client, personas):
    client.force_login(personas["team_lead"])
    before = last_seq()

    assert client.post(reverse("outreach:resend", args=[987_654])).status_code == 404

    assert audit_entries(before) == []

"""The outbox pages: who may see them, what they show, audited, in constant queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import AuditEntry, AuditEntryClient
from halte.clients.models import ContactChannel
from halte.clients.tests.factories import ClientFactory
from halte.outreach.models import Message, MessageChannel, MessageStatus, Trigger

pytestmark = pytest.mark.django_db


def make_message(client, n=0, status=MessageStatus.SENT, **fields):
    now = timezone.now()
    return Message.objects.create(
        client=client,
        recipient_name=client.full_name,
        channel=MessageChannel.EMAIL,
        address="client@example.nl",
        language="nl",
        trigger=Trigger.CARE_STARTED,
        subject=f"Uw vaste contactpersoon {n}",
        body="Beste mevrouw",
        idempotency_key=f"test:{client.pk}:{n}",
        send_after=now,
        status=status,
        sent_at=now if status == MessageStatus.SENT else None,
        **fields,
    )


def test_the_client_page_shows_the_latest_messages_and_who_gets_nothing(
    client, personas, client_noord
):
    make_message(client_noord, 1)
    make_message(client_noord, 2, status=MessageStatus.FAILED, last_error="smtp_550")
    client_noord.journey_messages = False
    client_noord.save()
    client.force_login(personas["nurse_noord"])
    page = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert "Uw vaste contactpersoon 1" in page
    assert "De mailserver weigerde het bericht (550)." in page
    assert "Wil geen berichten over de zorg ontvangen." in page
    assert AuditEntry.objects.filter(part="messages", client_id=client_noord.pk).exists()


def test_the_client_page_section_costs_the_same_for_many_messages(
    client, personas, client_noord, django_assert_num_queries
):
    client.force_login(personas["nurse_noord"])
    url = reverse("clients:detail", args=[client_noord.pk])
    make_message(client_noord, 0)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 12):
        make_message(client_noord, n)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_outbox_is_for_staff_who_act_on_messages(client, personas, client_noord):
    make_message(client_noord)
    url = reverse("outreach:outbox")
    for role, expected in [
        ("front_office", 200),
        ("planner", 200),
        ("team_lead", 200),
        ("nurse_noord", 403),
        ("manager", 403),
        ("privacy_officer", 403),
        ("administrator", 403),
    ]:
        client.force_login(personas[role])
        assert client.get(url).status_code == expected, role


def test_the_outbox_lists_what_to_act_on_and_audits_the_clients_shown(
    client, personas, client_noord
):
    other = ClientFactory(team=client_noord.team)
    make_message(client_noord, 1, status=MessageStatus.FAILED, last_error="smtp_550")
    make_message(other, 2)
    client.force_login(personas["planner"])
    page = client.get(reverse("outreach:outbox"), {"status": "to_act_on"}).content.decode()
    assert client_noord.full_name in page
    assert other.full_name not in page
    entry = AuditEntry.objects.get(part="outbox")
    assert list(
        AuditEntryClient.objects.filter(entry=entry).values_list("client_id", flat=True)
    ) == [client_noord.pk]


def test_the_outbox_pages_in_constant_queries(
    client, personas, client_noord, django_assert_max_num_queries
):
    for n in range(60):
        make_message(client_noord, n, status=MessageStatus.FAILED if n % 3 else MessageStatus.SENT)
    client.force_login(personas["planner"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("outreach:outbox"))
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 50


def test_a_team_lead_sees_only_their_teams_messages(client, personas, client_noord, teams):
    zuid = ClientFactory(team=teams["zuid"])
    make_message(client_noord, 1)
    make_message(zuid, 2)
    client.force_login(personas["team_lead"])
    page = client.get(reverse("outreach:outbox")).content.decode()
    assert client_noord.full_name in page and zuid.full_name not in page
    foreign = Message.objects.get(client=zuid)
    assert client.post(reverse("outreach:resend", args=[foreign.pk])).status_code == 404


def test_send_again_puts_a_failed_message_back_in_the_queue(
    client, personas, client_noord, django_capture_on_commit_callbacks, run_tasks, smtp_server
):
    message = make_message(client_noord, status=MessageStatus.UNCERTAIN)
    client.force_login(personas["front_office"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outreach:resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert run_tasks() == 1  # its send task, on whichever queue
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(smtp_server.messages) == 1


def test_do_not_send_cancels_and_a_sent_message_cannot_be_cancelled(client, personas, client_noord):
    failed = make_message(client_noord, 1, status=MessageStatus.FAILED)
    sent = make_message(client_noord, 2)
    client.force_login(personas["front_office"])
    client.post(reverse("outreach:cancel", args=[failed.pk]))
    client.post(reverse("outreach:cancel", args=[sent.pk]))
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (MessageStatus.CANCELLED, MessageStatus.SENT)


def test_a_clients_own_messages_page(client, personas, client_noord):
    for n in range(7):
        make_message(client_noord, n)
    client.force_login(personas["front_office"])
    response = client.get(reverse("outreach:client_messages", args=[client_noord.pk]))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 7
    client.force_login(personas["nurse_zuid"])
    assert (
        client.get(reverse("outreach:client_messages", args=[client_noord.pk])).status_code == 404
    )


def test_left_out_is_said_per_reason(client, personas, client_noord):
    client_noord.contact_channel = ContactChannel.NONE
    client_noord.save()
    client.force_login(personas["front_office"])
    page = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert client_noord.full_name in page
    # Who misses which kind of message: not "Wie krijgt niets", which a client who still
    # receives the messages about the care would seem to be.
    assert "<h3>Wie wat niet krijgt</h3>" in page
    assert "Wil geen berichten." in page

"""The notices on the workplace: each sees their own, with a link to the promise and the
client; "gelezen" (htmx or a plain form) marks them read; the page audits the clients
it names and stays at a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from halte.audit.models import Action, Outcome
from halte.clients.tests.factories import ClientFactory
from halte.clients.tests.pages import last_seq, looks_since
from halte.contact.extensions import WORKPLACE_NOTICES
from halte.contact.models import CommitmentStatus
from halte.contact.tests.pages import make_promise
from halte.outreach.models import NotificationKind, StaffNotification

WORKPLACE = reverse("contact:workplace")
READ_ALL = reverse("outreach:notifications_read")
HX = {"HX-Request": "true"}


def read_url(notification) -> str:
    return reverse("outreach:notification_read", args=[notification.pk])


def notice_for(user, client_obj, kind=NotificationKind.PROMISE_NEARLY_DUE, *, owner=None):
    promise = make_promise(
        client_obj, user, due_in=datetime.timedelta(minutes=50), owner_user=owner or user
    )
    return StaffNotification.objects.create(
        user=user, kind=kind, client=client_obj, commitment=promise
    )


@pytest.fixture
def nurse(personas):
    return personas["nurse_noord"]


def test_the_workplace_shows_the_users_own_unread_notices(client, nurse, personas, client_noord):
    mine = notice_for(nurse, client_noord)
    lead = personas["team_lead"]
    theirs = notice_for(lead, client_noord, NotificationKind.PROMISE_ESCALATED, owner=nurse)
    client.force_login(nurse)

    content = client.get(WORKPLACE).content.decode()

    assert 'id="notices-heading"' in content
    assert "Toezegging verloopt bijna" in content
    assert reverse("contact:commitment", args=[mine.commitment_id]) in content
    assert reverse("contact:card", args=[client_noord.pk]) in content
    assert "Hendrika van den Berg" in content
    assert read_url(mine) in content
    assert read_url(theirs) not in content


def test_someone_without_notices_sees_no_notice_section(client, personas, nurse, client_noord):
    notice_for(nurse, client_noord)
    client.force_login(personas["nurse_zuid"])
    assert 'id="notices-heading"' not in client.get(WORKPLACE).content.decode()


def test_it_leaves_out_notices_of_kept_promises_and_of_clients_out_of_sight(
    client, nurse, teams, client_noord
):
    kept = notice_for(nurse, client_noord)
    kept.commitment.status, kept.commitment.completed_at = CommitmentStatus.DONE, timezone.now()
    kept.commitment.save()
    moved = ClientFactory(team=teams["noord"], family_name="Verhuisd")
    notice_for(nurse, moved)
    moved.team = teams["zuid"]
    moved.save()
    client.force_login(nurse)
    content = client.get(WORKPLACE).content.decode()
    assert 'id="notices-heading"' not in content
    assert "Verhuisd" not in content


def test_it_marks_a_notice_read_with_htmx(client, nurse, client_noord):
    notice = notice_for(nurse, client_noord)
    client.force_login(nurse)

    response = client.post(read_url(notice), headers=HX)

    assert response.status_code == 200
    assert response.content == b""
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert read_url(notice) not in client.get(WORKPLACE).content.decode()


def test_it_marks_read_without_javascript_and_returns_to_the_workplace(client, nurse, client_noord):
    notice = notice_for(nurse, client_noord)
    client.force_login(nurse)
    response = client.post(read_url(notice))
    assert response.status_code == 302
    assert response.url == WORKPLACE
    assert StaffNotification.objects.get().read_at is not None


def test_no_one_marks_anothers_notice_read(client, nurse, personas, client_noord):
    notice = notice_for(nurse, client_noord)
    client.force_login(personas["team_lead"])
    assert client.post(read_url(notice), headers=HX).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_read_is_a_post_by_someone_logged_in(client, nurse, personas, client_noord):
    notice = notice_for(nurse, client_noord)
    assert client.post(read_url(notice)).status_code == 302  # to the login
    client.force_login(nurse)
    assert client.get(read_url(notice)).status_code == 405
    client.force_login(personas["privacy_officer"])
    assert client.post(read_url(notice)).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_marks_all_of_the_users_notices_read(client, nurse, personas, client_noord):
    mine = [notice_for(nurse, client_noord) for _ in range(3)]
    theirs = notice_for(personas["team_lead"], client_noord)
    client.force_login(nurse)
    response = client.post(READ_ALL, headers=HX)
    assert response.status_code == 200
    assert all(
        n.read_at is not None for n in StaffNotification.objects.filter(pk__in=[n.pk for n in mine])
    )
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_notices_are_audited_as_a_look_at_the_clients_they_name(
    client, nurse, teams, client_noord
):
    other = ClientFactory(team=teams["noord"])
    notice_for(nurse, client_noord)
    notice_for(nurse, other)
    client.force_login(nurse)
    with WORKPLACE_NOTICES.replaced():
        client.get(WORKPLACE)  # the promise lists' own entry, without the notices
        before = last_seq()
        client.get(WORKPLACE)
        without = looks_since(before)
    before = last_seq()
    client.get(WORKPLACE)
    looks = looks_since(before)
    assert looks[: len(without)] == without
    assert looks[len(without) :] == [
        (Action.READ, "promises", sorted([client_noord.pk, other.pk]), Outcome.SUCCESS)
    ]


def test_it_shows_the_notices_in_a_constant_number_of_queries(
    client, nurse, teams, client_noord, django_assert_num_queries
):
    notice_for(nurse, client_noord)
    client.force_login(nurse)
    client.get(WORKPLACE)  # warm the session and the policy
    with django_assert_num_queries(40, exact=False) as few:
        client.get(WORKPLACE)
    for _ in range(6):
        notice_for(nurse, ClientFactory(team=teams["noord"]), NotificationKind.PROMISE_OVERDUE)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(WORKPLACE)
    assert response.content.decode().count('class="notification ') == 7


def test_it_shows_the_newest_twenty(client, nurse, client_noord):
    for _ in range(21):
        notice_for(nurse, client_noord)
    client.force_login(nurse)
    content = client.get(WORKPLACE).content.decode()
    assert content.count('class="notification ') == 20
    assert "De nieuwste 20 staan hier" in content

"""The announcement pages: who may use them, writing, the preview, sending once, the
status page with its progress, audited, in constant queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.timezone import now

from halte.audit.models import Action, AuditEntry, AuditEntryClient, Outcome
from halte.clients.tests.pages import assert_shows
from halte.core.validation import PLANNED_MOMENT
from halte.journey.tests.factories import product
from halte.outreach import announcements
from halte.outreach.models import Announcement, AnnouncementStatus, Message, MessageStatus
from halte.outreach.tests.announcement_helpers import agreed, announcement

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "title": "Wegwerkzaamheden",
        "nl_subject": "Wegwerkzaamheden Stationsweg",
        "nl_body": "Beste {{ name }}, de zorg komt misschien later.",
        "en_subject": "",
        "en_body": "",
        "postcode_from": "",
        "postcode_to": "",
    }
    return data | overrides


def clients_named_by(part: str) -> set[int]:
    return set(
        AuditEntryClient.objects.filter(entry__part=part).values_list("client_id", flat=True)
    )


def test_only_planners_and_team_leads_send_announcements(client, personas):
    item = announcement(personas["planner"])
    urls = [
        reverse("outreach:announcements"),
        reverse("outreach:announcement_create"),
        reverse("outreach:announcement_preview", args=[item.pk]),
        reverse("outreach:announcement_status", args=[item.pk]),
        reverse("outreach:announcement_progress", args=[item.pk]),
    ]
    for role, expected in [
        ("planner", 200),
        ("front_office", 403),
        ("nurse_noord", 403),
        ("manager", 403),
        ("privacy_officer", 403),
        ("administrator", 403),
    ]:
        client.force_login(personas[role])
        for url in urls:
            assert client.get(url).status_code == expected, (role, url)
    client.force_login(personas["nurse_noord"])
    send = reverse("outreach:announcement_send", args=[item.pk])
    assert client.post(send, {"when": "now", "confirmed": "on"}).status_code == 403
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DRAFT


def test_a_team_lead_writes_for_their_own_teams_and_sees_only_their_own(client, personas, teams):
    lead = personas["team_lead"]
    others = announcement(personas["planner"])
    client.force_login(lead)
    page = client.get(reverse("outreach:announcement_create")).content.decode()
    assert "Wijkteam Noord" in page and "Wijkteam Zuid" not in page
    response = client.post(
        reverse("outreach:announcement_create"), form_data(teams=[str(teams["zuid"].pk)])
    )
    assert response.status_code == 200 and not Announcement.objects.filter(created_by=lead)
    assert client.get(reverse("outreach:announcement_preview", args=[others.pk])).status_code == 404
    assert "<tbody>" not in client.get(reverse("outreach:announcements")).content.decode()
    # Without a team filter a team lead's announcement still reaches only their teams.
    mine = announcement(lead)
    noord, zuid = agreed(teams["noord"], 1), agreed(teams["zuid"], 2)
    page = client.get(reverse("outreach:announcement_preview", args=[mine.pk])).content.decode()
    assert escape(noord.full_name) in page and escape(zuid.full_name) not in page


def _denied():
    return list(
        AuditEntry.objects.filter(outcome=Outcome.DENIED)
        .order_by("seq")
        .values_list("username", "action", "part", "client_id")
    )


def _page_as_seen(response, url: str) -> str:
    """The page without what differs by request alone: the forms' CSRF token (masked
    anew on every page) and the page's own address (the language switch returns there)."""
    page = response.content.decode().replace(url, "URL")
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


ANNOUNCEMENT_PAGES = [
    ("get", "outreach:announcement_status", Action.READ, "announcement_recipients"),
    ("get", "outreach:announcement_edit", Action.READ, "announcement_recipients"),
    ("get", "outreach:announcement_preview", Action.READ, "announcement_preview"),
    ("get", "outreach:announcement_progress", Action.READ, "announcement_recipients"),
    ("post", "outreach:announcement_edit", Action.UPDATE, "announcement_recipients"),
    ("post", "outreach:announcement_send", Action.UPDATE, "announcement_recipients"),
    ("post", "outreach:announcement_unschedule", Action.UPDATE, "announcement_recipients"),
    ("post", "outreach:announcement_cancel", Action.UPDATE, "announcement_recipients"),
]


@pytest.mark.parametrize(("method", "name", "action", "part"), ANNOUNCEMENT_PAGES)
def test_another_team_leads_announcement_writes_one_denied_entry_and_answers_as_unknown(
    client, personas, method, name, action, part
):
    planners = announcement(personas["planner"])
    unknown = planners.pk + 1000
    client.force_login(personas["team_lead"])
    call = getattr(client, method)
    data = {"when": "now", "confirmed": "on"} if method == "post" else {}

    unknown_url, url = reverse(name, args=[unknown]), reverse(name, args=[planners.pk])
    missing = call(unknown_url, data)
    assert _denied() == []
    refused = call(url, data)

    assert refused.status_code == missing.status_code == 404
    assert _page_as_seen(refused, url) == _page_as_seen(missing, unknown_url)
    assert _denied() == [("lead_noord", action, f"{part},announcement={planners.pk}", None)]
    planners.refresh_from_db()
    assert planners.status == AnnouncementStatus.DRAFT


def test_writing_an_announcement_and_the_errors_in_dutch(client, personas, teams):
    client.force_login(personas["planner"])
    url = reverse("outreach:announcement_create")
    response = client.post(
        url,
        form_data(nl_body="Beste {{ naam }}", postcode_from="381", postcode_to="3818"),
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "{{ naam }}" in page
    assert "vier cijfers" in page  # the postcode area, in Dutch
    assert not Announcement.objects.exists()
    care = product()
    response = client.post(
        url,
        form_data(
            teams=[str(teams["noord"].pk)],
            postcode_from="3811",
            postcode_to="3818",
            products=[str(care.pk)],
            stages=["waiting"],
            languages=["nl", "tr"],
            en_subject="Road works",
            en_body="Dear {{ name }}",
            other1_language="tr",
            other1_body="Sayin {{ name }}",
        ),
    )
    item = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:announcement_preview", args=[item.pk])
    assert item.created_by == personas["planner"]
    assert item.status == AnnouncementStatus.DRAFT
    assert set(item.texts) == {"nl", "en", "tr"}
    assert item.segment == {
        "teams": [teams["noord"].pk],
        "postcode_from": "3811",
        "postcode_to": "3818",
        "products": [care.pk],
        "stages": ["waiting"],
        "languages": ["nl", "tr"],
    }
    edit = client.get(reverse("outreach:announcement_edit", args=[item.pk])).content.decode()
    assert "Sayin {{ name }}" in edit and 'value="3811"' in edit


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Weg\u202ewerken", "leesrichting weg (positie 4)"),
        ("nl_subject", "Let op\x07", "stuurteken weg (positie 7)"),
        ("nl_subject", "Let op\nBcc: iemand", "op één regel"),
        ("nl_body", "Beste {{ name }},\n\u2066de zorg\u2069 komt later.", "leesrichting weg"),
    ],
)
def test_a_hidden_character_is_refused_in_dutch_and_nothing_is_written(
    client, personas, field, value, message
):
    # The texts go out to clients: the service refuses them for the page as for the API.
    client.force_login(personas["planner"])
    response = client.post(
        reverse("outreach:announcement_create"),
        form_data(**{field: value}),
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Announcement.objects.exists()


def test_the_preview_shows_recipients_left_out_and_the_texts_and_is_audited(
    client, personas, teams
):
    yes = agreed(teams["noord"], 1, family_name="Jansen")
    english = agreed(teams["noord"], 2, language="en", family_name="Smith")
    no = agreed(teams["noord"], 3, announcements=False, family_name="Nooitmeer")
    item = announcement(personas["planner"])
    client.force_login(personas["planner"])
    page = client.get(reverse("outreach:announcement_preview", args=[item.pk])).content.decode()
    assert "2 ontvangers" in page or "2 recipients" in page
    assert escape(yes.full_name) in page and escape(english.full_name) in page
    assert no.full_name not in page
    assert "Did not agree to receive announcements." in page or "mededelingen" in page
    assert "Wegwerkzaamheden Stationsweg" in page and "Road works Stationsweg" in page
    assert clients_named_by("announcement_preview") == {yes.pk, english.pk}


def test_sending_from_the_page_needs_a_tick_and_a_second_click_sends_nothing(
    client, personas, teams, run_tasks, smtp_server, django_capture_on_commit_callbacks
):
    agreed(teams["noord"], 1, email="een@example.nl")
    item = announcement(personas["planner"])
    client.force_login(personas["planner"])
    url = reverse("outreach:announcement_send", args=[item.pk])
    response = client.post(url, {"when": "now"})
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"when": "now", "confirmed": "on"})
        second = client.post(url, {"when": "now", "confirmed": "on"})
    assert first.status_code == second.status_code == 302
    run_tasks()
    assert len(smtp_server.messages) == 1
    assert Message.objects.filter(announcement=item).count() == 1
    page = client.get(second["Location"], follow=True).content.decode()
    assert item.title in page


def test_scheduling_from_the_page(client, personas, teams):
    item = announcement(personas["planner"])
    client.force_login(personas["planner"])
    url = reverse("outreach:announcement_send", args=[item.pk])
    past = client.post(url, {"when": "later", "send_at": "01-01-2020 09:00", "confirmed": "on"})
    assert past.status_code == 422
    # Planned at most two years ahead (core.validation.PLANNED_MOMENT).
    too_far = client.post(url, {"when": "later", "send_at": "01-01-2099 09:00", "confirmed": "on"})
    assert too_far.status_code == 422
    assert_shows(
        too_far, PLANNED_MOMENT.problem(datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    )
    next_year = timezone.localdate().year + 1
    client.post(url, {"when": "later", "send_at": f"01-01-{next_year} 09:00", "confirmed": "on"})
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.SCHEDULED
    assert item.send_at.year == next_year
    # A scheduled announcement cannot be changed until it is a draft again.
    edit = reverse("outreach:announcement_edit", args=[item.pk])
    assert client.get(edit).status_code == 302
    client.post(reverse("outreach:announcement_unschedule", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DRAFT
    assert client.get(edit).status_code == 200


def sent(personas, teams, n, django_capture_on_commit_callbacks) -> Announcement:
    for i in range(n):
        agreed(teams["noord"], i)
    item = announcement(personas["planner"])
    announcements.send_now(item)
    announcements.compose_all(item.pk)
    item.refresh_from_db()
    return item


def test_the_status_page_lists_each_recipient_and_is_audited(
    client, personas, teams, django_capture_on_commit_callbacks
):
    item = sent(personas, teams, 3, django_capture_on_commit_callbacks)
    Message.objects.filter(announcement=item).update(status=MessageStatus.SENT, sent_at=now())
    failed = Message.objects.filter(announcement=item).first()
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED, last_error="smtp_550")
    client.force_login(personas["planner"])
    page = client.get(reverse("outreach:announcement_status", args=[item.pk])).content.decode()
    for message in Message.objects.filter(announcement=item):
        # Escaped as the page writes it: the factory's names may hold an apostrophe.
        assert escape(message.recipient_name) in page
    assert "(550)" in page  # the mail server refused it, in words
    assert 'hx-trigger="every 2s"' not in page  # nothing moves any more
    assert clients_named_by("announcement_recipients") == set(
        Message.objects.filter(announcement=item).values_list("client_id", flat=True)
    )


def test_the_progress_bar_refreshes_while_sending_and_stops_when_done(
    client, personas, teams, django_capture_on_commit_callbacks
):
    item = sent(personas, teams, 3, django_capture_on_commit_callbacks)
    client.force_login(personas["planner"])
    url = reverse("outreach:announcement_progress", args=[item.pk])
    entries = AuditEntry.objects.count()
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment  # three messages waiting to go
    assert 'max="3" value="0"' in fragment
    assert "<html" not in fragment
    assert AuditEntry.objects.count() == entries  # counts only, no client named
    Message.objects.filter(announcement=item).update(status=MessageStatus.SENT, sent_at=now())
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in fragment
    assert 'max="3" value="3"' in fragment
    Announcement.objects.filter(pk=item.pk).update(status=AnnouncementStatus.SENDING)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment  # still composing


def test_the_list_and_status_pages_in_constant_queries(
    client, personas, teams, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(personas["planner"])
    item = sent(personas, teams, 2, django_capture_on_commit_callbacks)
    pages = [
        reverse("outreach:announcements"),
        reverse("outreach:announcement_status", args=[item.pk]),
        reverse("outreach:announcement_progress", args=[item.pk]),
    ]
    counts = []
    for url in pages:
        client.get(url)  # the session and the caches warm
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few.captured_queries))
    more = sent(personas, teams, 12, django_capture_on_commit_callbacks)
    announcement(personas["planner"], title="Nog een")
    pages[1:] = [
        reverse("outreach:announcement_status", args=[more.pk]),
        reverse("outreach:announcement_progress", args=[more.pk]),
    ]
    for url, count in zip(pages, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_preview_reads_the_segment_in_chunks_not_per_client(
    client, personas, teams, django_assert_num_queries
):
    client.force_login(personas["planner"])
    item = announcement(personas["planner"])
    agreed(teams["noord"], 1)
    url = reverse("outreach:announcement_preview", args=[item.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(2, 30):
        agreed(teams["noord" if n % 2 else "zuid"], n)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_outbox_links_to_the_announcements(client, personas):
    client.force_login(personas["planner"])
    page = client.get(reverse("outreach:outbox")).content.decode()
    assert reverse("outreach:announcements") in page
    client.force_login(personas["front_office"])
    page = client.get(reverse("outreach:outbox")).content.decode()
    assert reverse("outreach:announcements") not in page

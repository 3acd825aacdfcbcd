"""Announcements in the API: create, preview, schedule, status, with scopes, a team
lead's limits, and the errors of API.md."""

import datetime

import pytest
from django.utils import timezone, translation

from halte.api.tests.helpers import Api, error_of
from halte.audit.labels import part_label
from halte.audit.models import Action, AuditEntry, AuditEntryClient, Outcome
from halte.journey.tests.factories import product
from halte.outreach.models import Announcement, AnnouncementStatus, Message
from halte.outreach.tests.announcement_helpers import TEXTS, agreed, announcement, waiting

pytestmark = pytest.mark.django_db


def body(**overrides) -> dict:
    return {"title": "Wegwerkzaamheden", "texts": TEXTS} | overrides


def test_create_returns_201_with_the_stored_announcement(client, personas, teams):
    care = product()
    api = Api(client, personas["planner"], scopes=["announcements"])
    response = api.post(
        "/announcements",
        body(
            segment={
                "teams": [teams["noord"].pk],
                "postcode_from": "3811",
                "postcode_to": "3818",
                "products": [care.code],
                "stages": ["waiting"],
                "languages": ["nl", "TR"],
            }
        ),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    item = Announcement.objects.get(pk=data["id"])
    assert data["status"] == "draft"
    assert data["segment"]["products"] == [care.code]
    assert data["segment"]["languages"] == ["nl", "tr"]
    assert item.segment["products"] == [care.pk]
    assert data["texts"]["en"]["subject"] == "Road works Stationsweg"
    assert data["progress"]["composed"] == 0


def test_an_unknown_placeholder_is_422_and_nothing_is_written(client, personas):
    api = Api(client, personas["planner"])
    texts = {"nl": {"subject": "Let op", "body": "Beste {{ naam }}"}}
    response = api.post("/announcements", body(texts=texts))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert "{{ naam }}" in error["fields"]["texts.nl.body"][0]
    assert not Announcement.objects.exists()


def test_a_line_break_in_the_subject_is_422_and_nothing_is_written(client, personas):
    # The API's text type leaves line breaks to the service; a subject is one line
    # (an e-mail header).
    api = Api(client, personas["planner"])
    texts = {"nl": {"subject": "Let op\nBcc: iemand", "body": "Beste {{ name }}"}}
    response = api.post("/announcements", body(texts=texts))
    assert response.status_code == 422
    assert "texts.nl.subject" in error_of(response)["fields"]
    assert not Announcement.objects.exists()


def test_bad_segments_are_422_naming_the_field(client, personas, teams):
    api = Api(client, personas["team_lead"])
    for segment, field in [
        ({"teams": [teams["zuid"].pk]}, "segment.teams"),  # not the lead's team
        ({"products": ["geen-product"]}, "segment.products"),
        ({"postcode_from": "3818", "postcode_to": "3811"}, "segment.postcode_to"),
        ({"languages": ["xx"]}, "segment.languages"),
        ({"stages": ["somewhere"]}, "segment.stages"),
        ({"colour": "blue"}, "segment.colour"),
    ]:
        response = api.post("/announcements", body(segment=segment))
        assert response.status_code == 422, segment
        fields = error_of(response)["fields"]
        assert any(name.startswith(field) for name in fields), (segment, fields)
    assert not Announcement.objects.exists()


def test_scopes_and_roles(client, personas):
    item = announcement(personas["planner"])
    for user, scopes, expected in [
        ("planner", ["clients:read"], 403),
        ("planner", ["announcements"], 200),
        ("planner", [], 200),
        ("nurse_noord", [], 403),
        ("front_office", [], 403),
        ("manager", ["announcements"], 403),
    ]:
        api = Api(client, personas[user], scopes=scopes)
        for path in [
            "/announcements",
            f"/announcements/{item.pk}",
            f"/announcements/{item.pk}/preview",
            f"/announcements/{item.pk}/messages",
        ]:
            response = api.get(path)
            assert response.status_code == expected, (user, scopes, path)
        if expected == 403:
            assert api.post(f"/announcements/{item.pk}/schedule", {}).status_code == 403
    item.refresh_from_db()
    assert item.status == AnnouncementStatus.DRAFT
    assert Api(client).get("/announcements").status_code == 401


def test_another_team_leads_or_an_unknown_announcement_is_404(client, personas):
    planners = announcement(personas["planner"])
    api = Api(client, personas["team_lead"], scopes=["announcements"])
    for path in [f"/announcements/{planners.pk}", "/announcements/999999"]:
        response = api.get(path)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert api.post(f"/announcements/{planners.pk}/schedule", {}).status_code == 404
    planners.refresh_from_db()
    assert planners.status == AnnouncementStatus.DRAFT


def _denied():
    return list(
        AuditEntry.objects.filter(outcome=Outcome.DENIED)
        .order_by("seq")
        .values_list("username", "action", "part", "client_id")
    )


@pytest.mark.parametrize(
    ("method", "path", "action", "part"),
    [
        ("get", "/announcements/{pk}", Action.READ, "announcement_recipients"),
        ("get", "/announcements/{pk}/preview", Action.READ, "announcement_preview"),
        ("get", "/announcements/{pk}/messages", Action.READ, "announcement_recipients"),
        ("post", "/announcements/{pk}/schedule", Action.UPDATE, "announcement_recipients"),
    ],
)
def test_another_team_leads_announcement_writes_one_denied_entry_and_answers_as_unknown(
    client, personas, method, path, action, part
):
    planners = announcement(personas["planner"])
    unknown = Announcement.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    api = Api(client, personas["team_lead"], scopes=["announcements"])
    call = getattr(api, method)
    args = ({},) if method == "post" else ()

    missing = call(path.format(pk=unknown), *args)
    assert _denied() == []
    refused = call(path.format(pk=planners.pk), *args)

    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert _denied() == [("lead_noord", action, f"{part},announcement={planners.pk}", None)]
    with translation.override("nl"):
        assert part_label(_denied()[0][2]).endswith(f", Mededeling (id): {planners.pk}")
    planners.refresh_from_db()
    assert planners.status == AnnouncementStatus.DRAFT


def test_preview_names_the_recipients_and_the_left_out_and_is_audited(client, personas, teams):
    yes = agreed(teams["noord"], 1)
    waiting(yes)
    agreed(teams["noord"], 2, announcements=False)
    agreed(teams["zuid"], 3, language="en")
    item = announcement(personas["planner"], segment={"stages": ["waiting"]})
    response = Api(client, personas["planner"]).get(f"/announcements/{item.pk}/preview")
    assert response.status_code == 200
    data = response.json()
    assert data["clients"] == 1 and data["recipients"] == 1
    assert [r["client_id"] for r in data["sample"]] == [yes.pk]
    assert data["sample"][0]["channel"] == "email"
    assert data["texts"]["nl"]["recipients"] == 1
    assert data["texts"]["nl"]["body"].startswith(f"Beste {yes.full_name}")
    assert data["texts"]["en"]["body"].startswith("Dear")
    item.segment = {}
    item.save()
    data = Api(client, personas["planner"]).get(f"/announcements/{item.pk}/preview").json()
    assert data["recipients"] == 2
    assert data["left_out"] == [
        {
            "reason": "not_opted_in",
            "text": "Heeft niet ingestemd met nieuws en mededelingen.",
            "count": 1,
        }
    ]
    named = set(
        AuditEntryClient.objects.filter(entry__part="announcement_preview").values_list(
            "client_id", flat=True
        )
    )
    assert yes.pk in named


def test_schedule_now_sends_once_and_a_second_call_is_409(
    client, personas, teams, run_tasks, smtp_server, django_capture_on_commit_callbacks
):
    agreed(teams["noord"], 1, email="een@example.nl")
    item = announcement(personas["planner"])
    api = Api(client, personas["planner"], scopes=["announcements"])
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/announcements/{item.pk}/schedule", {})
        second = api.post(f"/announcements/{item.pk}/schedule", {"send_at": None})
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "sending"
    assert second.status_code == 409
    assert error_of(second)["code"] == "conflict"
    run_tasks()
    assert len(smtp_server.messages) == 1
    status = api.get(f"/announcements/{item.pk}").json()
    assert status["status"] == "done"
    assert status["recipients_total"] == 1
    assert status["progress"]["sent"] == 1 and status["progress"]["percent"] == 100
    messages = api.get(f"/announcements/{item.pk}/messages").json()
    (message,) = messages["items"]
    assert message["status"] == "sent" and message["recipient_name"]
    assert messages["next"] is None


def test_schedule_later_and_the_past_is_422(client, personas):
    item = announcement(personas["planner"])
    api = Api(client, personas["planner"])
    past = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    response = api.post(f"/announcements/{item.pk}/schedule", {"send_at": past})
    assert response.status_code == 422 and "send_at" in error_of(response)["fields"]
    naive = api.post(f"/announcements/{item.pk}/schedule", {"send_at": "2099-01-01T09:00:00"})
    assert naive.status_code == 422
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = api.post(f"/announcements/{item.pk}/schedule", {"send_at": later})
    assert response.status_code == 200
    assert response.json()["status"] == "scheduled"


def test_the_messages_are_paginated_and_each_page_is_audited(
    client, personas, teams, django_capture_on_commit_callbacks
):
    from halte.outreach import announcements

    for n in range(5):
        agreed(teams["noord"], n)
    item = announcement(personas["planner"])
    announcements.send_now(item)
    announcements.compose_all(item.pk)
    api = Api(client, personas["planner"])
    first = api.get(f"/announcements/{item.pk}/messages", {"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next"]
    rest = api.get(
        f"/announcements/{item.pk}/messages", {"limit": 3, "cursor": first["next"]}
    ).json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    ids = {m["id"] for m in first["items"] + rest["items"]}
    assert ids == set(Message.objects.filter(announcement=item).values_list("pk", flat=True))
    queued = api.get(f"/announcements/{item.pk}/messages", {"status": "sent"}).json()
    assert queued["items"] == []
    bad = api.get(f"/announcements/{item.pk}/messages", {"cursor": "nonsense"})
    assert bad.status_code == 400


def test_the_list_in_constant_queries(client, personas, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = Api(client, personas["planner"])
    announcement(personas["planner"], segment={"products": [product().pk]})
    api.get("/announcements")
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/announcements").json()["items"]) == 1
    for n in range(6):
        announcement(personas["planner"], segment={"products": [product().pk]}, title=f"M{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/announcements").json()["items"]) == 7

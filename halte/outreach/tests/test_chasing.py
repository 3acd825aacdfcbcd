"""Promises are chased: the owner hears before a promise expires, the team lead when it
is overdue, each once, in the app and by email through a real SMTP server; the morning
digest per team counts right and goes once a day."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from halte.clients.tests.factories import ClientFactory
from halte.contact.events import PromiseNearlyDue, PromiseOverdue
from halte.contact.models import CommitmentStatus
from halte.contact.services import publish_promises_due
from halte.contact.tests import pages
from halte.core import events
from halte.core.roles import Role
from halte.core.schedule import PERIODIC_JOBS
from halte.core.tests.factories import UserFactory
from halte.outreach import chasing
from halte.outreach.models import NotificationKind, StaffNotification, TeamDigest

WARN = datetime.timedelta(hours=1)
SLOT = datetime.timedelta(minutes=5)


@pytest.fixture
def staff(personas, teams):
    """The nurse and lead of Noord with email addresses; a lead of Zuid too."""
    for name in ("nurse_noord", "nurse_zuid", "team_lead"):
        personas[name].email = f"{personas[name].username}@zorg.example"
        personas[name].save()
    lead_zuid = UserFactory(
        username="lead_zuid", role=Role.TEAM_LEAD, teams=[teams["zuid"]], email="lz@zorg.example"
    )
    return {**personas, "lead_zuid": lead_zuid}


def make_promise(*args, **kwargs):
    """contact's helper, with the due time as stored (in the past, it is set after)."""
    promise = pages.make_promise(*args, **kwargs)
    promise.refresh_from_db()
    return promise


def run_slot(published, run_tasks, moment):
    """The promise job's slot that contains `moment` as an overdue or warning time,
    delivered as after its commit; then the worker runs."""
    with published():
        publish_promises_due(since=moment - SLOT, until=moment + SLOT, warn_before=WARN)
    return run_tasks()


def addressees(smtp_server) -> list[str]:
    return sorted(str(m["To"]) for m in smtp_server.messages)


def notices():
    return sorted(
        (n.user.username, n.kind, n.commitment_id)
        for n in StaffNotification.objects.select_related("user")
    )


def test_it_subscribes_and_schedules_the_digest():
    for event_type in (PromiseNearlyDue, PromiseOverdue):
        assert chasing.on_promise_event in events.subscribers_of(event_type, in_transaction=True)
    [job] = [job for job in PERIODIC_JOBS.providers if job.name == "team_digest"]
    assert job.task is chasing.send_team_digests
    assert job.at == datetime.time(7, 30)


def test_a_promise_nearly_due_reminds_its_owner_in_the_app_and_by_email(
    staff, client_noord, published, run_tasks, smtp_server
):
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord,
        staff["front_office"],
        due_in=datetime.timedelta(hours=2),
        owner_user=nurse,
        text="Terugbellen over de wondzorg",
    )
    ran = run_slot(published, run_tasks, promise.due_at - WARN)

    assert ran == 2  # the notice (one task per event), then its email
    assert notices() == [("nurse_noord", NotificationKind.PROMISE_NEARLY_DUE, promise.pk)]
    [message] = smtp_server.messages
    assert message["To"] == "nurse_noord@zorg.example"
    body = message.get_content()
    due = timezone.localtime(promise.due_at).strftime("%H:%M")
    assert "Je hebt een toezegging die" in body
    assert due in body and "verloopt" in body
    assert f"http://127.0.0.1:8000/werkplek/toezeggingen/{promise.pk}/" in body
    # Minimal: no client, no description, not even a link to the client.
    for secret in ("Hendrika", "Berg", "wondzorg", "clienten/"):
        assert secret not in body and secret not in message["Subject"]
    assert StaffNotification.objects.get().emailed_at is not None


def test_an_overdue_promise_goes_to_its_owner_and_escalates_to_the_team_lead_once(
    staff, client_noord, published, run_tasks, smtp_server
):
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord, nurse, due_in=-datetime.timedelta(hours=2), owner_user=nurse
    )
    run_slot(published, run_tasks, promise.due_at)

    assert notices() == [
        ("lead_noord", NotificationKind.PROMISE_ESCALATED, promise.pk),
        ("nurse_noord", NotificationKind.PROMISE_OVERDUE, promise.pk),
    ]
    assert addressees(smtp_server) == ["lead_noord@zorg.example", "nurse_noord@zorg.example"]
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert subjects == [
        "Halte: een toezegging in je team is verlopen",
        "Halte: je toezegging is verlopen",
    ]

    # The same slot again (a second scheduler, a rerun by hand): nothing more.
    run_slot(published, run_tasks, promise.due_at)
    assert len(StaffNotification.objects.all()) == 2
    assert len(smtp_server.messages) == 2


def test_a_team_promise_is_answered_for_by_that_teams_lead_only(
    staff, client_noord, teams, published, run_tasks, smtp_server
):
    promise = make_promise(
        client_noord,
        staff["front_office"],
        due_in=-datetime.timedelta(hours=1),
        owner_team=teams["noord"],
    )
    run_slot(published, run_tasks, promise.due_at)

    # The lead is the owner's voice: one notice, not an escalation besides.
    assert notices() == [("lead_noord", NotificationKind.PROMISE_OVERDUE, promise.pk)]
    assert addressees(smtp_server) == ["lead_noord@zorg.example"]


def test_a_lead_of_a_team_that_cannot_see_the_client_hears_nothing(
    staff, teams, published, run_tasks, smtp_server
):
    # A promise of team Zuid about a client of Noord: Zuid's lead could not open it,
    # so Noord's lead (the client's team) hears of it.
    noord_client = ClientFactory(team=teams["noord"])
    promise = make_promise(
        noord_client,
        staff["front_office"],
        due_in=-datetime.timedelta(hours=1),
        owner_team=teams["zuid"],
    )
    run_slot(published, run_tasks, promise.due_at)
    assert notices() == [("lead_noord", NotificationKind.PROMISE_OVERDUE, promise.pk)]


def test_a_refused_email_is_tried_again_later_and_then_never_sent_again(
    staff, client_noord, published, run_tasks, smtp_server
):
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse
    )
    smtp_server.refuse = "451 4.3.0 Try again later"
    run_slot(published, run_tasks, promise.due_at - WARN)
    notification = StaffNotification.objects.get()
    assert notification.emailed_at is None
    assert smtp_server.messages == []

    smtp_server.refuse = None
    assert run_tasks() == 0  # the next attempt waits its turn
    assert run_tasks(now=timezone.now() + chasing.EMAIL_RETRY_AFTER) == 1
    assert len(smtp_server.messages) == 1
    # Enqueued again by hand, twice: nothing more leaves.
    chasing.send_notification_email.enqueue(notification.pk)
    chasing.send_notification_email.enqueue(notification.pk)
    assert run_tasks() == 2
    assert len(smtp_server.messages) == 1


def test_it_gives_up_after_the_last_attempt(staff, client_noord, published, run_tasks, smtp_server):
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse
    )
    smtp_server.refuse = "451 4.3.0 Try again later"
    run_slot(published, run_tasks, promise.due_at - WARN)
    far = timezone.now() + datetime.timedelta(days=1)
    assert run_tasks(now=far) == chasing.EMAIL_ATTEMPTS - 1
    assert run_tasks(now=far) == 0
    assert smtp_server.messages == []
    assert StaffNotification.objects.get().emailed_at is None


def test_a_notice_read_or_kept_before_its_email_is_not_emailed(
    staff, client_noord, published, run_tasks, smtp_server
):
    nurse = staff["nurse_noord"]
    read = make_promise(client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse)
    kept = make_promise(client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse)
    # The notices are made (the job's tasks), their emails wait in the queue...
    with published():
        for promise in (read, kept):
            chasing.on_promise_nearly_due(
                PromiseNearlyDue(
                    client_id=client_noord.pk,
                    commitment_id=promise.pk,
                    due_at=promise.due_at,
                    owner_user_id=nurse.pk,
                    owner_team_id=None,
                )
            )
    # ...while one notice is read and the other promise kept.
    StaffNotification.objects.filter(commitment=read).update(read_at=timezone.now())
    kept.status, kept.completed_at = CommitmentStatus.DONE, timezone.now()
    kept.save()
    run_tasks()
    assert StaffNotification.objects.count() == 2
    assert smtp_server.messages == []


def test_a_staff_member_without_an_email_address_is_notified_in_the_app_only(
    staff, client_noord, published, run_tasks, smtp_server
):
    nurse = staff["nurse_noord"]
    nurse.email = ""
    nurse.save()
    promise = make_promise(
        client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse
    )
    assert run_slot(published, run_tasks, promise.due_at - WARN) == 1  # the notice; no email task
    assert notices() == [("nurse_noord", NotificationKind.PROMISE_NEARLY_DUE, promise.pk)]


AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("due", "text"),
    [
        (datetime.datetime(2026, 12, 1, 14, 0, tzinfo=AMS), "vandaag om 14:00"),
        (datetime.datetime(2026, 12, 2, 9, 5, tzinfo=AMS), "morgen om 09:05"),
        (datetime.datetime(2026, 11, 30, 23, 59, tzinfo=AMS), "gisteren om 23:59"),
        (datetime.datetime(2026, 12, 24, 8, 0, tzinfo=AMS), "op 24-12-2026 om 08:00"),
    ],
)
def test_it_says_when_in_words(due, text, settings):
    from django.utils import translation

    now = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=AMS)
    with translation.override("nl"):
        assert chasing.when_text(due, now) == text


# The morning digest

DAY = datetime.date(2026, 12, 1)


def at(day_offset: int, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        DAY + datetime.timedelta(days=day_offset), datetime.time(hour), tzinfo=AMS
    )


def promise_due(client_obj, by, due_at, *, kept_at=None):
    """A promise of `client_obj` due at `due_at`, made the day before; kept at `kept_at`."""
    promise = make_promise(client_obj, by, due_in=datetime.timedelta(days=3), owner_user=by)
    promise.__class__.objects.filter(pk=promise.pk).update(
        due_at=due_at,
        created_at=due_at - datetime.timedelta(days=1),
        status=CommitmentStatus.DONE if kept_at else CommitmentStatus.OPEN,
        completed_at=kept_at,
    )
    return promise


@pytest.fixture
def day_of_promises(staff, teams):
    nurse = staff["nurse_noord"]
    noord, zuid = ClientFactory(team=teams["noord"]), ClientFactory(team=teams["zuid"])
    promise_due(noord, nurse, at(0, 9))  # due today
    promise_due(noord, nurse, at(0, 23))  # due today
    promise_due(noord, nurse, at(0, 10), kept_at=at(0, 7))  # due today, kept already
    promise_due(noord, nurse, at(-1, 10))  # broke yesterday: still open
    promise_due(noord, nurse, at(-1, 11), kept_at=at(-1, 15))  # broke: kept late
    promise_due(noord, nurse, at(-1, 12), kept_at=at(-1, 9))  # kept on time
    promise_due(noord, nurse, at(-2, 12))  # broke the day before yesterday: not counted
    promise_due(noord, nurse, at(1, 0))  # due tomorrow at midnight: not today
    promise_due(zuid, staff["nurse_zuid"], at(0, 12))  # team Zuid: one due today


def run_digest(run_tasks, day=DAY):
    until = datetime.datetime.combine(day, chasing.DIGEST_AT, tzinfo=AMS)
    chasing.send_team_digests.enqueue(
        since=(until - datetime.timedelta(days=1)).isoformat(), until=until.isoformat()
    )
    return run_tasks()


def test_the_digest_counts_what_is_due_today_and_what_broke_yesterday(
    day_of_promises, teams, run_tasks, smtp_server
):
    run_digest(run_tasks)

    digests = {
        d.team_id: (d.due_today, d.broke_yesterday, d.recipients)
        for d in TeamDigest.objects.filter(day=DAY)
    }
    assert digests == {teams["noord"].pk: (2, 2, 1), teams["zuid"].pk: (1, 0, 1)}
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    noord = by_recipient["lead_noord@zorg.example"]
    assert noord["Subject"] == "Halte: de toezeggingen van Wijkteam Noord vandaag"
    body = noord.get_content()
    assert "Vandaag verlopen 2 open toezeggingen van Wijkteam Noord." in body
    assert "Gisteren zijn 2 toezeggingen niet op tijd nagekomen." in body
    assert "http://127.0.0.1:8000/werkplek/escalaties/" in body
    zuid = by_recipient["lz@zorg.example"].get_content()
    assert "Vandaag verloopt 1 open toezegging van Wijkteam Zuid." in zuid


def test_the_digest_goes_once_a_day(day_of_promises, run_tasks, smtp_server):
    run_digest(run_tasks)
    run_digest(run_tasks)
    assert len(smtp_server.messages) == 2
    # The next day is a new digest (today's promises broke by then).
    run_digest(run_tasks, DAY + datetime.timedelta(days=1))
    assert len(smtp_server.messages) == 4


def test_a_refused_digest_is_sent_by_the_next_run(day_of_promises, run_tasks, smtp_server):
    smtp_server.refuse = "451 4.3.0 Try again later"
    run_digest(run_tasks)
    assert TeamDigest.objects.filter(emailed_at__isnull=False).count() == 0
    smtp_server.refuse = None
    run_digest(run_tasks)
    assert len(smtp_server.messages) == 2
    assert TeamDigest.objects.filter(emailed_at__isnull=False).count() == 2


def test_the_digest_runs_in_a_constant_number_of_queries(
    day_of_promises, staff, teams, run_tasks, smtp_server, django_assert_max_num_queries
):
    for _ in range(10):
        promise_due(ClientFactory(team=teams["noord"]), staff["nurse_noord"], at(0, 9))
    with django_assert_max_num_queries(60):
        run_digest(run_tasks)
    assert TeamDigest.objects.get(team=teams["noord"]).due_today == 12


def test_an_owner_without_a_team_is_escalated_to_the_clients_team_lead(
    staff, client_noord, published, run_tasks, smtp_server
):
    planner = staff["planner"]  # sees every client, belongs to no team
    promise = make_promise(
        client_noord, planner, due_in=-datetime.timedelta(hours=1), owner_user=planner
    )
    run_slot(published, run_tasks, promise.due_at)
    assert notices() == [
        ("lead_noord", NotificationKind.PROMISE_ESCALATED, promise.pk),
        ("planner", NotificationKind.PROMISE_OVERDUE, promise.pk),
    ]


def test_finding_who_hears_of_a_promise_takes_a_few_queries_however_big_the_team(
    staff, teams, client_noord, django_assert_max_num_queries
):
    for i in range(5):
        UserFactory(username=f"extra_lead_{i}", role=Role.TEAM_LEAD, teams=[teams["noord"]])
    event = PromiseOverdue(
        client_id=client_noord.pk,
        commitment_id=1,
        due_at=timezone.now(),
        owner_user_id=staff["nurse_noord"].pk,
        owner_team_id=None,
    )
    with django_assert_max_num_queries(3):
        owners, leads = chasing.recipients(event)
    assert owners == [staff["nurse_noord"]]
    assert len(leads) == 6


# Who hears of a promise, in the cases the paths above share


def overdue(client_obj, *, owner_user=None, owner_team=None) -> PromiseOverdue:
    return PromiseOverdue(
        client_id=client_obj.pk,
        commitment_id=1,
        due_at=timezone.now(),
        owner_user_id=owner_user.pk if owner_user else None,
        owner_team_id=owner_team.pk if owner_team else None,
    )


def test_an_overdue_promise_escalates_to_the_owners_team_not_the_clients(staff, teams):
    # The nurse of Zuid owns a promise about a client of Noord. Zuid's leads hear of it
    # if they may open it: the manager (sees every client) and a lead of both teams;
    # Zuid's own lead cannot see the client, and Noord's lead is not the owner's.
    manager = staff["manager"]
    manager.teams.set([teams["zuid"]])
    UserFactory(username="lead_both", role=Role.TEAM_LEAD, teams=list(teams.values()))
    noord_client = ClientFactory(team=teams["noord"])
    owners, leads = chasing.recipients(overdue(noord_client, owner_user=staff["nurse_zuid"]))
    assert owners == [staff["nurse_zuid"]]
    assert sorted(lead.username for lead in leads) == ["lead_both", "manager"]


def test_a_promise_of_someone_no_longer_active_is_answered_for_by_the_leads(staff, client_noord):
    nurse = staff["nurse_noord"]
    nurse.is_active = False
    nurse.save()
    owners, leads = chasing.recipients(overdue(client_noord, owner_user=nurse))
    assert owners == [staff["team_lead"]]
    assert leads == []


def test_a_lead_no_longer_active_hears_nothing(staff, teams, client_noord):
    staff["team_lead"].is_active = False
    staff["team_lead"].save()
    active = UserFactory(username="lead_now", role=Role.TEAM_LEAD, teams=[teams["noord"]])
    owners, leads = chasing.recipients(overdue(client_noord, owner_team=teams["noord"]))
    assert owners == [active]
    assert leads == []


def test_without_an_owners_team_the_clients_team_is_read_not_the_clients_number(staff, teams):
    # A client whose number is no team's: its team is what counts.
    team_numbers = {team.pk for team in teams.values()}
    noord_client = ClientFactory(team=teams["noord"])
    while noord_client.pk in team_numbers:
        noord_client = ClientFactory(team=teams["noord"])
    owners, leads = chasing.recipients(overdue(noord_client, owner_user=staff["planner"]))
    assert owners == [staff["planner"]]
    assert leads == [staff["team_lead"]]


def test_notify_returns_the_new_notices_only(staff, client_noord):
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse
    )
    event = PromiseNearlyDue(
        client_id=client_noord.pk,
        commitment_id=promise.pk,
        due_at=promise.due_at,
        owner_user_id=nurse.pk,
        owner_team_id=None,
    )
    [notice] = chasing.notify([nurse], NotificationKind.PROMISE_NEARLY_DUE, event)
    assert notice == StaffNotification.objects.get()
    assert chasing.notify([nurse], NotificationKind.PROMISE_NEARLY_DUE, event) == []


# The emails in full: what staff read, in the organisation's language (nl or en)

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
EMAILS = {
    "nl": {
        NotificationKind.PROMISE_NEARLY_DUE: (
            "Halte: je toezegging verloopt vandaag om 14:00",
            "Je hebt een toezegging die vandaag om 14:00 verloopt.",
        ),
        NotificationKind.PROMISE_OVERDUE: (
            "Halte: je toezegging is verlopen",
            "Je hebt een toezegging die vandaag om 14:00 verliep en nog niet is nagekomen.",
        ),
        NotificationKind.PROMISE_ESCALATED: (
            "Halte: een toezegging in je team is verlopen",
            "Een toezegging in je team verliep vandaag om 14:00 en is nog niet nagekomen.",
        ),
    },
    "en": {
        NotificationKind.PROMISE_NEARLY_DUE: (
            "Halte: a promise of yours is due today at 14:00",
            "You have a promise that is due today at 14:00.",
        ),
        NotificationKind.PROMISE_OVERDUE: (
            "Halte: a promise of yours is overdue",
            "You have a promise that was due today at 14:00 and is not kept yet.",
        ),
        NotificationKind.PROMISE_ESCALATED: (
            "Halte: a promise in your team is overdue",
            "A promise in your team was due today at 14:00 and is not kept yet.",
        ),
    },
}
LINK_AND_NOTE = {
    "nl": (
        "Bekijk de toezegging in Halte: {link}",
        "De details staan alleen in Halte, niet in deze e-mail.",
    ),
    "en": ("Open it in Halte: {link}", "The details are in Halte only, not in this email."),
}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_notice_email_in_full(language, kind, staff, client_noord, settings):
    settings.LANGUAGE_CODE = language
    nurse = staff["nurse_noord"]
    promise = make_promise(
        client_noord, nurse, due_in=datetime.timedelta(hours=2), owner_user=nurse
    )
    promise.due_at = datetime.datetime(2026, 12, 1, 14, 0, tzinfo=AMS)
    notice = StaffNotification(user=nurse, kind=kind, client=client_noord, commitment=promise)

    email = chasing.notification_email(notice, NOW)

    subject, opening = EMAILS[language][kind]
    link, note = LINK_AND_NOTE[language]
    link = link.format(link=f"http://127.0.0.1:8000/werkplek/toezeggingen/{promise.pk}/")
    assert email.subject == subject
    assert email.body == f"{opening}\n\n{link}\n\n{note}\n"
    assert email.to == ["nurse_noord@zorg.example"]


@pytest.mark.parametrize(
    ("language", "due", "broke", "subject", "counts", "link"),
    [
        (
            "nl",
            1,
            1,
            "Halte: de toezeggingen van Wijkteam Noord vandaag",
            "Vandaag verloopt 1 open toezegging van Wijkteam Noord. "
            "Gisteren is 1 toezegging niet op tijd nagekomen.",
            "De toezeggingen van je team in Halte: {link}",
        ),
        (
            "en",
            2,
            3,
            "Halte: the promises of Wijkteam Noord today",
            "Today 2 open promises of Wijkteam Noord are due. "
            "Yesterday 3 promises were not kept on time.",
            "Your team's promises in Halte: {link}",
        ),
    ],
)
def test_the_digest_email_in_full(
    language, due, broke, subject, counts, link, staff, teams, settings
):
    settings.LANGUAGE_CODE = language
    digest = TeamDigest(team=teams["noord"], day=DAY, due_today=due, broke_yesterday=broke)

    email = chasing.digest_email(digest, teams["noord"], staff["team_lead"])

    link = link.format(link="http://127.0.0.1:8000/werkplek/escalaties/")
    note = LINK_AND_NOTE[language][1]
    assert email.subject == subject
    assert email.body == f"{counts}\n\n{link}\n\n{note}\n"
    assert email.to == ["lead_noord@zorg.example"]


def test_it_says_when_in_english_on_a_24_hour_clock():
    from django.utils import translation

    now = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=AMS)
    with translation.override("en"):
        assert chasing.when_text(datetime.datetime(2026, 12, 1, 14, 0, tzinfo=AMS), now) == (
            "today at 14:00"
        )
        assert chasing.when_text(datetime.datetime(2026, 12, 24, 8, 0, tzinfo=AMS), now) == (
            "on 24-12-2026 at 08:00"
        )


@pytest.mark.parametrize("base", ["https://halte.zorg.example", "https://halte.zorg.example/"])
def test_a_link_has_one_slash_after_the_address_however_it_is_configured(base, settings):
    settings.HALTE_BASE_URL = base
    assert (
        chasing.app_url("/werkplek/escalaties/")
        == "https://halte.zorg.example/werkplek/escalaties/"
    )


def test_the_digest_leaves_out_promises_of_clients_without_a_team(
    day_of_promises, staff, teams, run_tasks, smtp_server
):
    promise_due(ClientFactory(team=None), staff["planner"], at(0, 9))
    assert chasing.digest_counts(DAY) == {teams["noord"].pk: (2, 2), teams["zuid"].pk: (1, 0)}
    run_digest(run_tasks)
    assert TeamDigest.objects.filter(emailed_at__isnull=False).count() == 2

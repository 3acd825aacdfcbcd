"""Promises are chased: a notice to whoever owns a promise before it expires, a notice
to the team lead when it is overdue, and each morning a digest per team.

Contact publishes PromiseNearlyDue and PromiseOverdue (its periodic job); this module
subscribes (OutreachConfig.ready()), writes a StaffNotification per person, kind and
promise (a second delivery adds nothing) and emails each new one once.

Who hears of a promise:
- its owner; a promise of a team (or of someone no longer active) is answered for by
  the team's leads;
- when it is overdue, also the team leads of the owner's team (the owning team, or the
  owner's teams), or, if that team has none, of the client's team.
A team lead is a member of the team whose role watches the team's promises (the
escalation list, Capability.VIEW_ESCALATIONS) and who may see the client.

Emails to staff are minimal (NEN 7510): when the promise is due and a link into Halte.
No client name, no description, no BSN: the details are behind the login. They go out
through Django's mail settings (EMAIL_*), not the clients' outbox, in the staff's
interface language (the organisation's LANGUAGE_CODE: staff choose theirs per browser,
which a background job cannot know).
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from halte.clients.models import Client
from halte.contact.events import PromiseNearlyDue, PromiseOverdue
from halte.contact.models import Commitment, CommitmentStatus
from halte.core import events
from halte.core.models import Team, User
from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope
from halte.core.tasks import enqueue_in_transaction
from halte.outreach.models import NotificationKind, StaffNotification, TeamDigest

logger = logging.getLogger(__name__)

# When the daily digest goes out (the scheduler's slot ends then, in TIME_ZONE).
DIGEST_AT = datetime.time(7, 30)

_Memberships = User.teams.through


# Who hears of a promise


def _lead_roles() -> tuple[list[str], list[str]]:
    """The roles that watch a team's promises: those that see every client, and those
    that see their own teams' clients."""
    roles = [role for role, caps in CAPABILITIES.items() if Capability.VIEW_ESCALATIONS in caps]
    every = [role for role in roles if CLIENT_SCOPES.get(role) == ClientScope.ALL]
    own = [role for role in roles if CLIENT_SCOPES.get(role) == ClientScope.OWN_TEAMS]
    return every, own


def team_leads(team_ids, client_team_id: int | None) -> list[User]:
    """The active leads of the teams `team_ids` who may see a client of
    `client_team_id` (the link in their notice must open). One query."""
    every, own = _lead_roles()
    sees_client = Q(role__in=every)
    if client_team_id is not None:
        in_client_team = _Memberships.objects.filter(team_id=client_team_id).values("user_id")
        sees_client |= Q(role__in=own, pk__in=in_client_team)
    members = _Memberships.objects.filter(team_id__in=team_ids).values("user_id")
    return list(User.objects.filter(sees_client, is_active=True, pk__in=members).order_by("pk"))


def recipients(event) -> tuple[list[User], list[User]]:
    """(those who answer for the promise, the team leads above them), no one twice."""
    client_team_id = (
        Client.objects.filter(pk=event.client_id).values_list("team_id", flat=True).first()
    )
    owner = None
    if event.owner_user_id is not None:
        owner = User.objects.filter(pk=event.owner_user_id, is_active=True).first()
        owner_teams = _Memberships.objects.filter(user_id=event.owner_user_id).values_list(
            "team_id", flat=True
        )
    else:
        owner_teams = [event.owner_team_id]
    leads = team_leads(owner_teams, client_team_id)
    if not leads and client_team_id is not None:
        leads = team_leads([client_team_id], client_team_id)
    owners = [owner] if owner is not None else leads
    return owners, [lead for lead in leads if lead not in owners]


# The subscribers: in the publishing job's transaction they only enqueue a task per
# event, so that a slot of a thousand promises is one quick job and the workers share
# the notices (about a dozen statements each).

PROMISE_EVENTS = {cls.__name__: cls for cls in (PromiseNearlyDue, PromiseOverdue)}


def on_promise_event(event: PromiseNearlyDue | PromiseOverdue) -> None:
    enqueue_in_transaction(chase_promise, type(event).__name__, events.to_payload(event))


# The tasks are thin: their work is in plain functions, which the mutation run
# reaches (mutmut leaves decorated functions alone; MUTATION.md).
@task()
def chase_promise(event_name: str, payload: dict) -> None:
    chase(event_name, payload)


def chase(event_name: str, payload: dict) -> None:
    event = events.from_payload(PROMISE_EVENTS[event_name], payload)
    if isinstance(event, PromiseOverdue):
        on_promise_overdue(event)
    else:
        on_promise_nearly_due(event)


def on_promise_nearly_due(event: PromiseNearlyDue) -> None:
    owners, _leads = recipients(event)
    notify(owners, NotificationKind.PROMISE_NEARLY_DUE, event)


def on_promise_overdue(event: PromiseOverdue) -> None:
    owners, leads = recipients(event)
    notify(owners, NotificationKind.PROMISE_OVERDUE, event)
    notify(leads, NotificationKind.PROMISE_ESCALATED, event)


def notify(users, kind: str, event) -> list[StaffNotification]:
    """A notice of `kind` about the event's promise for each user who has none yet, and
    its email once the notice is committed. Returns the new notices."""
    created = []
    with transaction.atomic():
        for user in users:
            notification, new = StaffNotification.objects.get_or_create(
                user=user,
                kind=kind,
                commitment_id=event.commitment_id,
                defaults={"client_id": event.client_id},
            )
            if new:
                created.append(notification)
                if user.email:
                    transaction.on_commit(partial(send_notification_email.enqueue, notification.pk))
    return created


# Emails


def staff_language(user) -> str:
    """The language of a staff member's emails: the organisation's interface language."""
    return settings.LANGUAGE_CODE


def app_url(path: str) -> str:
    return settings.HALTE_BASE_URL.rstrip("/") + path


def when_text(moment: datetime.datetime, now: datetime.datetime) -> str:
    """'today at 14:00', 'tomorrow at 09:00', 'yesterday at 17:00' or 'on 02-12-2026
    at 09:00', in local time and the active language."""
    local = timezone.localtime(moment)
    clock = time_format(local, "H:i")
    days = (local.date() - timezone.localtime(now).date()).days
    if days == 0:
        return _("today at %(time)s") % {"time": clock}
    if days == 1:
        return _("tomorrow at %(time)s") % {"time": clock}
    if days == -1:
        return _("yesterday at %(time)s") % {"time": clock}
    return _("on %(date)s at %(time)s") % {"date": date_format(local, "d-m-Y"), "time": clock}


def notification_email(notification: StaffNotification, now: datetime.datetime) -> EmailMessage:
    user = notification.user
    with translation.override(staff_language(user)):
        values = {
            "when": when_text(notification.commitment.due_at, now),
            "link": app_url(reverse("contact:commitment", args=[notification.commitment_id])),
        }
        if notification.kind == NotificationKind.PROMISE_NEARLY_DUE:
            subject = _("Halte: a promise of yours is due %(when)s")
            opening = _("You have a promise that is due %(when)s.")
        elif notification.kind == NotificationKind.PROMISE_OVERDUE:
            subject = _("Halte: a promise of yours is overdue")
            opening = _("You have a promise that was due %(when)s and is not kept yet.")
        else:
            subject = _("Halte: a promise in your team is overdue")
            opening = _("A promise in your team was due %(when)s and is not kept yet.")
        body = "\n\n".join(
            [
                opening % values,
                _("Open it in Halte: %(link)s") % values,
                _("The details are in Halte only, not in this email."),
            ]
        )
        return EmailMessage(subject=subject % values, body=body + "\n", to=[user.email])


# A refused or unreachable mail server: tried again after 5, 10, 20, 40 minutes.
EMAIL_ATTEMPTS = 5
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=5)


@task()
def send_notification_email(notification_id: int, attempt: int = 1) -> bool:
    return email_notification(notification_id, attempt)


def email_notification(notification_id: int, attempt: int = 1) -> bool:
    """Email a notice to its staff member, once: the notice is claimed (emailed_at)
    before sending, so a second run sends nothing. When sending fails the claim is
    undone, the task fails, and a later attempt is queued (EMAIL_ATTEMPTS in all). A
    notice already read in the app, or whose promise is kept, is not emailed. Returns
    whether it sent."""
    now = timezone.now()
    claimed = StaffNotification.objects.filter(
        pk=notification_id,
        emailed_at__isnull=True,
        read_at__isnull=True,
        commitment__status=CommitmentStatus.OPEN,
    ).update(emailed_at=now)
    if not claimed:
        return False
    notification = StaffNotification.objects.select_related("user", "commitment").get(
        pk=notification_id
    )
    if not notification.user.email:
        return False
    try:
        notification_email(notification, now).send()
    except Exception as error:
        StaffNotification.objects.filter(pk=notification_id, emailed_at=now).update(emailed_at=None)
        if attempt < EMAIL_ATTEMPTS:
            later = now + EMAIL_RETRY_AFTER * 2 ** (attempt - 1)
            send_notification_email.using(run_after=later).enqueue(
                notification_id, attempt=attempt + 1
            )
        # The error's text may quote the address: its type only.
        logger.error(
            "Notification %s not emailed (attempt %s): %s.",
            notification_id,
            attempt,
            type(error).__name__,
        )
        raise
    return True


# The daily digest


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def digest_counts(day: datetime.date) -> dict[int, tuple[int, int]]:
    """Per team (of the promise's client): (open promises due on `day`, promises due
    the day before that broke: still open, or kept after their due time). One query."""
    yesterday, today, tomorrow = (
        _day_start(day - datetime.timedelta(days=1)),
        _day_start(day),
        _day_start(day + datetime.timedelta(days=1)),
    )
    rows = (
        Commitment.objects.filter(
            client__team__isnull=False, due_at__gte=yesterday, due_at__lt=tomorrow
        )
        .values("client__team")
        .annotate(
            due=Count("pk", filter=Q(due_at__gte=today, status=CommitmentStatus.OPEN)),
            broke=Count(
                "pk",
                filter=Q(due_at__lt=today)
                & (Q(status=CommitmentStatus.OPEN) | Q(completed_at__gt=F("due_at"))),
            ),
        )
        .order_by("client__team")
    )
    return {
        row["client__team"]: (row["due"], row["broke"])
        for row in rows
        if row["due"] or row["broke"]
    }


def digest_email(digest: TeamDigest, team: Team, lead: User) -> EmailMessage:
    with translation.override(staff_language(lead)):
        values = {
            "team": team.name,
            "due": digest.due_today,
            "broke": digest.broke_yesterday,
            "link": app_url(reverse("contact:escalations")),
        }
        lines = [
            ngettext(
                "Today %(due)d open promise of %(team)s is due.",
                "Today %(due)d open promises of %(team)s are due.",
                digest.due_today,
            )
            % values,
            ngettext(
                "Yesterday %(broke)d promise was not kept on time.",
                "Yesterday %(broke)d promises were not kept on time.",
                digest.broke_yesterday,
            )
            % values,
        ]
        body = "\n\n".join(
            [
                " ".join(lines),
                _("Your team's promises in Halte: %(link)s") % values,
                _("The details are in Halte only, not in this email."),
            ]
        )
        subject = _("Halte: the promises of %(team)s today") % values
        return EmailMessage(subject=subject, body=body + "\n", to=[lead.email])


@task()
def send_team_digests(since: str, until: str) -> int:
    return email_team_digests(until)


def email_team_digests(until: str) -> int:
    """The morning digest for the day the slot ends on: per team with promises due that
    day or broken the day before, one email to each of its team leads. Once per team
    and day (TeamDigest). Teams with nothing to report get no email. Returns how many
    emails it sent."""
    end = datetime.datetime.fromisoformat(until)
    if timezone.is_naive(end):
        end = timezone.make_aware(end)
    day = timezone.localdate(end)
    counts = digest_counts(day)
    teams = Team.objects.in_bulk(list(counts))
    sent = 0
    for team_id, (due, broke) in counts.items():
        digest, _created = TeamDigest.objects.get_or_create(
            team_id=team_id, day=day, defaults={"due_today": due, "broke_yesterday": broke}
        )
        now = timezone.now()
        if not TeamDigest.objects.filter(pk=digest.pk, claimed_at__isnull=True).update(
            claimed_at=now
        ):
            continue
        leads = [lead for lead in team_leads([team_id], team_id) if lead.email]
        try:
            for lead in leads:
                digest_email(digest, teams[team_id], lead).send()
                sent += 1
        except Exception as error:
            # Tried again by a later run of the slot; the error's text may quote addresses.
            TeamDigest.objects.filter(pk=digest.pk).update(claimed_at=None)
            logger.error("Team digest %s not sent: %s.", digest.pk, type(error).__name__)
            continue
        TeamDigest.objects.filter(pk=digest.pk).update(emailed_at=now, recipients=len(leads))
    return sent

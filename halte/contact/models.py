"""Every contact with a client or their relations, and every promise made in one.

An Interaction is one contact on any channel; a telephone call starts as an open
draft when it rings and is completed by the agent. A Commitment is a promise with
an owner (a person or a team) and a due time from the ServiceLevelPolicy.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from halte.clients.models import Client, Relation
from halte.core.calendar import OfficeHours, is_working_day, next_working_day
from halte.core.models import Team, TimeStampedModel


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    PORTAL = "portal", _("Client portal")
    VISIT = "visit", _("Visit")
    WALK_IN = "walk_in", _("Walk-in")


class Direction(models.TextChoices):
    IN = "in", _("Incoming")
    OUT = "out", _("Outgoing")


class InteractionOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved at first contact")
    FOLLOW_UP = "follow_up", _("Follow-up needed")


class InteractionStatus(models.TextChoices):
    OPEN = "open", _("Open")  # a call that rang and is not yet written up
    COMPLETED = "completed", _("Completed")
    # A ring no one answered, put aside by the agent without a write-up: kept (a
    # missed call is a fact), but never in the client's history.
    DISCARDED = "discarded", _("Put aside, not written up")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


LIVE_CALL_STATES = (CallState.RINGING, CallState.ANSWERED)


def call_timeouts() -> tuple[datetime.timedelta, datetime.timedelta]:
    """How long a call may ring, and last once answered, before Halte takes it as
    ended: telephone systems do not always send `ended`."""
    return (
        datetime.timedelta(minutes=settings.CALL_RING_TIMEOUT_MINUTES),
        datetime.timedelta(hours=settings.CALL_ANSWERED_TIMEOUT_HOURS),
    )


def live_call_q(now: datetime.datetime) -> Q:
    """Calls still going at `now`: ringing within the ring time-out, or answered within
    the answered time-out. Reads filter with it, so that a call whose `ended` never
    came is not shown as live even before close_stale_calls has closed it."""
    ring, answered = call_timeouts()
    return Q(call_state=CallState.RINGING, occurred_at__gte=now - ring) | Q(
        call_state=CallState.ANSWERED, answered_at__gte=now - answered
    )


def stale_call_q(now: datetime.datetime) -> Q:
    """Calls still marked ringing or answered whose time-out has passed."""
    return Q(call_state__in=LIVE_CALL_STATES) & ~live_call_q(now)


class Interaction(TimeStampedModel):
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="interactions"
    )
    relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=InteractionOutcome.choices, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InteractionStatus.choices,
        default=InteractionStatus.COMPLETED,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("by"),
    )
    occurred_at = models.DateTimeField(_("when"))
    # Telephone calls: the telephone system's id, the other party's number (empty
    # when withheld), the extension it rang at, and how far the call got.
    call_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    caller_e164 = models.CharField(_("number"), max_length=16, blank=True)
    agent_extension = models.CharField(max_length=20, blank=True, db_index=True)
    call_state = models.CharField(max_length=10, choices=CallState.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # True when Halte ended the call after its time-out because the telephone
    # system never said `ended`; a later real event of the call overrules it.
    call_timed_out = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="interaction_client_time"),
            models.Index(fields=["staff", "status"], name="interaction_staff_status"),
            # The few calls still ringing or answered: closing stale ones reads only these.
            models.Index(
                fields=["call_state", "occurred_at"],
                condition=Q(call_state__in=["ringing", "answered"]),
                name="interaction_live_call",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "discarded"]) | ~Q(outcome=""),
                name="interaction_completed_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_missed_call(self) -> bool:
        """A call that rang and was never answered."""
        return bool(self.call_id) and self.answered_at is None

    def call_state_at(self, now: datetime.datetime) -> str:
        """The call's state as it is at `now`: past its time-out a call is ended,
        whether or not close_stale_calls has written that down yet."""
        if self.call_state not in LIVE_CALL_STATES:
            return self.call_state
        ring, answered = call_timeouts()
        if self.call_state == CallState.RINGING:
            live = self.occurred_at >= now - ring
        else:
            live = self.answered_at is not None and self.answered_at >= now - answered
        return self.call_state if live else CallState.ENDED


class CallEvent(models.Model):
    """What the telephone system told us, once per call and event: replays are ignored."""

    call_id = models.CharField(max_length=100)
    event = models.CharField(max_length=10, choices=CallState.choices)
    at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call_id", "event"], name="call_event_once"),
        ]

    def __str__(self):
        return f"{self.call_id} {self.event}"


class CommitmentKind(models.TextChoices):
    CALLBACK = "callback", _("Call back")
    SEND_INFORMATION = "send_information", _("Send information")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class Commitment(TimeStampedModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="commitments")
    relation = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("made to"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CommitmentKind.choices)
    description = models.CharField(_("description"), max_length=1000)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("owner"),
    )
    owner_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("owning team"),
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
    )
    callback_e164 = models.CharField(_("number to call back"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("promised by"),
    )
    origin = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promises",
        verbose_name=_("promised in"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resulting contact"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [
            models.Index(fields=["status", "due_at"], name="commitment_open_due"),
            models.Index(fields=["owner_user", "status", "due_at"], name="commitment_user_due"),
            models.Index(fields=["owner_team", "status", "due_at"], name="commitment_team_due"),
            models.Index(fields=["client", "status", "due_at"], name="commitment_client_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_team__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_team__isnull=False)),
                name="commitment_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("created_at")), name="commitment_due_after_creation"
            ),
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | Q(status="done", completed_at__isnull=False),
                name="commitment_done_has_completion",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description[:40]}"

    @property
    def owner(self):
        return self.owner_user or self.owner_team

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.status == CommitmentStatus.OPEN and self.due_at <= now


class AttemptOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CommitmentAttempt(models.Model):
    """A try that did not reach the person: the promise stays open."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M}"


class ServiceLevelPolicy(models.Model):
    """The organisation's promise standards: office hours and how soon each kind of
    promise falls due. One row, edited by the administrator at /beheer/."""

    office_opens = models.TimeField(_("office opens"), default=datetime.time(8, 30))
    office_closes = models.TimeField(_("office closes"), default=datetime.time(17, 0))
    callback_cutoff = models.TimeField(
        _("callbacks asked before this time are due the same working day"),
        default=datetime.time(12, 0),
    )
    callback_next_day_at = models.TimeField(
        _("later callbacks are due at this time on the next working day"),
        default=datetime.time(12, 0),
    )
    send_information_days = models.PositiveSmallIntegerField(
        _("working days to send information"), default=2
    )
    visit_days = models.PositiveSmallIntegerField(_("working days to visit"), default=5)
    other_days = models.PositiveSmallIntegerField(_("working days for other promises"), default=2)
    warn_before_minutes = models.PositiveIntegerField(
        _("minutes before due time that a promise is flagged"), default=60
    )

    class Meta:
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(office_opens__lt=F("office_closes")), name="policy_office_hours_order"
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "ServiceLevelPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()

    @property
    def hours(self) -> OfficeHours:
        return OfficeHours(self.office_opens, self.office_closes)

    def due_at(self, kind: str, asked_at: datetime.datetime) -> datetime.datetime:
        """When a promise of `kind`, made at `asked_at`, falls due."""
        if kind == CommitmentKind.CALLBACK:
            return self._callback_due(asked_at)
        days = {
            CommitmentKind.SEND_INFORMATION: self.send_information_days,
            CommitmentKind.VISIT: self.visit_days,
        }.get(kind, self.other_days)
        return self.hours.closing_on_or_after(asked_at, days)

    def _callback_due(self, asked_at: datetime.datetime) -> datetime.datetime:
        # Asked on a working day before the cutoff (and before closing, should the
        # cutoff be set later): before closing today. Otherwise at the agreed time on
        # the next working day.
        hours = self.hours
        local = hours.local(asked_at)
        same_day_until = min(self.callback_cutoff, self.office_closes)
        if is_working_day(local.date()) and local.time() < same_day_until:
            return hours.at(local.date(), self.office_closes)
        return hours.at(next_working_day(local.date()), self.callback_next_day_at)

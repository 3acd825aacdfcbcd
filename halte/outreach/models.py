"""Messages to clients and their relatives: what to send on which event (triggers and
templates), and the outbox, one row per message, from queued to sent."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halte.clients.models import Client, Relation
from halte.core.models import TimeStampedModel


class Trigger(models.TextChoices):
    """The moments a client (or relative) hears from the organisation unasked."""

    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    INTAKE_PLANNED = "intake_planned", _("Intake planned")
    INTAKE_REMINDER = "intake_reminder", _("Intake tomorrow (reminder)")
    WAITING_LIST_UPDATE = "waiting_list_update", _("Waiting-list update")
    CARE_STARTED = "care_started", _("Care started: your contact person")
    CONTACT_PERSON_CHANGED = "contact_person_changed", _("New contact person")
    CARE_ENDED = "care_ended", _("Care ended: thank you")
    ANNOUNCEMENT = "announcement", _("Announcement")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class TriggerSetting(models.Model):
    """Whether the organisation sends on a trigger at all (one row per trigger; a
    trigger without a row is on)."""

    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices, unique=True)
    enabled = models.BooleanField(_("send"), default=True)

    class Meta:
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")

    def __str__(self):
        return self.get_trigger_display()


class MessageTemplate(TimeStampedModel):
    """The text sent on a trigger, per channel, language and form of address.

    The text holds placeholders such as {{ name }} (halte.outreach.placeholders);
    an unknown one is refused when the template is saved. A template with an empty
    address form serves both 'u' and 'je'."""

    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    language = models.CharField(_("language"), max_length=8)
    address_form = models.CharField(
        _("form of address"),
        max_length=2,
        blank=True,
        help_text=_("'u', 'je', or empty for both."),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=5000)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["trigger", "channel", "language", "address_form"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "channel", "language", "address_form"],
                name="template_unique_variant",
            ),
        ]

    def clean(self):
        from halte.core import language
        from halte.outreach import placeholders

        errors = {}
        for name in ("subject", "body"):
            try:
                placeholders.check_text(self.trigger, getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        try:
            language.validate(self.language)
        except ValidationError as error:
            errors["language"] = error
        if self.address_form not in ("", "u", "je"):
            errors["address_form"] = ValidationError(_("Write 'u', 'je', or leave it empty."))
        if self.channel == MessageChannel.SMS and self.subject:
            errors["subject"] = ValidationError(_("A text message has no subject."))
        if errors:
            raise ValidationError(errors)

    def __str__(self):
        form = f" ({self.address_form})" if self.address_form else ""
        return (
            f"{self.get_trigger_display()} · {self.get_channel_display()} · {self.language}{form}"
        )


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # The worker stopped while handing the message over: it may or may not have left.
    # Never sent again by itself (no double send); staff decide.
    UNCERTAIN = "uncertain", _("Outcome unknown")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Message(models.Model):
    """One message to one recipient on one channel: the outbox row.

    `idempotency_key` names the event and the recipient ("care_started:episode:12:
    client"): composing the same event twice finds the row and sends nothing more."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="messages", verbose_name=_("client")
    )
    # Empty when the message goes to the client; else the relative who receives it.
    relation = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("relative"),
    )
    recipient_name = models.CharField(_("recipient"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    # An email address, an E.164 number, or the postal address's lines.
    address = models.CharField(_("address"), max_length=300)
    language = models.CharField(_("language"), max_length=8)
    trigger = models.CharField(_("trigger"), max_length=32, choices=Trigger.choices)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    announcement = models.ForeignKey(
        "Announcement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not before this moment (quiet hours for SMS, a scheduled announcement).
    send_after = models.DateTimeField(_("send after"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a worker took the message to hand it over (status sending).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A short code of what went wrong ("smtp_refused", "gateway_401"), never an
    # exception's text, which may quote the address or the message.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    provider_id = models.CharField(_("provider reference"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The outgoing contact on the client's timeline, written when the message left.
    interaction = models.OneToOneField(
        "contact.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="message",
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="message_client_time"),
            models.Index(fields=["status", "send_after"], name="message_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_trigger_display()} → {self.recipient_name} ({self.channel})"


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Announcement(TimeStampedModel):
    """A message to a segment of clients who agreed to receive announcements (road
    works, news about the care offer). Texts per language in `texts`:
    {"nl": {"subject": ..., "body": ...}, "en": {...}}."""

    title = models.CharField(_("title"), max_length=200)
    texts = models.JSONField(_("texts"), default=dict)
    # The segment: every filter that is set must hold (empty lists: no filter).
    segment = models.JSONField(_("recipients"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.DRAFT,
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipients_total = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class NotificationKind(models.TextChoices):
    PROMISE_NEARLY_DUE = "promise_nearly_due", _("Promise nearly due")
    PROMISE_OVERDUE = "promise_overdue", _("Promise overdue")
    PROMISE_ESCALATED = "promise_escalated", _("Overdue promise in your team")


class StaffNotification(models.Model):
    """A notice to a member of staff in the app (and by email): a promise of theirs is
    nearly due or overdue, or, for a team lead, one of their team's is overdue.
    One per person, kind and promise: a second run of the job adds nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    commitment = models.ForeignKey(
        "contact.Commitment", on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "commitment"], name="notification_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.user}"


# Letters (halte.outreach.letters, channels.letter)


class LetterBatch(models.Model):
    """The letters of one day, printed and posted together.

    A letter is "delivered" by joining the batch of the day it leaves the outbox. The
    daily job closes the batches of the days before and lays their letters out as one
    PDF: a closed batch is ready to print, and stays on the print page until someone
    marks it printed."""

    day = models.DateField(_("day"), unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("ready to print since"), null=True, blank=True)
    # The closed batch's letters as one PDF, laid out once by the daily job (a few
    # tenths of a second a letter), so a download is instant and a reprint the same.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("printed by"),
    )

    class Meta:
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(printed_at__isnull=True) | Q(closed_at__isnull=False),
                name="letter_batch_printed_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(printed_at__isnull=True, printed_by__isnull=True)
                | Q(printed_at__isnull=False, printed_by__isnull=False),
                name="letter_batch_printed_by_whom",
            ),
        ]

    def __str__(self):
        return f"batch:{self.day.isoformat()}"

    @property
    def reference(self) -> str:
        """What the letter channel returns as the carrier's reference."""
        return str(self)


# The print batch a letter joined (channels.letter); empty for email and SMS.
Message.add_to_class(
    "letter_batch",
    models.ForeignKey(
        LetterBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("print batch"),
    ),
)


class TeamDigest(models.Model):
    """The day's digest of one team's promises, sent to its team leads: how many are
    due that day and how many broke the day before. One per team and day: the
    scheduler's slot run twice sends nothing more. Counts only, no client data."""

    team = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    due_today = models.PositiveIntegerField(default=0)
    broke_yesterday = models.PositiveIntegerField(default=0)
    # Set by the run that sends it (so two runs at once do not both send); cleared
    # again when sending failed, so the next run tries again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("team digest")
        verbose_name_plural = _("team digests")
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="team_digest_once"),
        ]

    def __str__(self):
        return f"{self.team_id} {self.day}"

"""The client's journey: referral, intake, waiting list, care episode, end of care.

A Referral (aanmelding) moves through a pipeline of stages, each with an owner
and a norm on the working-day calendar. The intake decides what care is needed;
a client who cannot start at once waits on a WaitingListEntry for a care product
and team; care itself is a CareEpisode with one fixed contact person. Every stage
change is a JourneyEvent, which the timeline, the journey bar and the dashboards
are built from.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halte.clients.models import Client, Relation
from halte.core.models import Team, TimeStampedModel


class Financing(models.TextChoices):
    ZVW = "zvw", _("Health insurance (Zvw)")
    WLZ = "wlz", _("Long-term care (Wlz)")
    WMO = "wmo", _("Municipality (Wmo)")
    PRIVATE = "private", _("Private")


class CareProduct(models.Model):
    """What the organisation offers, how it is paid for, and how long a client may
    at most wait for it (the Treeknorm, from receipt of the referral to care start)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    financing = models.CharField(_("financing"), max_length=10, choices=Financing.choices)
    norm_days = models.PositiveSmallIntegerField(_("maximum acceptable waiting time (days)"))
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care product")
        verbose_name_plural = _("care offer")
        constraints = [
            models.CheckConstraint(condition=Q(norm_days__gte=1), name="product_norm_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_wlz(self) -> bool:
        return self.financing == Financing.WLZ


class CareOffice(models.Model):
    """A Wlz care office (zorgkantoor); Wlz waiting lists are reported per office."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care office")
        verbose_name_plural = _("care offices")

    def __str__(self):
        return self.name


# What the administrator may set (the column would take 32,767): a norm of a quarter at
# most, an update at least yearly, and the outflow of the last two years.
MAX_NORM_WORKING_DAYS = 60
MAX_UPDATE_EVERY_DAYS = 365
MAX_OUTFLOW_WEEKS = 104


class JourneyPolicy(models.Model):
    """The organisation's norms for the referral pipeline and the waiting list. One
    row, edited by the administrator at /beheer/."""

    contact_within_days = models.PositiveSmallIntegerField(
        _("working days from receipt to first contact"),
        default=2,
        validators=[MaxValueValidator(MAX_NORM_WORKING_DAYS)],
    )
    plan_intake_within_days = models.PositiveSmallIntegerField(
        _("working days from first contact to a planned intake"),
        default=3,
        validators=[MaxValueValidator(MAX_NORM_WORKING_DAYS)],
    )
    decide_within_days = models.PositiveSmallIntegerField(
        _("working days from intake to a decision (waiting list, care or not)"),
        default=5,
        validators=[MaxValueValidator(MAX_NORM_WORKING_DAYS)],
    )
    update_every_days = models.PositiveSmallIntegerField(
        _("days between updates to a waiting client"),
        default=28,
        validators=[MaxValueValidator(MAX_UPDATE_EVERY_DAYS)],
    )
    outflow_weeks = models.PositiveSmallIntegerField(
        _("weeks of outflow the waiting-time estimate is based on"),
        default=12,
        validators=[MaxValueValidator(MAX_OUTFLOW_WEEKS)],
    )

    class Meta:
        verbose_name = _("journey policy")
        verbose_name_plural = _("journey policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(update_every_days__gte=1) & Q(outflow_weeks__gte=1),
                name="journey_policy_positive",
            ),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "JourneyPolicy":
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls.objects.create()


class ReferralSource(models.TextChoices):
    SELF = "self", _("The client")
    RELATIVE = "relative", _("A relative")
    GP = "gp", _("General practitioner")
    HOSPITAL = "hospital", _("Hospital transfer")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER_PROVIDER = "other_provider", _("Other care provider")


class Urgency(models.TextChoices):
    REGULAR = "regular", _("Regular")
    URGENT = "urgent", _("Urgent")


class Stage(models.TextChoices):
    RECEIVED = "received", _("Received")
    CONTACTED = "contacted", _("Contacted")
    INTAKE_PLANNED = "intake_planned", _("Intake planned")
    INTAKE_DONE = "intake_done", _("Intake done")
    WAITING = "waiting", _("On the waiting list")
    CARE_STARTED = "care_started", _("Care started")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")


# The stages a referral may move to from each stage. The last four end it: a
# referral that ended cannot move on (a new referral is made instead).
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.RECEIVED: frozenset(
        {
            Stage.CONTACTED,
            Stage.INTAKE_PLANNED,
            Stage.DECLINED,
            Stage.WITHDRAWN,
            Stage.REFERRED_ELSEWHERE,
        }
    ),
    Stage.CONTACTED: frozenset(
        {Stage.INTAKE_PLANNED, Stage.DECLINED, Stage.WITHDRAWN, Stage.REFERRED_ELSEWHERE}
    ),
    Stage.INTAKE_PLANNED: frozenset(
        {Stage.INTAKE_PLANNED, Stage.INTAKE_DONE, Stage.WITHDRAWN, Stage.REFERRED_ELSEWHERE}
    ),
    Stage.INTAKE_DONE: frozenset(
        {
            Stage.WAITING,
            Stage.CARE_STARTED,
            Stage.DECLINED,
            Stage.WITHDRAWN,
            Stage.REFERRED_ELSEWHERE,
        }
    ),
    Stage.WAITING: frozenset({Stage.CARE_STARTED, Stage.WITHDRAWN, Stage.REFERRED_ELSEWHERE}),
}
OPEN_STAGES = frozenset(TRANSITIONS)
CLOSED_STAGES = frozenset(Stage.values) - OPEN_STAGES
# Ending a referral says why.
NEEDS_REASON = frozenset({Stage.DECLINED, Stage.WITHDRAWN, Stage.REFERRED_ELSEWHERE})


class Referral(TimeStampedModel):
    """An aanmelding: someone asks care for a client. One owner (a planner) at a time."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("client")
    )
    source = models.CharField(_("referred by"), max_length=20, choices=ReferralSource.choices)
    referrer = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referrer"),
    )
    product = models.ForeignKey(
        CareProduct, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("care")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("team")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.REGULAR
    )
    received_at = models.DateTimeField(_("received at"))
    question = models.CharField(_("care question"), max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("owner"),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED
    )
    stage_since = models.DateTimeField(_("in this stage since"))
    # When the current stage's norm runs out; null when the stage has no norm
    # (waiting has its own, and closed stages none).
    due_at = models.DateTimeField(_("next step due"), null=True, blank=True)
    closed_reason = models.CharField(_("reason"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["stage", "due_at"], name="referral_stage_due"),
            models.Index(fields=["owner", "stage"], name="referral_owner_stage"),
            models.Index(fields=["client", "-received_at"], name="referral_client_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="referral_version_positive"),
        ]

    def __str__(self):
        return f"{self.product} {self.received_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def can_move_to(self, stage: str) -> bool:
        return stage in TRANSITIONS.get(self.stage, ())

    def care_after(self, intake: "Intake | None") -> "CareProduct":
        """The care the client waits for or starts: the intake's indication, else the
        care asked for."""
        return (intake and intake.indicated_product) or self.product


class IntakeMode(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE = "office", _("At our office")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("Video call")


class IntakeOutcome(models.TextChoices):
    CARE_NEEDED = "care_needed", _("Care needed")
    NO_CARE_NEEDED = "no_care_needed", _("No care needed")
    REFER_ELSEWHERE = "refer_elsewhere", _("Better helped elsewhere")


class Intake(TimeStampedModel):
    """The conversation that decides what care the client needs (the indication)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="intake")
    planned_at = models.DateTimeField(_("planned at"))
    mode = models.CharField(
        _("how"), max_length=12, choices=IntakeMode.choices, default=IntakeMode.HOME_VISIT
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="intakes",
        verbose_name=_("by"),
    )
    relatives_present = models.ManyToManyField(
        Relation, blank=True, related_name="intakes", verbose_name=_("relatives present")
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=IntakeOutcome.choices, blank=True
    )
    indicated_product = models.ForeignKey(
        CareProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicated care"),
    )
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    summary = models.CharField(_("conclusion"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        constraints = [
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | ~Q(outcome=""), name="intake_held_has_outcome"
            ),
        ]

    def __str__(self):
        return f"{self.referral} intake {self.planned_at:%Y-%m-%d}"


class WaitingStatus(models.TextChoices):
    # Wlz: the care offices' vocabulary.
    URGENT = "urgent", _("Urgent placement")
    ACTIVE_PLACEMENT = "active_placement", _("Active placement")
    WAITING_FOR_PREFERENCE = "preference", _("Waiting for preference")
    PRECAUTIONARY = "precautionary", _("Waiting as a precaution")
    # Other financing.
    ACTIVE = "active", _("Active")
    NON_ACTIVE = "non_active", _("Not active")


WLZ_STATUSES = frozenset(
    {
        WaitingStatus.URGENT,
        WaitingStatus.ACTIVE_PLACEMENT,
        WaitingStatus.WAITING_FOR_PREFERENCE,
        WaitingStatus.PRECAUTIONARY,
    }
)
OTHER_STATUSES = frozenset({WaitingStatus.ACTIVE, WaitingStatus.NON_ACTIVE})
# Only these wait for the first free place, and so have a position and an estimate.
ACTIVE_STATUSES = frozenset(
    {WaitingStatus.URGENT, WaitingStatus.ACTIVE_PLACEMENT, WaitingStatus.ACTIVE}
)


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class LeftReason(models.TextChoices):
    CARE_STARTED = "care_started", _("Care started")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")


class WaitingListEntry(TimeStampedModel):
    """A client waiting for a care product at a team. The queue order is priority,
    then the date they started waiting; outflow (care started) drives the estimate."""

    referral = models.OneToOneField(
        Referral, on_delete=models.CASCADE, related_name="waiting_entry"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="waiting_entries", verbose_name=_("client")
    )
    product = models.ForeignKey(
        CareProduct,
        on_delete=models.PROTECT,
        related_name="waiting_entries",
        verbose_name=_("care"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="waiting_entries", verbose_name=_("team")
    )
    care_office = models.ForeignKey(
        CareOffice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waiting_entries",
        verbose_name=_("care office"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("waiting status"), max_length=16, choices=WaitingStatus.choices)
    waiting_since = models.DateField(_("waiting since"))
    # The Treeknorm date: receipt of the referral plus the product's norm.
    norm_date = models.DateField(_("norm date"))
    last_update_on = models.DateField(_("last update to the client"), null=True, blank=True)
    next_update_due = models.DateField(_("next update due"))
    bridging_care = models.CharField(
        _("bridging care"),
        max_length=300,
        blank=True,
        help_text=_("Care given while the client waits (overbruggingszorg)."),
    )
    left_on = models.DateField(_("left the list on"), null=True, blank=True)
    left_reason = models.CharField(
        _("left because"), max_length=20, choices=LeftReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        indexes = [
            # The queue in order, with the status: positions for a whole queue are
            # read from the index alone (SQLite covers the query only when the
            # partial condition's column is in the index too, though always null).
            models.Index(
                fields=["product", "team", "priority", "waiting_since", "id", "status", "left_on"],
                condition=Q(left_on__isnull=True),
                name="waiting_queue_order",
            ),
            models.Index(
                fields=["product", "team", "left_reason", "left_on"], name="waiting_outflow"
            ),
            models.Index(
                fields=["next_update_due"],
                condition=Q(left_on__isnull=True),
                name="waiting_update_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="waiting_version_positive"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, left_reason="")
                | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="waiting_left_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.waiting_since}"

    @property
    def is_waiting(self) -> bool:
        return self.left_on is None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EndReason(models.TextChoices):
    RECOVERED = "recovered", _("Recovered or goals reached")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OTHER_PROVIDER = "other_provider", _("Went to another provider")
    CLIENT_CHOICE = "client_choice", _("Client's own choice")
    OTHER = "other", _("Other")


class CareEpisode(TimeStampedModel):
    """Care given: one product, one team, one fixed contact person (EVV'er)."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="care_episodes", verbose_name=_("client")
    )
    referral = models.OneToOneField(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="care_episode"
    )
    product = models.ForeignKey(
        CareProduct,
        on_delete=models.PROTECT,
        related_name="care_episodes",
        verbose_name=_("care"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="care_episodes", verbose_name=_("team")
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="care_episodes",
        verbose_name=_("fixed contact person"),
    )
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    starts_on = models.DateField(_("care starts on"))
    ended_on = models.DateField(_("care ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("care episode")
        verbose_name_plural = _("care episodes")
        indexes = [
            models.Index(fields=["team", "starts_on"], name="episode_team_start"),
            models.Index(fields=["client", "-starts_on"], name="episode_client_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="episode_version_positive"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__gte=models.F("starts_on")) & ~Q(end_reason="")),
                name="episode_end_after_start_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.product} {self.starts_on}"

    @property
    def is_running(self) -> bool:
        return self.ended_on is None


class EventKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("Referral received")
    OWNER_ASSIGNED = "owner_assigned", _("Owner assigned")
    CONTACTED = "contacted", _("First contact about the referral")
    INTAKE_PLANNED = "intake_planned", _("Intake planned")
    INTAKE_DONE = "intake_done", _("Intake held")
    WAITING = "waiting", _("Placed on the waiting list")
    PRIORITY_CHANGED = "priority_changed", _("Waiting priority or status changed")
    WAITING_UPDATE = "waiting_update", _("Update given to the waiting client")
    BRIDGING_CARE = "bridging_care", _("Bridging care recorded")
    DECLINED = "declined", _("Referral declined")
    WITHDRAWN = "withdrawn", _("Referral withdrawn")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    CARE_STARTED = "care_started", _("Care started")
    CONTACT_PERSON_CHANGED = "contact_person_changed", _("Fixed contact person changed")
    CARE_ENDED = "care_ended", _("Care ended")


class JourneyEvent(models.Model):
    """One step on the client's journey: what happened, when and by whom. `detail` is
    a short factual line (never care content); events shared with relatives are
    those a relative who may receive information is told about."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="journey_events")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    episode = models.ForeignKey(
        CareEpisode, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("step"), max_length=24, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    shared_with_relatives = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("journey event")
        verbose_name_plural = _("journey events")
        indexes = [models.Index(fields=["client", "-at", "-id"], name="journey_event_client_time")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

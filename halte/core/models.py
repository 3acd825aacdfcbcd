from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from halte.core.roles import Capability, Role, can

# What the administrator role manages in the admin site (/beheer/): staff, tokens,
# the service-level policy, the care offer, and the message templates and triggers
# (the only contact, journey and outreach models registered there). Client data is
# deliberately not registered there: it goes through the audited pages only.
STAFF_ADMIN_APPS = frozenset({"core", "api", "contact", "journey", "outreach"})


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Location(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return self.name


class Team(TimeStampedModel):
    """A care team (wijkteam) working from one location."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="teams", verbose_name=_("location")
    )
    # How clients reach the team: the messages name these as "whom to call".
    phone = models.CharField(_("phone number"), max_length=16, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class StaffManager(UserManager):
    """Django's manager, without its stored `is_staff` defaults (see User.is_staff).

    Django's create_user() passes is_staff=False and create_superuser() is_staff=True;
    here the flag follows the role, so only a value the caller gives is checked.
    """

    def create_user(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(username, email, password, **extra_fields)

    create_user.alters_data = True

    async def acreate_user(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return await self._acreate_user(username, email, password, **extra_fields)

    acreate_user.alters_data = True

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_superuser=True.")
        return self._create_user(username, email, password, **extra_fields)

    create_superuser.alters_data = True

    async def acreate_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_superuser=True.")
        return await self._acreate_user(username, email, password, **extra_fields)

    acreate_superuser.alters_data = True


class User(AbstractUser):
    """A member of staff. What they may do follows from `role` (see core.roles)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # The telephone extension a call rings at; the screen pop goes to whoever has it.
    phone_extension = models.CharField(
        _("phone extension"), max_length=20, blank=True, db_index=True
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams")
    )

    objects = StaffManager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Django sends post_save after the save's own transaction, so in autocommit (a
        # shell, createsuperuser) the row would commit before the audit entry of its
        # access change (core.staff) is written. One block keeps them together, as
        # delete() and the teams' add/remove/set/clear already are.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    save.alters_data = True

    # Who may open the admin site (/beheer/) is derived from the role, not stored: a
    # stored flag went stale whenever staff were written without save() (the demo's
    # bulk_create, queryset.update(role=...), raw SQL), and the administrator was shut
    # out. Replacing the inherited field (Django allows it for fields of abstract
    # bases) drops the column, so no way of writing a user can disagree with it.
    @property
    def is_staff(self) -> bool:
        return self.role == Role.ADMINISTRATOR or self.is_superuser

    @is_staff.setter
    def is_staff(self, value) -> None:
        # Model(is_staff=...) and code written for Django's User set it; a value that
        # agrees with the role is accepted, a contradicting one is a mistake.
        if bool(value) != self.is_staff:
            raise ValueError(
                "is_staff follows the role: give the user the administrator role "
                "(or make them a superuser) instead."
            )

    def has_perm(self, perm, obj=None) -> bool:
        if can(self, Capability.MANAGE_STAFF) and perm.split(".")[0] in STAFF_ADMIN_APPS:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if can(self, Capability.MANAGE_STAFF) and app_label in STAFF_ADMIN_APPS:
            return True
        return super().has_module_perms(app_label)

    def team_ids(self) -> list[int]:
        """The user's team ids, fetched once per request (access checks ask often)."""
        if not hasattr(self, "_team_ids"):
            self._team_ids = list(self.teams.values_list("id", flat=True))
        return self._team_ids


class ScheduledSlot(models.Model):
    """A periodic job's slot that a scheduler claimed (halte/core/schedule.py). The
    unique (job, slot_start) is what lets two schedulers run: the second one's claim
    fails instead of enqueueing the slot again. Old rows are pruned by the scheduler."""

    job = models.CharField(_("job"), max_length=100)
    slot_start = models.DateTimeField(_("slot start"))
    slot_end = models.DateTimeField(_("slot end"))
    claimed_at = models.DateTimeField(_("claimed at"))
    # Empty until the task is on the queue: on a queue outside the database (RQ) the
    # task is enqueued after the claim commits, and a claim left empty is retried.
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled slot")
        verbose_name_plural = _("scheduled slots")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot_start"], name="scheduled_slot_once"),
        ]
        indexes = [models.Index(fields=["slot_end"], name="scheduled_slot_end")]

    def __str__(self):
        return f"{self.job} {self.slot_start:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """How often something happened in the current fixed window, per key (a bad API
    token from an address, a token's calls this minute, failed sign-ins from an
    address this hour): halte/core/ratelimit.py counts with one upsert, so the count
    holds across processes and machines that share the database, with no cache."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    # The window's start, in seconds since the epoch (a multiple of its length).
    window = models.BigIntegerField(_("window"))
    count = models.IntegerField(_("count"))

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        indexes = [models.Index(fields=["window"], name="rate_counter_window")]

    def __str__(self):
        return f"{self.key}: {self.count}"

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from halte.core.roles import Capability, Role, can

# What the administrator role manages in the admin site (/beheer/): staff, tokens and
# the service-level policy and the care offer (the only contact and journey models
# registered there). Client data is
# deliberately not registered there: it goes through the audited pages only.
STAFF_ADMIN_APPS = frozenset({"core", "api", "contact", "journey"})


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


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

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        self.is_staff = self.role == Role.ADMINISTRATOR or self.is_superuser
        super().save(*args, **kwargs)

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

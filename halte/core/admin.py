from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from halte.core import staff
from halte.core.models import Location, Team, User

admin.site.site_header = _("Halte administration")
admin.site.site_title = _("Halte administration")


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "location"]
    list_filter = ["location"]
    search_fields = ["name"]

    # Deleting a team takes it from its members: a change of their teams, recorded in
    # the audit log as any other (core.staff).

    def delete_model(self, request, obj):
        self.delete_queryset(request, Team.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            members = list(User.objects.filter(teams__in=queryset).distinct())
            before = {member.pk: staff.stored_access(member) for member in members}
            super().delete_queryset(request, queryset)
            for member in members:
                staff.report_access_change(
                    by=request.user,
                    source_ip=request.META.get("REMOTE_ADDR") or None,
                    member=member,
                    before=before[member.pk],
                )


class _OwnRoleCheck:
    """A form mixin: the administrator's own role cannot be changed (core.staff); said
    on the role field, in the form. `acting_user` is set per request by StaffAdmin."""

    acting_user = None

    def clean_role(self):
        role = self.cleaned_data.get("role")
        try:
            staff.refuse_own_role_change(self.acting_user, self.instance, role)
        except ValidationError as error:
            raise ValidationError(error.message_dict["role"]) from error
        return role


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "teams"]
    filter_horizontal = ["teams"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Work"), {"fields": ["role", "teams", "is_active"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "teams"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (_OwnRoleCheck, form), {"acting_user": request.user})

    # A change of role or teams is recorded in the audit log (core.staff): the state
    # before the save is read here, the change reported once the teams are saved too.
    # The admin runs both in one transaction, so the entry exists exactly when the
    # change does.

    def save_model(self, request, obj, form, change):
        # The form said it already; this refuses a save that went around the form.
        staff.refuse_own_role_change(request.user, obj, obj.role)
        request._staff_access_before = staff.stored_access(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff.report_access_change(
            by=request.user,
            source_ip=request.META.get("REMOTE_ADDR") or None,
            member=form.instance,
            before=request._staff_access_before,
        )

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from halte.core import staff
from halte.core.models import Location, Team, User
from halte.core.validation import character_problem

admin.site.site_header = _("Halte administration")
admin.site.site_title = _("Halte administration")


class _NoHiddenCharacters:
    """A form mixin: the admin's text refuses what Halte's own forms and API refuse
    (core.validation.character_problem), since a team's or staff member's name is shown
    on the pages and in the audit log: control characters, text-direction overrides,
    and line breaks outside a multi-line field. A password may hold anything."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)  # a form's clean may add a value of its own
            if field is None or not isinstance(value, str):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            multiline = isinstance(field.widget, forms.Textarea)
            if problem := character_problem(value, multiline=multiline):
                self.add_error(name, problem)
        return cleaned


class RefusesHiddenCharacters:
    """A ModelAdmin mixin: its add and change forms check text as _NoHiddenCharacters."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (_NoHiddenCharacters, form), {})


@admin.register(Location)
class LocationAdmin(RefusesHiddenCharacters, admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class _StaffChangesAttributed:
    """A ModelAdmin mixin: the changes of staff access a page of the admin site makes
    (a staff member saved, a team deleted) are the administrator's, reported once per
    member (core.staff), in the page's transaction."""

    def _attributed(self, request, view, *args, **kwargs):
        ip = request.META.get("REMOTE_ADDR") or None
        with staff.staff_changes(by=request.user, source_ip=ip):
            return view(request, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        return self._attributed(request, super().changeform_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._attributed(request, super().changelist_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._attributed(request, super().delete_view, *args, **kwargs)


@admin.register(Team)
class TeamAdmin(_StaffChangesAttributed, RefusesHiddenCharacters, admin.ModelAdmin):
    list_display = ["name", "location"]
    list_filter = ["location"]
    search_fields = ["name"]
    # Deleting a team takes it from its members: a change of their teams, recorded in
    # the audit log as any other (core.staff).


class _OwnRoleCheck:
    """A form mixin: the administrator's own role cannot be changed, nor their account
    deactivated (core.staff); said on the field, in the form. `acting_user` is set per
    request by StaffAdmin."""

    acting_user = None

    def clean(self):
        cleaned = super().clean()
        try:
            staff.refuse_own_access_change(
                self.acting_user,
                self.instance,
                role=cleaned.get("role"),
                is_active=cleaned.get("is_active"),
            )
        except ValidationError as error:
            self.add_error(None, error)  # each message on its field
        return cleaned


@admin.register(User)
class StaffAdmin(_StaffChangesAttributed, RefusesHiddenCharacters, UserAdmin):
    # One name column, and the last sign-in as "30-09-2026 23:59" as elsewhere in Halte:
    # first and last name apart and Django's long date ("30 september 2026 23:59") cut
    # the list off at 1366 px.
    list_display = ["username", "name", "role", "is_active", "last_sign_in"]
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

    @admin.display(description=_("Name"), ordering="last_name")
    def name(self, obj):
        return obj.get_full_name()

    @admin.display(
        description=User._meta.get_field("last_login").verbose_name, ordering="last_login"
    )
    def last_sign_in(self, obj):
        if obj.last_login is None:
            return None  # the admin's dash
        return date_format(timezone.localtime(obj.last_login), "d-m-Y H:i")

    # A change of role or teams is recorded in the audit log by core.staff's model
    # signals, gathered per page (_StaffChangesAttributed): one report of the member's
    # access before and after the save and their teams, in the page's transaction.

    def save_model(self, request, obj, form, change):
        # The form said it already; this refuses a save that went around the form.
        staff.refuse_own_access_change(request.user, obj, role=obj.role, is_active=obj.is_active)
        super().save_model(request, obj, form, change)

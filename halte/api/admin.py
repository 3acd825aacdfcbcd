"""API tokens at /beheer/: see them, give them an expiry, and revoke them. They are
made with `manage.py create_api_token`, which is the only place a token is ever shown.
A change of the expiry and each token revoked is an entry in the audit log, the
administrator's (api.services)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halte.api.models import ApiToken
from halte.api.services import api_token_set_expiry, api_tokens_revoke, expiry_problem
from halte.audit.context import actor_from_request


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["expires_at"]
        help_texts = {
            "expires_at": _("From this moment the token is refused. Empty: no end."),
        }

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if (problem := expiry_problem(expires_at)) is not None:
            raise ValidationError(problem)
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "user__username"]
    fields = ["name", "user", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    # The expiry is the one field an administrator may change; the rest is read only.
    readonly_fields = [name for name in fields if name != "expires_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        api_token_set_expiry(
            actor=actor_from_request(request),
            api_token=obj,
            expires_at=form.cleaned_data["expires_at"],
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke(actor=actor_from_request(request), tokens=queryset)
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

"""API tokens at /beheer/: see them and revoke them. They are made with
`manage.py create_api_token`, which is the only place a token is ever shown."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halte.api.models import ApiToken
from halte.api.services import api_tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
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
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; the revoke action is the one change allowed.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke(tokens=queryset)
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

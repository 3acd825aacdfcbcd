from django.contrib import admin

from halte.contact.models import ServiceLevelPolicy


@admin.register(ServiceLevelPolicy)
class ServiceLevelPolicyAdmin(admin.ModelAdmin):
    """The organisation's promise standards; there is one row."""

    list_display = ["__str__", "office_opens", "office_closes", "callback_cutoff"]

    def has_add_permission(self, request):
        return not ServiceLevelPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

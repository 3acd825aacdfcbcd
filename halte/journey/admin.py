from django.contrib import admin

from halte.core.admin import RefusesHiddenCharacters
from halte.journey.models import CareOffice, CareProduct, JourneyPolicy


@admin.register(CareProduct)
class CareProductAdmin(RefusesHiddenCharacters, admin.ModelAdmin):
    """The care offer and each product's maximum waiting time (Treeknorm)."""

    list_display = ["name", "code", "financing", "norm_days", "active"]
    list_filter = ["financing", "active"]

    def has_delete_permission(self, request, obj=None):
        # Referrals and episodes keep pointing at a product; retire it instead.
        return False


@admin.register(CareOffice)
class CareOfficeAdmin(RefusesHiddenCharacters, admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(JourneyPolicy)
class JourneyPolicyAdmin(admin.ModelAdmin):
    """The referral norms and the waiting-list rhythm; there is one row."""

    list_display = ["__str__", "contact_within_days", "update_every_days", "outflow_weeks"]

    def has_add_permission(self, request):
        return not JourneyPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "halte.api"
    label = "api"
    # The heading of API tokens in the admin site (/beheer/) and its breadcrumb.
    verbose_name = _("API access")

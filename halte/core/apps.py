from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "halte.core"
    label = "core"
    # The heading of staff, teams and locations in the admin site (/beheer/).
    verbose_name = _("Organisation")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "halte.core"
    label = "core"
    # The heading of staff, teams and locations in the admin site (/beheer/).
    verbose_name = _("Organisation")

    def ready(self):
        from django.core import checks

        from halte.core.deploy import check_static_files

        # Only under --deploy: `migrate` runs every other check, and it comes before
        # `collectstatic` in a release.
        checks.register(check_static_files, deploy=True)

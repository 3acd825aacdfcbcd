from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "halte.core"
    label = "core"
    # The heading of staff, teams and locations in the admin site (/beheer/).
    verbose_name = _("Organisation")

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created

        # Signal receivers: failed sign-ins counted per address, the session's clock.
        from halte.core import sessions, signin, staff  # noqa: F401
        from halte.core.deploy import check_static_files
        from halte.core.moments import install_readable_bounds, register_infinity_loaders

        # Every change of a staff member's access through the ORM is reported (staff.py).
        staff.connect_signals()
        # Whatever the database holds, reading a date never overflows (moments.py), nor
        # does PostgreSQL's 'infinity' fail the read.
        install_readable_bounds()
        connection_created.connect(register_infinity_loaders, dispatch_uid="halte.core.moments")
        # Only under --deploy: `migrate` runs every other check, and it comes before
        # `collectstatic` in a release.
        checks.register(check_static_files, deploy=True)

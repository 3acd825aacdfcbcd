from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "halte.audit"
    label = "audit"

    def ready(self):
        from halte.audit import signin, views  # noqa: F401 - signin's signal receivers
        from halte.core import extensions as core

        # The start page of those who read the log (core does not name audit's URLs).
        core.START_PAGES.register(views.log_start)

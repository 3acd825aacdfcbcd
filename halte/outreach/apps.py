from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "halte.outreach"
    verbose_name = _("Messages to clients")

    def ready(self):
        # Outreach acts on what the lower apps publish (core.events); no journey or
        # contact code knows that messages exist.
        from datetime import timedelta

        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
        from halte.outreach import tasks, triggers

        triggers.subscribe_all()
        PERIODIC_JOBS.register(
            PeriodicJob("outbox_sweep", tasks.sweep_outbox, every=timedelta(minutes=5))
        )

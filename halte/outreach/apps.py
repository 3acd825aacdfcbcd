from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "halte.outreach"
    verbose_name = _("Messages to clients")

    def ready(self):
        # Outreach acts on what the lower apps publish (core.events); no journey or
        # contact code knows that messages exist.

        # Letters: yesterday's print batch is closed each morning (letter_tasks).
        from halte.core.schedule import PERIODIC_JOBS
        from halte.outreach.letter_tasks import LETTER_BATCH_JOB

        PERIODIC_JOBS.register(LETTER_BATCH_JOB)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "halte.outreach"
    verbose_name = _("Messages to clients")

    def ready(self):
        # Outreach acts on what the lower apps publish (core.events); no journey or
        # contact code knows that messages exist.
        from datetime import time, timedelta

        from halte.clients import extensions as clients
        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
        from halte.outreach import tasks, triggers, views
        from halte.outreach.letter_tasks import LETTER_BATCH_JOB

        triggers.subscribe_all()
        clients.CLIENT_PAGE_SECTIONS.register(views.client_page_section)
        PERIODIC_JOBS.register(
            PeriodicJob("outbox_sweep", tasks.sweep_outbox, every=timedelta(minutes=5))
        )
        # In the morning, so that a text message is not held overnight by the quiet
        # hours and read on the day itself.
        PERIODIC_JOBS.register(PeriodicJob("intake_reminders", tasks.remind_intakes, at=time(10)))
        # Letters: yesterday's print batch is closed each morning (letter_tasks).
        PERIODIC_JOBS.register(LETTER_BATCH_JOB)
        self._chase_promises()

    def _chase_promises(self):
        """Promises are chased: notices to owners and team leads, the morning digest,
        and the notices on the workplace."""
        from halte.contact import extensions as contact
        from halte.contact.events import PromiseNearlyDue, PromiseOverdue
        from halte.core import events
        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
        from halte.outreach import chasing, notification_views

        events.subscribe(PromiseNearlyDue, chasing.on_promise_nearly_due)
        events.subscribe(PromiseOverdue, chasing.on_promise_overdue)
        PERIODIC_JOBS.register(
            PeriodicJob("team_digest", chasing.send_team_digests, at=chasing.DIGEST_AT)
        )
        contact.WORKPLACE_NOTICES.register(notification_views.workplace_notices)

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
        self._announcements()
        self._chase_promises()

    def _announcements(self):
        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
        from halte.outreach import announcement_tasks

        PERIODIC_JOBS.register(
            PeriodicJob(
                "announcements_due",
                announcement_tasks.start_scheduled_announcements,
                every=announcement_tasks.START_EVERY,
            )
        )

    def _chase_promises(self):
        """Promises are chased: notices to owners and team leads, the morning digest,
        and the notices on the workplace."""
        from halte.contact import extensions as contact
        from halte.contact.events import PromiseNearlyDue, PromiseOverdue
        from halte.core import events
        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
        from halte.outreach import chasing, notification_views

        for event_type in (PromiseNearlyDue, PromiseOverdue):
            events.subscribe(event_type, chasing.on_promise_event, in_transaction=True)
        PERIODIC_JOBS.register(
            PeriodicJob("team_digest", chasing.send_team_digests, at=chasing.DIGEST_AT)
        )
        contact.WORKPLACE_NOTICES.register(notification_views.workplace_notices)

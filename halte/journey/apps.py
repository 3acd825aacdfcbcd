from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneyConfig(AppConfig):
    name = "halte.journey"
    verbose_name = _("Client journey")

    def ready(self):
        # The lower apps' pages show the journey through the extension points they
        # declare (halte/core/extensions.py); they do not import journey.
        from halte.clients import extensions as clients
        from halte.contact import extensions as contact
        from halte.core import extensions as core
        from halte.core.schedule import PERIODIC_JOBS
        from halte.journey import queries, tasks, views

        clients.CLIENT_PAGE_SECTIONS.register(views.client_page_section)
        clients.CLIENT_ACTIONS.register(views.new_referral_action)
        contact.CARD_SECTIONS.register(views.client_card_section)
        contact.WORKPLACE_QUEUES.register(views.unowned_referrals_link)
        contact.ESCALATION_QUEUES.register(views.over_norm_link)
        contact.TIMELINE_SOURCES.register(queries.timeline_steps)
        core.START_PAGES.register(views.queues_start)
        for job in tasks.PERIODIC_JOBS:
            PERIODIC_JOBS.register(job)

from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "halte.contact"
    label = "contact"

    def ready(self):
        # The lower apps' pages show contact's parts through the extension points they
        # declare (halte/core/extensions.py); they do not name contact's templates or
        # URLs.
        from halte.clients import extensions as clients
        from halte.contact import contributions, tasks
        from halte.core import extensions as core
        from halte.core.schedule import PERIODIC_JOBS

        clients.CLIENT_ACTIONS.register(contributions.make_promise_action)
        clients.CLIENT_ACTIONS.register(contributions.log_contact_action)
        clients.CLIENT_ACTIONS.register(contributions.contact_card_action)
        clients.CLIENT_PAGE_SECTIONS.register(contributions.timeline_section)
        core.START_PAGES.register(contributions.workplace_start)
        # The scheduler enqueues contact's periodic tasks (manage.py scheduler).
        for job in tasks.PERIODIC_JOBS:
            PERIODIC_JOBS.register(job)

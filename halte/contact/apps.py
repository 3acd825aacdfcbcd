from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "halte.contact"
    label = "contact"

    def ready(self):
        from halte.contact import tasks
        from halte.core.schedule import PERIODIC_JOBS

        for job in tasks.PERIODIC_JOBS:
            PERIODIC_JOBS.register(job)

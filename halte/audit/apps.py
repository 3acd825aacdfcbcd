from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "halte.audit"
    label = "audit"

    def ready(self):
        from datetime import timedelta

        from django.conf import settings

        from halte.audit import refusals, staff, tasks, views
        from halte.core import extensions as core
        from halte.core.schedule import PERIODIC_JOBS, PeriodicJob

        # The start page of those who read the log (core does not name audit's URLs).
        core.START_PAGES.register(views.log_start)
        # The chain heads go to the anchor file at a fixed interval (anchors.py).
        PERIODIC_JOBS.register(
            PeriodicJob(
                "audit_anchor",
                tasks.anchor_chains,
                every=timedelta(minutes=settings.AUDIT_ANCHOR_MINUTES),
            )
        )
        # A page refused by role is a `denied` entry (core reports it, audit logs it).
        core.PAGE_REFUSALS.register(refusals.record_page_refusal)
        # A change of a staff member's role or teams is an entry in the chain.
        core.STAFF_ACCESS_CHANGES.register(staff.record_staff_access_change)

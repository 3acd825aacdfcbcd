from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "halte.audit"
    label = "audit"

    def ready(self):
        from halte.audit import refusals, staff, views
        from halte.core import extensions as core

        # The start page of those who read the log (core does not name audit's URLs).
        core.START_PAGES.register(views.log_start)
        # A page refused by role is a `denied` entry (core reports it, audit logs it).
        core.PAGE_REFUSALS.register(refusals.record_page_refusal)
        # A change of a staff member's role or teams is an entry in the chain.
        core.STAFF_ACCESS_CHANGES.register(staff.record_staff_access_change)

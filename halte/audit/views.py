"""The privacy officer's view on the access log: who looked at whose data, when and why."""

import datetime

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from halte.audit.context import actor_from_request
from halte.audit.forms import AuditFilterForm
from halte.audit.models import Action
from halte.audit.queries import audit_page
from halte.audit.services import audit_record
from halte.core.access import require_capability
from halte.core.extensions import StartPage
from halte.core.roles import Capability, can

PAGE_SIZE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@require_capability(Capability.VIEW_AUDIT_LOG)
def log(request):
    form = AuditFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        until = data.get("until")
        page = audit_page(
            client_number=data.get("client_number"),
            person=data.get("person"),
            since=_day_start(data["since"]) if data.get("since") else None,
            until=_day_start(until + datetime.timedelta(days=1)) if until else None,
            action=data.get("action"),
            outcome=data.get("outcome"),
            before_seq=data.get("before"),
            page_size=PAGE_SIZE,
        )
        # Looking into the log is itself logged: who checked whose trail.
        audit_record(
            actor_from_request(request),
            action=Action.READ,
            part="audit_log",
            client_id=page.client_id,
        )
    template = "audit/log_rows.html" if request.htmx else "audit/log.html"
    return render(request, template, {"form": form, "page": page})


def log_start(user) -> StartPage | None:
    """The start page of the roles that only read the log (registered in
    AuditConfig.ready())."""
    if not can(user, Capability.VIEW_AUDIT_LOG):
        return None
    return StartPage(40, reverse("audit:log"))

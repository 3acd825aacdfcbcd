"""The start page: each role goes straight to its own work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from halte.core.roles import Capability, can, starts_at_queues, starts_at_workplace


@login_required
def home(request):
    if starts_at_workplace(request.user):
        return redirect("contact:workplace")
    if starts_at_queues(request.user):
        return redirect("journey:queues")
    if can(request.user, Capability.SEARCH_CLIENTS):
        return redirect("clients:search")
    if can(request.user, Capability.VIEW_AUDIT_LOG):
        return redirect("audit:log")
    return render(request, "core/home.html")

"""The start page: each role goes straight to its own work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from halte.core.roles import Capability, can


@login_required
def home(request):
    if can(request.user, Capability.SEARCH_CLIENTS):
        return redirect("clients:search")
    if can(request.user, Capability.VIEW_AUDIT_LOG):
        return redirect("audit:log")
    return render(request, "core/home.html")

"""The start page: each role goes straight to its own work."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

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


def favicon(request):
    """Browsers and bookmark tools ask for /favicon.ico whatever the page links; not a
    permanent redirect, since the static file's URL carries its hash in production."""
    return redirect(static("img/favicon.ico"))

"""The staff's notices on the workplace (promises nearly due, overdue, escalated), and
marking them read."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.clients.access import clients_visible_to
from halte.contact.extensions import WorkplaceNotice
from halte.contact.models import CommitmentStatus
from halte.core.access import require_capability
from halte.core.roles import Capability, ClientScope, client_scope
from halte.outreach.models import StaffNotification

# The newest this many show; the rest wait until these are read.
SHOWN = 20


def unread_notifications(user):
    """The user's unread notices about open promises of clients they may still see,
    newest first."""
    notices = StaffNotification.objects.filter(
        user=user, read_at__isnull=True, commitment__status=CommitmentStatus.OPEN
    )
    if client_scope(user) != ClientScope.ALL:
        notices = notices.filter(client__in=clients_visible_to(user))
    return notices.select_related(
        "client", "commitment", "commitment__owner_user", "commitment__owner_team"
    ).order_by("-created_at", "-id")


def workplace_notices(request, actor) -> WorkplaceNotice | None:
    """The workplace's notices: one query, and one audit entry naming the clients."""
    if not request.user.is_authenticated:
        return None
    rows = list(unread_notifications(request.user)[: SHOWN + 1])
    if not rows:
        return None
    shown = rows[:SHOWN]
    audit_record_listing(
        actor, action=Action.READ, part="promises", client_ids=[n.client_id for n in shown]
    )
    context = {"notifications": shown, "more": len(rows) > SHOWN, "shown": SHOWN}
    return WorkplaceNotice("outreach/_notifications.html", context)


def _done(request) -> HttpResponse:
    # htmx swaps the notice (or all of them) for nothing; a plain form goes back.
    if request.htmx:
        return HttpResponse("")
    return redirect("contact:workplace")


@require_POST
@require_capability(Capability.USE_WORKPLACE)
def notification_read(request, pk: int):
    mine = StaffNotification.objects.filter(pk=pk, user=request.user)
    if not mine.filter(read_at__isnull=True).update(read_at=timezone.now()) and not mine.exists():
        raise Http404
    return _done(request)


@require_POST
@require_capability(Capability.USE_WORKPLACE)
def notifications_read(request):
    """All of the user's notices read at once."""
    StaffNotification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return _done(request)

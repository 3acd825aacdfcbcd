"""The outbox pages: a client's messages (a section of the client page and a page of
its own), the whole outbox with what failed, and acting on a failure."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients.access import client_for_user
from halte.clients.extensions import ClientSection
from halte.clients.models import Client
from halte.core.access import require_capability
from halte.core.roles import Capability, can
from halte.outreach import queries, sending
from halte.outreach.models import Message, MessageChannel, MessageStatus
from halte.outreach.recipients import Purpose, reach

PAGE_SIZE = 50
SECTION_SIZE = 5


def client_page_section(request, actor, client_pk: int) -> ClientSection | None:
    """The client page's messages (registered in OutreachConfig.ready()): the latest
    few, and who receives nothing and why."""
    if not can(request.user, Capability.LOG_CONTACT):
        return None
    client = Client.objects.prefetch_related("phones", "relations").filter(pk=client_pk).first()
    if client is None:
        return None
    latest = list(queries.client_messages(client_pk)[: SECTION_SIZE + 1])
    audit_record(actor, action=Action.READ, part="messages", client_id=client_pk)
    return ClientSection(
        "outreach/_client_messages.html",
        {
            "outreach_messages": latest[:SECTION_SIZE],
            "outreach_more": len(latest) > SECTION_SIZE,
            "outreach_reach": reach(client, Purpose.JOURNEY),
            "outreach_announcements": reach(client, Purpose.ANNOUNCEMENT),
            "now": timezone.now(),
        },
    )


@require_capability(Capability.LOG_CONTACT, client_kwarg="pk")
def client_messages(request, pk):
    actor = actor_from_request(request)
    client = client_for_user(actor, pk, capability=Capability.LOG_CONTACT, part="messages")
    page = Paginator(queries.client_messages(client.pk), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    audit_record(actor, action=Action.READ, part="messages", client_id=client.pk)
    context = {
        "client": client,
        "page": page,
        "now": timezone.now(),
        "can_act": can(request.user, Capability.MANAGE_OUTBOX),
    }
    return render(request, "outreach/client_messages.html", context)


@require_capability(Capability.MANAGE_OUTBOX)
def outbox(request):
    status = request.GET.get("status", "")
    if status not in {"", "to_act_on", *MessageStatus.values}:
        status = ""
    channel = request.GET.get("kanaal", "")
    if channel not in {"", *MessageChannel.values}:
        channel = ""
    rows = queries.outbox(request.user, status=status, channel=channel)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    audit_record_listing(
        actor_from_request(request),
        action=Action.READ,
        part="outbox",
        client_ids=[message.client_id for message in page],
    )
    context = {
        "page": page,
        "counts": queries.outbox_counts(request.user),
        "status": status,
        "channel": channel,
        "statuses": MessageStatus.choices,
        "channels": MessageChannel.choices,
        "now": timezone.now(),
    }
    return render(request, "outreach/outbox.html", context)


def _message_for(request, pk):
    message = queries.outbox(request.user).filter(pk=pk).first()
    if message is None:
        client_id = Message.objects.filter(pk=pk).values_list("client_id", flat=True).first()
        if client_id is not None:
            # A message of a client outside the user's teams: as that client's page, a
            # 404 (as if there were none) and one `denied` entry.
            client_for_user(
                actor_from_request(request),
                client_id,
                capability=Capability.MANAGE_OUTBOX,
                part="messages",
            )
        raise Http404
    return message


def _back(request):
    """Where the form came from (the outbox or a client's messages), on this site only."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("outreach:outbox")


@require_POST
@require_capability(Capability.MANAGE_OUTBOX)
def resend(request, pk):
    """Put a failed or uncertain message back in the queue (a person decided)."""
    message = _message_for(request, pk)
    if message.status not in queries.TO_ACT_ON:
        flash.info(request, _("This message is not waiting for a decision."))
    else:
        sending.resend(message)
        audit_record(
            actor_from_request(request),
            action=Action.UPDATE,
            part="messages",
            client_id=message.client_id,
        )
        flash.success(request, _("The message is queued again."))
    return _back(request)


@require_POST
@require_capability(Capability.MANAGE_OUTBOX)
def cancel(request, pk):
    """Give up on a failed or uncertain message (it will not be sent)."""
    message = _message_for(request, pk)
    if sending.cancel(message):
        audit_record(
            actor_from_request(request),
            action=Action.UPDATE,
            part="messages",
            client_id=message.client_id,
        )
        flash.success(request, _("The message will not be sent."))
    else:
        flash.info(request, _("This message is not waiting for a decision."))
    return _back(request)

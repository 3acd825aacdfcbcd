"""The calls an agent still has to write up ("nog vastleggen"): the rows of that list
on the workplace, writing up a call that belongs to no client, and putting aside a
call no one answered."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.contact import services
from halte.contact.forms import CallWithoutClientForm
from halte.contact.models import InteractionStatus
from halte.contact.queries import call_for_agent, callers_for_number, unwritten_calls
from halte.core.access import require_capability
from halte.core.errors import Conflict
from halte.core.forms import add_service_errors
from halte.core.roles import Capability


@dataclass(frozen=True)
class UnwrittenCall:
    """A row of "still to write up": the call, and what the agent may see of it."""

    call: object
    client_shown: bool  # the recognised client is one the agent may see


def unwritten_rows(actor, user) -> list[UnwrittenCall]:
    """The user's calls still to write up; one read entry names the clients shown."""
    calls = unwritten_calls(user)
    rows = [UnwrittenCall(c, bool(c.client_visible)) for c in calls]
    client_ids = [row.call.client_id for row in rows if row.client_shown]
    audit_record_listing(actor, action=Action.READ, part="contacts", client_ids=client_ids)
    return rows


def _open_call_or_gone(request, actor, pk):
    """A call still to write up, or None (with a message) when it no longer is."""
    call = call_for_agent(actor, pk)
    if call.status != InteractionStatus.OPEN:
        messages.info(request, _("This call has already been written up or put aside."))
        return None
    return call


@require_capability(Capability.USE_WORKPLACE)
@require_capability(Capability.LOG_CONTACT)
def call_write_up(request, pk):
    """Write up a call from the list "still to write up". A call with a known client
    is written up on the client's card; one without (unknown or withheld number, or
    a number several clients share) here, with links to whoever has the number."""
    actor = actor_from_request(request)
    call = _open_call_or_gone(request, actor, pk)
    if call is None:
        return redirect("contact:workplace")
    if call.client_id is not None:
        return redirect(reverse("contact:card", args=[call.client_id]) + f"?gesprek={call.pk}")
    form = CallWithoutClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_complete(
                actor=actor, interaction=call, client=None, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            messages.error(request, conflict.args[0])
            return redirect("contact:workplace")
        else:
            messages.success(request, _("The call is written up."))
            return redirect("contact:workplace")
    matches = callers_for_number(call.caller_e164, request.user) if call.caller_e164 else []
    client_ids = [match.client.pk for match in matches]
    audit_record_listing(
        actor, action=Action.READ, part="caller_recognition", client_ids=client_ids
    )
    context = {
        "call": call,
        "form": form,
        "matches": matches,
    }
    return render(request, "contact/call_write_up.html", context)


@require_POST
@require_capability(Capability.USE_WORKPLACE)
@require_capability(Capability.LOG_CONTACT)
def call_put_aside(request, pk):
    """Put aside a call no one answered, without writing it up."""
    actor = actor_from_request(request)
    call = _open_call_or_gone(request, actor, pk)
    if call is not None:
        try:
            services.interaction_discard(actor=actor, interaction=call)
        except Conflict as conflict:
            messages.error(request, conflict.args[0])
        else:
            messages.success(request, _("The missed call is put aside."))
    return redirect("contact:workplace")

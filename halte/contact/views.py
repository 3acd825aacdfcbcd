"""The agent's workplace: the incoming call, number lookup, the client card, contacts
and promises, and the escalation list.

Thin views: parse with a form, fetch through queries/access (scoped and audited),
write through services, render. A page `{% include %}`s each partial that an htmx
request gets alone (the screen pop, the lookup results, the timeline).
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record, audit_record_listing
from halte.clients import services as client_services
from halte.clients.access import client_for_user
from halte.clients.extensions import ActionPlace, client_actions, section_context
from halte.clients.models import ClientStatus
from halte.clients.queries import client_detail
from halte.contact import services
from halte.contact.call_views import unwritten_rows
from halte.contact.extensions import (
    CARD_SECTIONS,
    ESCALATION_QUEUES,
    WORKPLACE_QUEUES,
    queue_links,
    workplace_notices,
)
from halte.contact.forms import (
    COMMITMENT_FIELD_MAP,
    CONTACT_FIELD_MAP,
    AttemptForm,
    CommitmentForm,
    CompleteCallForm,
    CompleteCommitmentForm,
    InteractionForm,
    NewContactForm,
    NumberLookupForm,
)
from halte.contact.models import (
    CommitmentStatus,
    InteractionOutcome,
    InteractionStatus,
    ServiceLevelPolicy,
)
from halte.contact.queries import (
    callers_for_number,
    client_card,
    commitment_for_user,
    commitment_list,
    default_callback_number,
    escalations,
    interaction_for_user,
    open_call_for_agent,
    timeline,
    timeline_cursor,
    timeline_position,
)
from halte.core import phone as phone_codec
from halte.core.access import require_capability
from halte.core.errors import Conflict
from halte.core.forms import add_service_errors
from halte.core.roles import Capability, can

# The calls whose pop this session has shown (and so audited), newest last.
POPPED_CALLS = "contact_popped_calls"
POPPED_CALLS_KEPT = 20
OVERDUE = "overdue"
EXPIRING = "expiring"
DUE_FORMAT = "d-m-Y H:i"


def _is_partial(request) -> bool:
    # A history restore wants the whole page, although htmx sends it.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _int_or_none(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def _due_text(moment: datetime.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), DUE_FORMAT)


# Promises and how urgent they are


@dataclass(frozen=True)
class PromiseRow:
    commitment: object
    urgency: str  # OVERDUE, EXPIRING or ""


class Urgency:
    """Overdue (due time passed) or expiring (within the policy's warning window)."""

    def __init__(self, now=None, warn_before=None):
        self.now = now or timezone.now()
        if warn_before is None:
            policy = ServiceLevelPolicy.current()
            warn_before = datetime.timedelta(minutes=policy.warn_before_minutes)
        self.warn_before = warn_before

    def of(self, commitment) -> str:
        if commitment.status != CommitmentStatus.OPEN:
            return ""
        if commitment.due_at <= self.now:
            return OVERDUE
        if commitment.due_at <= self.now + self.warn_before:
            return EXPIRING
        return ""

    def rows(self, commitments) -> list[PromiseRow]:
        return [PromiseRow(c, self.of(c)) for c in commitments]


def _audit_listed(actor, commitments) -> None:
    """One look at promise lists: one read entry naming every client whose promises
    they show."""
    client_ids = [c.client_id for c in commitments]
    audit_record_listing(actor, action=Action.READ, part="promises", client_ids=client_ids)


# The screen pop


def _call_context(request, actor) -> dict:
    """The open call at the user's extension and who the caller may be. The first
    time this session shows a call, the clients it names are audited."""
    call = open_call_for_agent(request.user)
    matches = []
    if call is not None and call.caller_e164:
        matches = callers_for_number(call.caller_e164, request.user)
    if call is not None:
        popped = request.session.get(POPPED_CALLS, [])
        if call.pk not in popped:
            client_ids = [match.client.pk for match in matches]
            audit_record_listing(
                actor, action=Action.READ, part="caller_pop", client_ids=client_ids
            )
            request.session[POPPED_CALLS] = [*popped, call.pk][-POPPED_CALLS_KEPT:]
    return {
        "call": call,
        "matches": matches,
        "caller_display": phone_codec.display(call.caller_e164) if call else "",  # for links
    }


@require_capability(Capability.USE_WORKPLACE)
def call_pop(request):
    """Polled every second by the workplace: 204 while the call shown is still the one."""
    call = open_call_for_agent(request.user)
    if str(call.pk if call else "") == request.GET.get("shown", ""):
        return HttpResponse(status=204)
    context = _call_context(request, actor_from_request(request))
    return render(request, "contact/_call.html", context)


# The workplace


def _workplace_context(request, actor, **extra) -> dict:
    mine = list(commitment_list(request.user, mine=True))
    team = list(commitment_list(request.user, team=True).exclude(owner_user=request.user))
    _audit_listed(actor, mine + team)
    urgency = Urgency()
    return {
        **_call_context(request, actor),
        "lookup_form": NumberLookupForm(),
        "lookup": None,
        "unwritten": unwritten_rows(actor, request.user),
        "mine": urgency.rows(mine),
        "team": urgency.rows(team),
        "queue_links": queue_links(WORKPLACE_QUEUES, request.user),
        "notices": workplace_notices(request, actor),
        **extra,
    }


@require_capability(Capability.USE_WORKPLACE)
def workplace(request):
    actor = actor_from_request(request)
    return render(request, "contact/workplace.html", _workplace_context(request, actor))


@dataclass
class Lookup:
    number: str  # as shown: Dutch national format
    e164: str
    matches: list
    new_contact_form: NewContactForm | None


@require_capability(Capability.USE_WORKPLACE)
def lookup(request):
    """Who has this number (any notation): the clients first, then relations."""
    actor = actor_from_request(request)
    form = NumberLookupForm(request.GET)
    found = None
    if form.is_valid():
        e164 = form.cleaned_data["number"]
        matches = callers_for_number(e164, request.user)
        client_ids = [match.client.pk for match in matches]
        audit_record_listing(
            actor, action=Action.READ, part="caller_recognition", client_ids=client_ids
        )
        new_contact = None
        if not matches and can(request.user, Capability.CREATE_CLIENT):
            initial = {"number": phone_codec.display(e164)}
            new_contact = NewContactForm(initial=initial, user=request.user)
        found = Lookup(phone_codec.display(e164), e164, matches, new_contact)
    if _is_partial(request):
        response = render(
            request, "contact/_lookup_results.html", {"lookup_form": form, "lookup": found}
        )
    else:
        context = _workplace_context(request, actor, lookup_form=form, lookup=found)
        response = render(request, "contact/workplace.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_capability(Capability.USE_WORKPLACE)
@require_capability(Capability.CREATE_CLIENT)
def new_contact(request):
    """An unknown caller becomes a (prospective) client, and the card opens."""
    if request.method == "POST":
        form = NewContactForm(request.POST, user=request.user)
    else:
        form = NewContactForm(
            initial={"number": request.GET.get("number", "")[:40]}, user=request.user
        )
    if request.method == "POST" and form.is_valid():
        try:
            client = client_services.client_create(
                actor=actor_from_request(request), **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, {"phones": "number"})
        else:
            messages.success(request, _("The client is added."))
            return redirect("contact:card", pk=client.pk)
    return render(request, "contact/new_contact.html", {"form": form})


# The client card


@dataclass(frozen=True)
class Caller:
    """Who is on the line, as far as the agent knows: a relation, or the client."""

    relation: object | None

    @property
    def is_client(self) -> bool:
        return self.relation is None


def _call_on_card(actor, request, client):
    """The call the card was opened from (?gesprek=), and who is calling in it."""
    call_id = _int_or_none(request.GET.get("gesprek"))
    if call_id is None:
        return None, None
    call = interaction_for_user(actor, call_id)
    if call.client_id not in (None, client.pk):
        return None, None
    relations = {r.pk: r for r in client.relations.all()}
    relation = relations.get(_int_or_none(request.GET.get("naaste")))
    if relation is None and call.relation_id in relations:
        relation = relations[call.relation_id]
    if relation is None and call.caller_e164 not in {p.e164 for p in client.phones.all()}:
        return call, None
    return call, Caller(relation)


@require_capability(Capability.USE_WORKPLACE, client_kwarg="pk")
def card(request, pk):
    actor = actor_from_request(request)
    card = client_card(actor, pk)
    call, caller = _call_on_card(actor, request, card.client)
    complete_form = None
    if call is not None and call.status == InteractionStatus.OPEN:
        initial = {"relation": str(caller.relation.pk) if caller and caller.relation else ""}
        complete_form = CompleteCallForm(initial=initial, client=card.client)
    urgency = Urgency(card.now, card.warn_before)
    context = {
        "card": card,
        "client": card.client,
        "promises": urgency.rows(card.open_commitments),
        "call": call,
        "caller": caller,
        "complete_form": complete_form,
        # Higher apps' parts (the journey), registered in their AppConfig.ready().
        **section_context(CARD_SECTIONS, request, actor, card.client.pk),
    }
    # The apps' buttons (contact's own among them), registered in their AppConfig.ready().
    context["client_actions"] = client_actions(request.user, card.client, ActionPlace.CARD, context)
    return render(request, "contact/card.html", context)


# Contacts


def _client_for_form(request, pk, capability, part):
    """For the page showing the form: the client read (audited); for a POST: only
    the access check, since the write is what gets logged."""
    actor = actor_from_request(request)
    if request.method == "POST":
        return client_for_user(actor, pk, capability=capability, part=part)
    return client_detail(actor, pk)


FOLLOW_UP_NEXT = _("Now record the promise that follows from it.")


def _after_contact(request, contact, done):
    """Back to the card; a contact that needs a follow-up goes on to the promise form,
    filled in from the contact, since the agent is still on the phone."""
    client = contact.client
    follow_up = (
        contact.outcome == InteractionOutcome.FOLLOW_UP
        and client.status != ClientStatus.DECEASED
        and can(request.user, Capability.MAKE_COMMITMENT)
    )
    if not follow_up:
        messages.success(request, done)
        return redirect("contact:card", pk=client.pk)
    messages.success(request, f"{done} {FOLLOW_UP_NEXT}")
    url = reverse("contact:commitment_add", args=[client.pk])
    return redirect(f"{url}?gesprek={contact.pk}")


@require_capability(Capability.LOG_CONTACT, client_kwarg="pk")
def interaction_add(request, pk):
    client = _client_for_form(request, pk, Capability.LOG_CONTACT, "contacts")
    form = InteractionForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.interaction_log(
                actor=actor_from_request(request), client=client, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, CONTACT_FIELD_MAP)
        else:
            return _after_contact(request, contact, _("The contact is logged."))
    return render(request, "contact/interaction_form.html", {"form": form, "client": client})


@require_POST
@require_capability(Capability.LOG_CONTACT, client_kwarg="pk")
def call_complete(request, pk, call_pk):
    """Write up the call's draft record for this client."""
    actor = actor_from_request(request)
    client = client_for_user(actor, pk, capability=Capability.LOG_CONTACT, part="contacts")
    call = interaction_for_user(actor, call_pk)
    if call.client_id not in (None, client.pk):
        raise Http404
    form = CompleteCallForm(request.POST, client=client)
    status = 200
    if form.is_valid():
        try:
            written = services.interaction_complete(
                actor=actor, interaction=call, client=client, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, CONTACT_FIELD_MAP)
        except Conflict as conflict:
            form.add_error(None, conflict.args[0])
            status = 409
        else:
            return _after_contact(request, written, _("The call is written up."))
    context = {"form": form, "client": client, "call": call}
    return render(request, "contact/call_complete.html", context, status=status)


TIMELINE_PAGE = 50
INVALID_PAGE_LINK = _("This page link is not valid; open the timeline from the client's page.")


@require_capability(Capability.LOG_CONTACT, client_kwarg="pk")
def client_timeline(request, pk):
    """Contacts, promises and journey steps of one client, newest first, a page at a
    time: `?na=` continues after the last item shown (htmx appends the next page)."""
    actor = actor_from_request(request)
    client = client_for_user(actor, pk, capability=Capability.LOG_CONTACT, part="timeline")
    after = None
    if cursor := request.GET.get("na"):
        position = timeline_position(cursor, client.pk, max_size=TIMELINE_PAGE)
        if position is None:
            return HttpResponseBadRequest(INVALID_PAGE_LINK)
        after = position[0]
    audit_record(actor, action=Action.READ, part="timeline", client_id=client.pk)
    items = timeline(client, limit=TIMELINE_PAGE + 1, after=after)
    page = items[:TIMELINE_PAGE]
    following = (
        timeline_cursor(client.pk, page[-1].key, TIMELINE_PAGE)
        if len(items) > TIMELINE_PAGE
        else None
    )
    context = {"client": client, "items": page, "following": following, "continued": after}
    if after is not None and _is_partial(request):
        template = "contact/_timeline_more.html"
    elif _is_partial(request):
        template = "contact/_timeline.html"
    else:
        template = "contact/timeline.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Promises


def _origin_call(actor, request, client):
    call_id = _int_or_none(request.GET.get("gesprek"))
    if call_id is None:
        return None
    call = interaction_for_user(actor, call_id)
    return call if call.client_id in (None, client.pk) else None


def _promise_initial(request, client, origin) -> dict:
    """The promise form as the agent on the phone wants it: promised to whoever called
    (or the contact was with), to be called back on the number they called from."""
    relations = {str(r.pk): r for r in client.relations.all()}
    chosen = request.GET.get("naaste") or (str(origin.relation_id or "") if origin else "")
    relation = relations.get(chosen)
    number = default_callback_number(client, relation=relation, origin=origin)
    return {
        "team": client.team_id,
        "relation": str(relation.pk) if relation else "",
        "callback_number": phone_codec.display(number) if number else "",
    }


@require_capability(Capability.MAKE_COMMITMENT, client_kwarg="pk")
def commitment_add(request, pk):
    actor = actor_from_request(request)
    client = _client_for_form(request, pk, Capability.MAKE_COMMITMENT, "promises")
    if client.status == ClientStatus.DECEASED:
        messages.error(request, services.CLIENT_DECEASED)
        return redirect("contact:card", pk=client.pk)
    origin = _origin_call(actor, request, client)
    if request.method == "POST":
        form = CommitmentForm(request.POST, client=client, user=request.user)
    else:
        initial = _promise_initial(request, client, origin)
        form = CommitmentForm(initial=initial, client=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_create(
                actor=actor, client=client, origin=origin, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, COMMITMENT_FIELD_MAP)
        else:
            messages.success(
                request,
                _("The promise is recorded. It is due on %(due)s.")
                % {"due": _due_text(commitment.due_at)},
            )
            return redirect("contact:commitment", pk=commitment.pk)
    context = {"form": form, "client": client, "origin": origin}
    return render(request, "contact/commitment_form.html", context)


def _commitment_page(request, commitment, *, attempt_form=None, complete_form=None, status=200):
    context = {
        "commitment": commitment,
        "client": commitment.client,
        "urgency": Urgency().of(commitment),
        "attempt_form": attempt_form or AttemptForm(),
        "complete_form": complete_form or CompleteCommitmentForm(),
    }
    return render(request, "contact/commitment.html", context, status=status)


@require_capability(Capability.MAKE_COMMITMENT)
def commitment_detail(request, pk):
    actor = actor_from_request(request)
    commitment = commitment_for_user(actor, pk)
    audit_record(actor, action=Action.READ, part="promises", client_id=commitment.client_id)
    return _commitment_page(request, commitment)


def _already_done(request, commitment):
    messages.error(request, services.ALREADY_DONE)
    return _commitment_page(request, commitment, status=409)


@require_POST
@require_capability(Capability.MAKE_COMMITMENT)
def commitment_attempt(request, pk):
    """A try that did not reach the person: the promise stays open."""
    actor = actor_from_request(request)
    commitment = commitment_for_user(actor, pk)
    form = AttemptForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_attempt(actor=actor, commitment=commitment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict:
            return _already_done(request, commitment)
        else:
            messages.success(request, _("The attempt is recorded; the promise stays open."))
            return redirect("contact:commitment", pk=commitment.pk)
    return _commitment_page(request, commitment, attempt_form=form)


@require_POST
@require_capability(Capability.MAKE_COMMITMENT)
def commitment_complete(request, pk):
    """Keep the promise, with the contact that kept it."""
    actor = actor_from_request(request)
    commitment = commitment_for_user(actor, pk)
    form = CompleteCommitmentForm(request.POST)
    if form.is_valid():
        try:
            services.commitment_complete(actor=actor, commitment=commitment, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict:
            return _already_done(request, commitment)
        else:
            messages.success(request, _("The promise is kept and the contact is logged."))
            return redirect("contact:commitment", pk=commitment.pk)
    return _commitment_page(request, commitment, complete_form=form)


@require_capability(Capability.VIEW_ESCALATIONS)
def escalation_list(request):
    """Overdue and expiring promises of the clients the user may see: for a team lead
    their teams', for a manager the organisation's."""
    actor = actor_from_request(request)
    urgency = Urgency()
    promises = list(escalations(request.user, urgency.now))
    _audit_listed(actor, promises)
    context = {
        "rows": urgency.rows(promises),
        "queue_links": queue_links(ESCALATION_QUEUES, request.user),
    }
    return render(request, "contact/escalations.html", context)

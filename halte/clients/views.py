"""Client pages: search, the client page, and the edits around it.

Thin views: parse with a form, fetch through queries/access (scoped and audited),
write through services, render. A page `{% include %}`s each partial that an htmx
request gets alone.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.clients import duplicates, services
from halte.clients.access import client_for_user, preference_for_user, relation_for_user
from halte.clients.extensions import (
    CLIENT_PAGE_SECTIONS,
    ActionPlace,
    ClientAction,
    client_actions,
    section_context,
)
from halte.clients.forms import (
    CareNoteForm,
    ClientForm,
    PreferenceForm,
    RelationForm,
    WhatMattersForm,
)
from halte.clients.queries import client_care_notes, client_detail, client_search
from halte.core.access import require_capability
from halte.core.errors import Conflict
from halte.core.extensions import StartPage
from halte.core.forms import add_service_errors
from halte.core.roles import Capability, can

CONFLICT = _(
    "Someone else changed this client while you were editing, so your changes were not "
    "saved. Reload the page to see the current details, then make your change again."
)
SAVED = _("The changes are saved.")


def _is_partial(request) -> bool:
    # A history restore wants the whole page, although htmx sends it.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _page_number(raw) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


@require_capability(Capability.SEARCH_CLIENTS)
def search(request):
    query = request.GET.get("q", "")[:200]
    result = None
    if query.strip():
        result = client_search(
            actor_from_request(request),
            query,
            page=_page_number(request.GET.get("page")),
            page_size=settings.SEARCH_PAGE_SIZE,
        )
    context = {"query": query, "result": result}
    template = "clients/search_results.html" if _is_partial(request) else "clients/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_capability(Capability.VIEW_CLIENT, client_kwarg="pk")
def detail(request, pk):
    actor = actor_from_request(request)
    client = client_detail(actor, pk)
    context = {"client": client, "care_notes": client_care_notes(actor, client)}
    # Higher apps' parts (the journey, the timeline) and buttons, registered in their
    # AppConfig.ready().
    context.update(section_context(CLIENT_PAGE_SECTIONS, request, actor, client.pk))
    context["client_actions"] = client_actions(request.user, client, ActionPlace.PAGE, context)
    return render(request, "clients/detail.html", context)


def search_start(user) -> StartPage | None:
    """The start page of the roles that look clients up (registered in
    ClientsConfig.ready())."""
    if not can(user, Capability.SEARCH_CLIENTS):
        return None
    return StartPage(30, reverse("clients:search"))


# The action bar's buttons of clients' own pages (registered in ClientsConfig.ready()).


def client_page_action(user, client, place, page) -> ClientAction | None:
    """From the card to the full client page."""
    if place != ActionPlace.CARD or not can(user, Capability.VIEW_CLIENT):
        return None
    url = reverse("clients:detail", args=[client.pk])
    return ClientAction(gettext("Full client page"), url, 50)


def edit_client_action(user, client, place, page) -> ClientAction | None:
    if not can(user, Capability.EDIT_CLIENT):
        return None
    url = reverse("clients:edit", args=[client.pk])
    return ClientAction(gettext("Edit details"), url, 60)


@require_POST
@require_capability(Capability.REVEAL_BSN, client_kwarg="pk")
def reveal_bsn(request, pk):
    actor = actor_from_request(request)
    client = client_for_user(actor, pk, capability=Capability.REVEAL_BSN, part="bsn")
    context = {"client": client, "bsn": services.client_reveal_bsn(actor=actor, client=client)}
    template = "clients/bsn_revealed.html" if _is_partial(request) else "clients/bsn_page.html"
    return render(request, template, context)


def _render_form(request, template, form, client=None, status=200, **extra):
    return render(request, template, {"form": form, "client": client, **extra}, status=status)


@require_capability(Capability.CREATE_CLIENT)
def create(request):
    """Add a client; first warn about clients it may duplicate, and create it anyway
    when the user confirms the warning (the form re-posted by its own button)."""
    show_bsn = can(request.user, Capability.REVEAL_BSN)
    form = ClientForm(request.POST or None, user=request.user, show_bsn=show_bsn)
    check = None
    if request.method == "POST" and form.is_valid():
        actor = actor_from_request(request)
        fields = form.service_fields()
        try:
            check = duplicates.check_new_client(
                actor, fields, checked=form.cleaned_data["duplicates_checked"]
            )
            if not check.candidates:
                client = services.client_create(actor=actor, **fields)
                messages.success(request, _("The client is added."))
                return redirect("clients:detail", pk=client.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return _render_form(request, "clients/client_form.html", form, duplicate_check=check)


@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def edit(request, pk):
    actor = actor_from_request(request)
    show_bsn = can(request.user, Capability.REVEAL_BSN)
    if request.method != "POST":
        client = client_detail(actor, pk)
        form = ClientForm(
            initial=ClientForm.initial_for(client),
            user=request.user,
            show_bsn=show_bsn,
            editing=True,
        )
        return _render_form(request, "clients/client_form.html", form, client)
    client = client_for_user(actor, pk, capability=Capability.EDIT_CLIENT)
    form = ClientForm(request.POST, user=request.user, show_bsn=show_bsn, editing=True)
    return _save_client(request, form, client, "clients/client_form.html")


def _save_client(request, form, client, template):
    """client_update with the version the user started from; errors back on the form."""
    status = 200
    if form.is_valid():
        try:
            services.client_update(
                actor=actor_from_request(request),
                client=client,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict:
            form.add_error(None, CONFLICT)
            status = 409
        else:
            messages.success(request, SAVED)
            return redirect("clients:detail", pk=client.pk)
    return _render_form(request, template, form, client, status=status)


@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def edit_what_matters(request, pk):
    actor = actor_from_request(request)
    if request.method != "POST":
        client = client_detail(actor, pk)
        form = WhatMattersForm(
            initial={"what_matters": client.what_matters, "version": client.version}
        )
        return _render_form(request, "clients/what_matters_form.html", form, client)
    client = client_for_user(actor, pk, capability=Capability.EDIT_CLIENT)
    form = WhatMattersForm(request.POST)
    return _save_client(request, form, client, "clients/what_matters_form.html")


def _save(request, form, client, template, write, success_message, **extra):
    """Run `write(fields)` when the form parses; show the service's errors otherwise."""
    if request.method == "POST" and form.is_valid():
        try:
            write(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success_message)
            return redirect("clients:detail", pk=client.pk)
    return _render_form(request, template, form, client, **extra)


def _client_for_form(request, pk, capability):
    """For the page showing the form: the client read (audited); for a POST: only
    the access check, since the write is what gets logged."""
    actor = actor_from_request(request)
    if request.method == "POST":
        return client_for_user(actor, pk, capability=capability)
    return client_detail(actor, pk)


@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def relation_add(request, pk):
    client = _client_for_form(request, pk, Capability.EDIT_CLIENT)
    form = RelationForm(request.POST or None)

    def write(form):
        services.relation_create(
            actor=actor_from_request(request), client=client, **form.service_fields()
        )

    return _save(
        request, form, client, "clients/relation_form.html", write, _("The relation is added.")
    )


@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def relation_edit(request, pk, relation_pk):
    actor = actor_from_request(request)
    client = _client_for_form(request, pk, Capability.EDIT_CLIENT)
    relation = relation_for_user(actor, pk, relation_pk)
    if request.method == "POST":
        form = RelationForm(request.POST)
    else:
        form = RelationForm(initial=RelationForm.initial_for(relation))

    def write(form):
        services.relation_update(actor=actor, relation=relation, **form.service_fields())

    return _save(
        request, form, client, "clients/relation_form.html", write, SAVED, relation=relation
    )


@require_POST
@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def relation_delete(request, pk, relation_pk):
    actor = actor_from_request(request)
    relation = relation_for_user(actor, pk, relation_pk)
    services.relation_delete(actor=actor, relation=relation)
    messages.success(request, _("The relation is removed."))
    return redirect("clients:detail", pk=pk)


@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def preference_add(request, pk):
    client = _client_for_form(request, pk, Capability.EDIT_CLIENT)
    form = PreferenceForm(request.POST or None)

    def write(form):
        services.preference_add(
            actor=actor_from_request(request), client=client, **form.cleaned_data
        )

    return _save(
        request, form, client, "clients/preference_form.html", write, _("The preference is added.")
    )


@require_POST
@require_capability(Capability.EDIT_CLIENT, client_kwarg="pk")
def preference_delete(request, pk, preference_pk):
    actor = actor_from_request(request)
    preference = preference_for_user(actor, pk, preference_pk)
    services.preference_delete(actor=actor, preference=preference)
    messages.success(request, _("The preference is removed."))
    return redirect("clients:detail", pk=pk)


@require_capability(Capability.WRITE_CARE_NOTES, client_kwarg="pk")
def care_note_add(request, pk):
    client = _client_for_form(request, pk, Capability.WRITE_CARE_NOTES)
    form = CareNoteForm(request.POST or None)

    def write(form):
        services.care_note_add(
            actor=actor_from_request(request), client=client, text=form.cleaned_data["text"]
        )

    return _save(
        request, form, client, "clients/care_note_form.html", write, _("The care note is added.")
    )

"""The journey pages: the work queues, a referral with the steps that fit its stage,
the waiting list with positions and estimates, and the care offices' CSV.

Thin views: parse with a form, fetch through queries (scoped, 404 outside the
user's clients, audited), write through services, render. A failed step renders
the referral page again with the form that failed, its errors and the service's
refusal on it; a stale form (another version) is a 409 and writes nothing.
"""

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.clients.access import client_for_user
from halte.clients.extensions import ClientAction, ClientSection
from halte.clients.models import ClientStatus
from halte.contact.extensions import QueueLink
from halte.core.access import require_capability
from halte.core.errors import Conflict
from halte.core.extensions import StartPage
from halte.core.forms import add_service_errors
from halte.core.roles import Capability, can, starts_at_queues
from halte.journey import forms, queries, services
from halte.journey.models import NEEDS_REASON, CareOffice, Stage
from halte.journey.overview import waiting_overview

QUEUE_PAGE_SIZE = 20
# The referral queues ask for a step today and open when they hold work; the waiting
# clients and the care starting fold (their count shows) unless paged through.
OPEN_BY_DEFAULT = frozenset({"unowned", "over_norm", "intakes"})
WAITING_PAGE_SIZE = 50

QUEUE_TITLES = {
    "unowned": _("New referrals without owner"),
    "over_norm": _("Referrals over their norm"),
    "intakes": _("Intakes to plan"),
    "waiting": _("Waiting clients due for an update or near their norm"),
    "starting": _("Care starting this week"),
}
CLOSING = {
    Stage.DECLINED: _("The referral is declined."),
    Stage.WITHDRAWN: _("The referral is withdrawn."),
    Stage.REFERRED_ELSEWHERE: _("The client is referred elsewhere."),
}


def _page_number(raw) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


def _next_url(request) -> str | None:
    """Where to go after a step taken from another page (the waiting list): `next` on
    the form, or `terug` on the link that opened the page."""
    target = request.POST.get("next") or request.GET.get("terug") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# Work queues


@dataclass
class QueueSection:
    name: str
    title: str
    rows: list
    count: int
    page: int
    previous_url: str | None
    next_url: str | None

    paged: bool = False  # the user asked for a page of this queue

    @property
    def open(self) -> bool:
        return self.count > 0 and (self.name in OPEN_BY_DEFAULT or self.paged)


def _queue_url(request, name: str, page: int) -> str:
    params = request.GET.copy()
    params[name] = page
    return f"?{params.urlencode()}#{name}"


@require_capability(Capability.VIEW_JOURNEY)
def queues(request):
    """The five work queues, each counted and a page of it shown; the clients shown
    are audited in one entry each."""
    actor = actor_from_request(request)
    now = timezone.now()
    sections = []
    for name, query in queries.QUEUES.items():
        items = query(request.user)
        count = items.count()
        page = _page_number(request.GET.get(name))
        start = (page - 1) * QUEUE_PAGE_SIZE
        rows = list(items[start : start + QUEUE_PAGE_SIZE])
        for row in rows:
            row.full_at = queries.shown_in_full_at(name, row, now)
            row.full_at_title = QUEUE_TITLES[row.full_at]
        sections.append(
            QueueSection(
                name=name,
                title=QUEUE_TITLES[name],
                rows=rows,
                count=count,
                page=page,
                previous_url=_queue_url(request, name, page - 1) if page > 1 else None,
                next_url=_queue_url(request, name, page + 1) if count > start + len(rows) else None,
                paged=name in request.GET,
            )
        )
    # One look at the queues is one entry naming every client on them.
    client_ids = [row.client_id for section in sections for row in section.rows]
    audit_record_listing(actor, action=Action.READ, part="journey_queues", client_ids=client_ids)
    context = {"sections": sections, "now": now, "today": timezone.localdate()}
    return render(request, "journey/queues.html", context)


# A new referral


@require_capability(Capability.REGISTER_REFERRAL, client_kwarg="pk")
def referral_add(request, pk):
    actor = actor_from_request(request)
    client = client_for_user(actor, pk, capability=Capability.REGISTER_REFERRAL, part="journey")
    form = forms.ReferralForm(request.POST or None, client=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_register(
                actor=actor, client=client, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, forms.FIELD_MAP)
        else:
            messages.success(request, _("The referral is registered."))
            return redirect("journey:referral", pk=referral.pk)
    return render(request, "journey/referral_form.html", {"form": form, "client": client})


# The referral page


def _step_forms(user, detail) -> dict:
    """The forms of the steps that fit the referral's stage and the user's role."""
    referral, intake, entry, episode = detail.referral, detail.intake, detail.entry, detail.episode
    version = {"version": referral.version}
    plans = can(user, Capability.PLAN_JOURNEY)
    steps = {}
    if plans and referral.is_open:
        if referral.owner_id != user.pk:
            steps["take_on"] = forms.TakeOnForm(initial=version)
        steps["assign"] = forms.AssignForm(initial={**version, "owner": referral.owner_id})
        if referral.can_move_to(Stage.CONTACTED):
            steps["contacted"] = forms.ContactedForm(initial=version)
        if referral.can_move_to(Stage.INTAKE_PLANNED):
            initial = {**version}
            if intake is not None:
                initial.update(
                    planned_at=timezone.localtime(intake.planned_at),
                    held_by=intake.held_by_id,
                    mode=intake.mode,
                    relatives_present=[str(r.pk) for r in intake.relatives_present.all()],
                )
            steps["intake_plan"] = forms.IntakePlanForm(initial=initial, referral=referral)
        if referral.can_move_to(Stage.WAITING):
            product = referral.care_after(intake)
            steps["waiting_place"] = forms.WaitingPlaceForm(initial=version, product=product)
        if referral.can_move_to(Stage.CARE_STARTED):
            initial = {**version, "team": referral.team_id, "starts_on": timezone.localdate()}
            steps["care_start"] = forms.CareStartForm(initial=initial, referral=referral, user=user)
        if any(referral.can_move_to(stage) for stage in NEEDS_REASON):
            steps["close"] = forms.CloseForm(initial=version, referral=referral)
    if (
        intake is not None
        and referral.can_move_to(Stage.INTAKE_DONE)
        and can(user, Capability.RECORD_INTAKE)
    ):
        initial = {
            **version,
            "held_at": timezone.localtime(min(intake.planned_at, timezone.now())),
            "indicated_product": referral.product_id,
        }
        steps["intake_record"] = forms.IntakeRecordForm(initial=initial, referral=referral)
    if plans and entry is not None and entry.is_waiting:
        steps.update(_entry_forms(entry))
    if plans and episode is not None and episode.is_running:
        steps.update(_episode_forms(episode))
    return steps


def _entry_forms(entry) -> dict:
    version = {"version": entry.version}
    return {
        "waiting_change": forms.WaitingChangeForm(entry=entry),
        "waiting_update": forms.WaitingUpdateForm(initial=version),
        "bridging": forms.BridgingForm(initial={**version, "text": entry.bridging_care}),
    }


def _episode_forms(episode, staff=None) -> dict:
    version = {"version": episode.version}
    return {
        "contact_person": forms.ContactPersonForm(initial=version, episode=episode, staff=staff),
        "care_end": forms.CareEndForm(initial={**version, "ended_on": timezone.localdate()}),
    }


def _referral_page(request, actor, pk, *, failed=None, status=200):
    detail = queries.referral_detail(actor, pk)
    steps = _step_forms(request.user, detail)
    if failed:
        steps.update(failed)
    for name, form in steps.items():
        # Many forms on one page: ids of their own, so each label finds its field.
        form.auto_id = f"id_{name}_%s"
    context = {
        "detail": detail,
        "referral": detail.referral,
        "client": detail.referral.client,
        "steps": steps,
        "failed": next(iter(failed)) if failed else "",
        "next": _next_url(request) or "",
    }
    return render(request, "journey/referral.html", context, status=status)


@require_capability(Capability.VIEW_JOURNEY)
def referral(request, pk):
    return _referral_page(request, actor_from_request(request), pk)


def _take_step(request, *, name, form, referral_pk, write, done):
    """Run `write(data)` when the form parses; otherwise, or when the service refuses,
    the referral page again with this form and what went wrong on it."""
    status = 200
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            write(data, version)
        except ValidationError as error:
            add_service_errors(form, error, forms.FIELD_MAP)
        except Conflict as error:
            form.add_error(None, error.args[0] if error.args else services.STALE)
            status = 409
        else:
            messages.success(request, done)
            return redirect(_next_url(request) or reverse("journey:referral", args=[referral_pk]))
    actor = actor_from_request(request)
    return _referral_page(request, actor, referral_pk, failed={name: form}, status=status)


def _referral_for_step(request, pk, capability=Capability.PLAN_JOURNEY):
    actor = actor_from_request(request)
    return actor, queries.referral_for_user(actor, pk, capability=capability)


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def take_on(request, pk):
    actor, referral = _referral_for_step(request, pk)
    return _take_step(
        request,
        name="take_on",
        form=forms.TakeOnForm(request.POST),
        referral_pk=pk,
        write=lambda data, version: services.referral_assign(
            actor=actor, referral=referral, owner=request.user, version=version
        ),
        done=_("You own this referral now."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def assign(request, pk):
    actor, referral = _referral_for_step(request, pk)
    return _take_step(
        request,
        name="assign",
        form=forms.AssignForm(request.POST),
        referral_pk=pk,
        write=lambda data, version: services.referral_assign(
            actor=actor, referral=referral, version=version, **data
        ),
        done=_("The owner is changed."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def contacted(request, pk):
    actor, referral = _referral_for_step(request, pk)
    return _take_step(
        request,
        name="contacted",
        form=forms.ContactedForm(request.POST),
        referral_pk=pk,
        write=lambda data, version: services.referral_move(
            actor=actor, referral=referral, stage=Stage.CONTACTED, version=version
        ),
        done=_("First contact is recorded."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def close(request, pk):
    actor, referral = _referral_for_step(request, pk)
    form = forms.CloseForm(request.POST, referral=referral)
    return _take_step(
        request,
        name="close",
        form=form,
        referral_pk=pk,
        write=lambda data, version: services.referral_move(
            actor=actor, referral=referral, version=version, **data
        ),
        done=CLOSING.get(request.POST.get("stage"), _("The referral is closed.")),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def intake_plan(request, pk):
    actor, referral = _referral_for_step(request, pk)
    return _take_step(
        request,
        name="intake_plan",
        form=forms.IntakePlanForm(request.POST, referral=referral),
        referral_pk=pk,
        write=lambda data, version: services.intake_plan(
            actor=actor, referral=referral, version=version, **data
        ),
        done=_("The intake is planned."),
    )


@require_POST
@require_capability(Capability.RECORD_INTAKE)
def intake_record(request, pk):
    actor, referral = _referral_for_step(request, pk, Capability.RECORD_INTAKE)
    intake = queries.intake_of(referral)
    form = forms.IntakeRecordForm(request.POST, referral=referral)

    def write(data, version):
        if intake is None:
            raise services.TransitionRefused(_("Plan the intake first."))
        data["agreements"] = data["agreements"].splitlines()
        services.intake_complete(actor=actor, intake=intake, version=version, **data)

    return _take_step(
        request,
        name="intake_record",
        form=form,
        referral_pk=pk,
        write=write,
        done=_("The intake is recorded."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def waiting_place(request, pk):
    actor, referral = _referral_for_step(request, pk)
    product = queries.product_to_wait_for(referral)
    return _take_step(
        request,
        name="waiting_place",
        form=forms.WaitingPlaceForm(request.POST, product=product),
        referral_pk=pk,
        write=lambda data, version: services.waiting_list_place(
            actor=actor, referral=referral, version=version, **data
        ),
        done=_("The client is on the waiting list."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def care_start(request, pk):
    actor, referral = _referral_for_step(request, pk)
    return _take_step(
        request,
        name="care_start",
        form=forms.CareStartForm(request.POST, referral=referral, user=request.user),
        referral_pk=pk,
        write=lambda data, version: services.care_start(
            actor=actor, referral=referral, version=version, **data
        ),
        done=_("Care is started."),
    )


# Steps on the waiting-list entry and the care episode


def _entry_for_step(request, pk):
    actor = actor_from_request(request)
    return actor, queries.waiting_entry_for_user(actor, pk, capability=Capability.PLAN_JOURNEY)


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def waiting_change(request, pk):
    actor, entry = _entry_for_step(request, pk)
    return _take_step(
        request,
        name="waiting_change",
        form=forms.WaitingChangeForm(request.POST, entry=entry),
        referral_pk=entry.referral_id,
        write=lambda data, version: services.waiting_entry_change(
            actor=actor, entry=entry, version=version, **data
        ),
        done=_("The priority and status are saved."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def waiting_update(request, pk):
    actor, entry = _entry_for_step(request, pk)
    return _take_step(
        request,
        name="waiting_update",
        form=forms.WaitingUpdateForm(request.POST),
        referral_pk=entry.referral_id,
        write=lambda data, version: services.waiting_update_given(
            actor=actor, entry=entry, version=version, **data
        ),
        done=_("The update is recorded."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def bridging(request, pk):
    actor, entry = _entry_for_step(request, pk)
    return _take_step(
        request,
        name="bridging",
        form=forms.BridgingForm(request.POST),
        referral_pk=entry.referral_id,
        write=lambda data, version: services.bridging_care_record(
            actor=actor, entry=entry, version=version, **data
        ),
        done=_("The bridging care is saved."),
    )


def _episode_for_step(request, pk):
    actor = actor_from_request(request)
    episode = queries.episode_for_user(actor, pk, capability=Capability.PLAN_JOURNEY)
    if episode.referral_id is None:
        raise Http404
    return actor, episode


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def contact_person(request, pk):
    actor, episode = _episode_for_step(request, pk)
    return _take_step(
        request,
        name="contact_person",
        form=forms.ContactPersonForm(request.POST, episode=episode),
        referral_pk=episode.referral_id,
        write=lambda data, version: services.contact_person_change(
            actor=actor, episode=episode, version=version, **data
        ),
        done=_("The fixed contact person is changed."),
    )


@require_POST
@require_capability(Capability.PLAN_JOURNEY)
def care_end(request, pk):
    actor, episode = _episode_for_step(request, pk)
    return _take_step(
        request,
        name="care_end",
        form=forms.CareEndForm(request.POST),
        referral_pk=episode.referral_id,
        write=lambda data, version: services.care_end(
            actor=actor, episode=episode, version=version, **data
        ),
        done=_("Care is ended."),
    )


# The journey on the client page


@dataclass
class CareStep:
    """One care form on the client page, with ids of its own per episode."""

    name: str
    action: str
    heading: str
    button: str
    form: object
    danger: bool = False


def _care_steps(journey) -> None:
    """The care forms of every running care, for those who plan: the contact person's
    choices read once for all of them, so more care adds no queries."""
    running = [track for track in journey.open_tracks if track.phase == "care"]
    if not running:
        return
    staff = forms.care_staff_by_team({track.episode.team_id for track in running})
    for track in running:
        episode = track.episode
        steps = _episode_forms(episode, staff=staff.get(episode.team_id, []))
        track.steps = [
            CareStep(
                f"contact_person_{episode.pk}",
                reverse("journey:contact_person", args=[episode.pk]),
                _("Change the fixed contact person"),
                _("Change the contact person"),
                steps["contact_person"],
            ),
            CareStep(
                f"care_end_{episode.pk}",
                reverse("journey:care_end", args=[episode.pk]),
                _("End care"),
                _("End care"),
                steps["care_end"],
                danger=True,
            ),
        ]
        for step in track.steps:
            step.form.auto_id = f"id_{step.name}_%s"


def client_page_section(request, actor, client_pk: int) -> ClientSection | None:
    """The client page's journey part (registered in JourneyConfig.ready()): a bar per
    care question with its waiting place and care, and the care's forms for those who
    plan; its stage in the header."""
    if not can(request.user, Capability.VIEW_JOURNEY):
        return None
    journey = queries.client_journey(actor, client_pk)
    if can(request.user, Capability.PLAN_JOURNEY):
        _care_steps(journey)
    return ClientSection("journey/_client_journey.html", {"journey": journey}, journey.status)


def client_card_section(request, actor, client_pk: int) -> ClientSection | None:
    """The client card's journey lines (registered in JourneyConfig.ready()): a line per
    open care question; its stage in the header."""
    if not can(request.user, Capability.VIEW_JOURNEY):
        return None
    journey = queries.client_journey(actor, client_pk)
    return ClientSection("journey/_journey_lines.html", {"journey": journey}, journey.status)


def new_referral_action(user, client, place, page) -> ClientAction | None:
    """In the client's action bar (registered in JourneyConfig.ready()); a deceased
    client gets no new referral."""
    if client.status == ClientStatus.DECEASED or not can(user, Capability.REGISTER_REFERRAL):
        return None
    url = reverse("journey:referral_add", args=[client.pk])
    return ClientAction(gettext("New referral"), url, 30)


def queues_start(user) -> StartPage | None:
    """The start page of the roles whose day is the referral pipeline (registered in
    JourneyConfig.ready())."""
    if not starts_at_queues(user):
        return None
    return StartPage(20, reverse("journey:queues"))


def _queue_link(user, name: str, label: str) -> QueueLink | None:
    if not can(user, Capability.VIEW_JOURNEY):
        return None
    count = queries.QUEUES[name](user).count()
    return QueueLink(label % {"count": count}, f"{reverse('journey:queues')}#{name}")


def unowned_referrals_link(user) -> QueueLink | None:
    """Above the workplace (registered in JourneyConfig.ready())."""
    return _queue_link(user, "unowned", gettext("New referrals without owner (%(count)s)"))


def over_norm_link(user) -> QueueLink | None:
    """Above the escalations (registered in JourneyConfig.ready())."""
    return _queue_link(user, "over_norm", gettext("Referrals over their norm (%(count)s)"))


# The waiting list


@require_capability(Capability.VIEW_JOURNEY)
def waiting_list(request):
    """The overview of every waiting list the user may open; with a product and a team
    chosen, that one list in order, with position and estimate."""
    actor = actor_from_request(request)
    products, teams = queries.queue_choices(request.user)
    chosen = bool(request.GET.get("product") or request.GET.get("team"))
    form = forms.QueueChoiceForm(request.GET if chosen else None, products=products, teams=teams)
    listing = overview = None
    pages = {}
    if not chosen or form.is_valid():
        product = form.cleaned_data["product"] if chosen else None
        team = form.cleaned_data["team"] if chosen else None
        if product is not None and team is not None:
            page = _page_number(request.GET.get("page"))
            listing = queries.waiting_list(
                actor, product, team, page=page, per_page=WAITING_PAGE_SIZE
            )
            query = {"product": product.code, "team": team.pk}
            if page > 1:
                pages["previous"] = "?" + urlencode({**query, "page": page - 1})
            if listing.has_next:
                pages["next"] = "?" + urlencode({**query, "page": page + 1})
        else:
            overview = waiting_overview(request.user, product=product, team=team)
    context = {
        "form": form,
        "listing": listing,
        "overview": overview,
        "pages": pages,
        "here": request.get_full_path(),
        "care_offices": (
            list(CareOffice.objects.all())
            if can(request.user, Capability.EXPORT_WAITING_LIST)
            else []
        ),
    }
    return render(request, "journey/waiting_list.html", context)


def _cell(value) -> str:
    # A cell starting with one of these is a formula to a spreadsheet.
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


@require_capability(Capability.EXPORT_WAITING_LIST)
def care_office_csv(request, code):
    """The Wlz clients waiting at one care office, for the office: semicolons and a
    byte-order mark, so Excel with Dutch settings opens it in columns."""
    if "\x00" in code:  # names no office, and PostgreSQL refuses it in a query
        raise Http404
    office = get_object_or_404(CareOffice, code=code)
    rows = list(queries.care_office_rows(actor_from_request(request), office))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=queries.CARE_OFFICE_COLUMNS, delimiter=";")
    writer.writeheader()
    writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"wachtlijst-{office.code}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

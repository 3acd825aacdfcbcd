"""The announcement pages: the list, writing one (texts and segment), the preview of
who receives it and how it reads, sending or scheduling it, and its progress."""

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.core import language as languages
from halte.core.access import require_capability
from halte.core.roles import Capability, can
from halte.core.sessions import background_poll
from halte.journey.models import CareProduct
from halte.outreach import announcements
from halte.outreach.announcement_access import (
    PREVIEW_PART,
    RECIPIENTS_PART,
    announcement_for_user,
)
from halte.outreach.announcement_forms import AnnouncementForm, SendForm
from halte.outreach.announcements import JourneyStage
from halte.outreach.models import AnnouncementStatus, Message, MessageStatus

PAGE_SIZE = 50
NOT_A_DRAFT = _("This announcement is no longer a draft: it cannot be changed.")
ALREADY_SENDING = _("This announcement is being sent already, or was sent: nothing more is sent.")


def _announcement(request, pk, *, part=RECIPIENTS_PART):
    """The announcement, or 404 (audited when it exists: announcement_access)."""
    action = Action.READ if request.method in ("GET", "HEAD") else Action.UPDATE
    return announcement_for_user(actor_from_request(request), pk, action=action, part=part)


@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_list(request):
    rows = announcements.visible_announcements(request.user).annotate(
        sent=Count("messages", filter=Q(messages__status=MessageStatus.SENT)),
        to_act_on=Count(
            "messages",
            filter=Q(messages__status__in=[MessageStatus.FAILED, MessageStatus.UNCERTAIN]),
        ),
    )
    page = Paginator(rows.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(request, "outreach/announcements/list.html", {"page": page})


@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_create(request):
    form = AnnouncementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        announcement = announcements.announcement_create(user=request.user, **form.values())
        flash.success(request, _("The announcement is saved as a draft. Check it before sending."))
        return redirect("outreach:announcement_preview", announcement.pk)
    return render(request, "outreach/announcements/form.html", {"form": form})


@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_edit(request, pk):
    announcement = _announcement(request, pk)
    if announcement.status != AnnouncementStatus.DRAFT:
        flash.info(request, NOT_A_DRAFT)
        return redirect("outreach:announcement_status", pk)
    form = AnnouncementForm(
        request.POST or None, user=request.user, initial=AnnouncementForm.initial_for(announcement)
    )
    if request.method == "POST" and form.is_valid():
        if announcements.announcement_update(announcement, user=request.user, **form.values()):
            flash.success(request, _("The announcement is saved."))
            return redirect("outreach:announcement_preview", pk)
        flash.info(request, NOT_A_DRAFT)
        return redirect("outreach:announcement_status", pk)
    context = {"form": form, "announcement": announcement}
    return render(request, "outreach/announcements/form.html", context)


def _segment_summary(segment: dict) -> list[tuple[str, str]]:
    """The segment's filters in words, for the preview (one query for names)."""
    from halte.core.models import Team

    rows = []
    if segment.get("teams"):
        names = Team.objects.filter(pk__in=segment["teams"]).values_list("name", flat=True)
        rows.append((_("Teams"), ", ".join(names)))
    if segment.get("postcode_from"):
        rows.append(
            (
                _("Postcodes"),
                _("%(start)s to %(end)s")
                % {"start": segment["postcode_from"], "end": segment["postcode_to"]},
            )
        )
    if segment.get("products"):
        names = CareProduct.objects.filter(pk__in=segment["products"]).values_list(
            "name", flat=True
        )
        rows.append((_("Care products"), ", ".join(names)))
    if segment.get("stages"):
        rows.append(
            (
                _("Journey stage"),
                ", ".join(str(JourneyStage(s).label) for s in segment["stages"]),
            )
        )
    if segment.get("languages"):
        rows.append(
            (_("Client's language"), ", ".join(languages.name(c) for c in segment["languages"]))
        )
    return rows


def _preview_context(request, announcement, send_form) -> dict:
    """Who receives it and how it reads; the clients shown are audited."""
    preview = announcements.preview(announcement)
    audit_record_listing(
        actor_from_request(request),
        action=Action.READ,
        part=PREVIEW_PART,
        client_ids=preview.client_ids,
    )
    return {
        "announcement": announcement,
        "preview": preview,
        "segment": _segment_summary(announcement.segment),
        "texts": [
            (languages.name(code), preview.by_language.get(code, 0), preview.texts.get(code))
            for code in announcement.texts
        ],
        "send_form": send_form,
        "can_send": announcement.status in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED),
    }


@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_preview(request, pk):
    announcement = _announcement(request, pk, part=PREVIEW_PART)
    context = _preview_context(request, announcement, SendForm())
    return render(request, "outreach/announcements/preview.html", context)


@require_POST
@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_send(request, pk):
    """Send now or at a moment. A second click finds it sending and sends nothing."""
    announcement = _announcement(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        context = _preview_context(request, announcement, form)
        return render(request, "outreach/announcements/preview.html", context, status=422)
    if form.cleaned_data["when"] == "later":
        if announcements.schedule(announcement, form.cleaned_data["send_at"]):
            flash.success(request, _("The announcement is scheduled."))
        else:
            flash.info(request, ALREADY_SENDING)
    elif announcements.send_now(announcement):
        flash.success(request, _("Sending has started."))
    else:
        flash.info(request, ALREADY_SENDING)
    return redirect("outreach:announcement_status", pk)


@require_POST
@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_unschedule(request, pk):
    announcement = _announcement(request, pk)
    if announcements.unschedule(announcement):
        flash.success(request, _("The announcement is a draft again; it will not be sent."))
    else:
        flash.info(request, ALREADY_SENDING)
    return redirect("outreach:announcement_status", pk)


@require_POST
@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_cancel(request, pk):
    announcement = _announcement(request, pk)
    if announcements.cancel(announcement):
        flash.success(request, _("The announcement is cancelled; it will not be sent."))
    else:
        flash.info(request, ALREADY_SENDING)
    return redirect("outreach:announcement_status", pk)


@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_status(request, pk):
    """The announcement, its progress, and each recipient's message with its status."""
    announcement = _announcement(request, pk)
    rows = (
        Message.objects.filter(announcement_id=announcement.pk)
        .select_related("client")
        .order_by("id")
    )
    status = request.GET.get("status", "")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina"))
    audit_record_listing(
        actor_from_request(request),
        action=Action.READ,
        part=RECIPIENTS_PART,
        client_ids=[message.client_id for message in page],
    )
    context = {
        "announcement": announcement,
        "progress": announcements.progress(announcement),
        "page": page,
        "status": status,
        "statuses": MessageStatus.choices,
        "now": timezone.now(),
        "can_act": can(request.user, Capability.MANAGE_OUTBOX),
    }
    return render(request, "outreach/announcements/status.html", context)


@background_poll
@require_capability(Capability.SEND_ANNOUNCEMENTS)
def announcement_progress(request, pk):
    """The progress bar alone, for htmx every two seconds: counts, no names."""
    announcement = _announcement(request, pk)
    context = {"announcement": announcement, "progress": announcements.progress(announcement)}
    return render(request, "outreach/announcements/_progress.html", context)

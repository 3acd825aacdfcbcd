"""The page "Brieven om te printen": the daily print batches with their number of
letters, each closed batch as one PDF to print, and "Gemarkeerd als geprint".

Kept apart from the outbox pages: letters are the one channel that staff hand over
themselves. The list shows days and counts only, no client; the download shows every
letter of the batch, so it writes one audit entry naming all its clients.
"""

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from halte.audit.context import actor_from_request
from halte.audit.models import Action
from halte.audit.services import audit_record_listing
from halte.core.access import require_capability
from halte.core.errors import Conflict
from halte.core.roles import Capability
from halte.outreach import letter_services
from halte.outreach.letters import written_date
from halte.outreach.models import LetterBatch

BATCHES_PER_PAGE = 30


def _page_number(raw) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


def batch_rows(page: int, per_page: int = BATCHES_PER_PAGE) -> tuple[list, bool]:
    """A page of batches, the ones to print first, then the one collecting, then the
    printed ones, newest first; and whether a next page exists. One query."""
    state = Case(
        When(closed_at__isnull=False, printed_at__isnull=True, then=Value(0)),
        When(closed_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    start = (page - 1) * per_page
    rows = list(
        LetterBatch.objects.defer("pdf")
        .annotate(letter_count=Count("letters"), state=state)
        .select_related("printed_by")
        .order_by("state", "-day")[start : start + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


@require_GET
@require_capability(Capability.PRINT_LETTERS)
def letter_batches(request):
    page = _page_number(request.GET.get("pagina"))
    rows, has_next = batch_rows(page)
    context = {
        "rows": rows,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if has_next else None,
    }
    return render(request, "outreach/letter_batches.html", context)


@require_GET
@require_capability(Capability.PRINT_LETTERS)
def letter_batch_pdf(request, pk):
    """The batch as one PDF, a letter per sheet; an entry in the audit log names every
    client it holds."""
    batch = get_object_or_404(LetterBatch, pk=pk)
    client_ids = list(batch.letters.values_list("client_id", flat=True))
    if not client_ids:
        raise Http404
    try:
        pdf = letter_services.batch_pdf(batch)
    except Conflict as error:
        messages.error(request, error.args[0])
        return redirect("outreach:letter_batches")
    audit_record_listing(
        actor_from_request(request), action=Action.PRINT, part="letters", client_ids=client_ids
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"brieven-{batch.day:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@require_capability(Capability.PRINT_LETTERS)
def letter_batch_printed(request, pk):
    batch = get_object_or_404(LetterBatch, pk=pk)
    try:
        batch = letter_services.mark_printed(actor_from_request(request), batch.pk)
    except Conflict as error:
        messages.error(request, error.args[0])
    else:
        day = written_date(batch.day, get_language())
        messages.success(
            request, gettext("The letters of %(day)s are marked as printed.") % {"day": day}
        )
    return redirect("outreach:letter_batches")

"""The one way to fetch an announcement for a user: scoped as `visible_announcements`,
and a refusal audited.

Another team lead's announcement is a 404, as one that does not exist: its segment and
recipients are client data of teams the user does not work for. Unlike a nonexistent
one it writes one `denied` entry, as a client out of scope does (clients.access).
"""

from django.http import Http404

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record
from halte.outreach.announcements import visible_announcements
from halte.outreach.models import Announcement

PREVIEW_PART = "announcement_preview"
RECIPIENTS_PART = "announcement_recipients"


def announcement_for_user(
    actor: Actor, pk: int, *, action: Action = Action.READ, part: str = RECIPIENTS_PART
) -> Announcement:
    """Announcement `pk` if the actor may see it; else 404, and a `denied` entry naming
    the announcement when it exists. `action` and `part`: what the refused request
    would have done."""
    found = visible_announcements(actor.user).filter(pk=pk).first()
    if found is None:
        if Announcement.objects.filter(pk=pk).exists():
            audit_record(
                actor, action=action, part=f"{part},announcement={pk}", outcome=Outcome.DENIED
            )
        raise Http404
    return found

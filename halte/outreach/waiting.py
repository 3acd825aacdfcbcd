"""A waiting-list update sent as a message counts as the update given: the planner's
queue no longer asks for it, and the next one falls due at the policy's rhythm. A
client no message can reach stays on the planner's queue."""

from halte.audit.context import Actor
from halte.journey import services as journey_services
from halte.journey.models import WaitingListEntry


def mark_update_sent(entry_id: int, messages) -> None:
    entry = WaitingListEntry.objects.filter(pk=entry_id, left_on__isnull=True).first()
    if entry is None:
        return
    journey_services.waiting_update_given(
        actor=Actor.system("outreach"),
        entry=entry,
        channel=messages[0].channel,
        summary="",
        log_contact=False,
    )

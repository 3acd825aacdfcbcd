"""Reading the outbox: a client's messages, and the whole outbox for staff."""

from django.db.models import Count, Q

from halte.clients.access import clients_visible_to
from halte.outreach.models import Message, MessageStatus

# Messages someone has to act on: they did not leave, or may not have.
TO_ACT_ON = (MessageStatus.FAILED, MessageStatus.UNCERTAIN)


def client_messages(client_pk: int):
    return Message.objects.filter(client_id=client_pk).select_related("relation")


def outbox(user, *, status: str = "", channel: str = ""):
    """The messages of the clients `user` may see, newest first."""
    messages = Message.objects.filter(
        client__in=clients_visible_to(user).values("pk")
    ).select_related("client")
    if status == "to_act_on":
        messages = messages.filter(status__in=TO_ACT_ON)
    elif status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    return messages.order_by("-created_at", "-id")


def outbox_counts(user) -> dict[str, int]:
    """How many messages are in each status (one aggregate query)."""
    visible = Message.objects.filter(client__in=clients_visible_to(user).values("pk"))
    counts = visible.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in MessageStatus.values}
    )
    counts["to_act_on"] = sum(counts[status] for status in TO_ACT_ON)
    return counts

"""What the contact pages let higher apps contribute (see halte/core/extensions.py).

The client card, the workplace and the timeline show what higher apps know (the journey's
stage, its work queues, its steps). Each such app registers its providers in its
AppConfig.ready(); with none registered the pages show contact's own part alone.
"""

from collections.abc import Callable
from dataclasses import dataclass

from halte.clients.extensions import ClientSectionProvider
from halte.core.extensions import ExtensionPoint

# The client card's parts, of the same shape as the client page's.
CARD_SECTIONS: ExtensionPoint[ClientSectionProvider] = ExtensionPoint(
    "contact: client card sections"
)


@dataclass(frozen=True)
class QueueLink:
    """A link to a higher app's work queue, with how many items wait in it."""

    label: str  # translated, with the count in it: "New referrals without owner (3)"
    url: str


# (user) -> the link, or None when this user has no such queue. One COUNT query.
QueueLinkProvider = Callable[[object], QueueLink | None]

# Above the workplace, and above the escalations page.
WORKPLACE_QUEUES: ExtensionPoint[QueueLinkProvider] = ExtensionPoint("contact: workplace queues")
ESCALATION_QUEUES: ExtensionPoint[QueueLinkProvider] = ExtensionPoint("contact: escalation queues")


def queue_links(point: ExtensionPoint[QueueLinkProvider], user) -> list[QueueLink]:
    return [link for provider in point.providers if (link := provider(user)) is not None]

"""What the contact pages let higher apps contribute (see halte/core/extensions.py).

The client card, the workplace and the timeline show what higher apps know (the journey's
stage, its work queues, its steps). Each such app registers its providers in its
AppConfig.ready(); with none registered the pages show contact's own part alone.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Q
from django.http import HttpRequest

from halte.audit.context import Actor
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


@dataclass(frozen=True)
class WorkplaceNotice:
    """A higher app's notices at the top of the workplace (outreach: promises of yours
    nearly due or overdue). The page includes `template` with `notice` set to this."""

    template: str
    context: dict = field(default_factory=dict)


# (request, actor) -> the notices for this user, or None when there are none. It reads
# what it shows itself, in a constant number of queries, and audits the clients it names.
WorkplaceNoticeProvider = Callable[[HttpRequest, Actor], WorkplaceNotice | None]

WORKPLACE_NOTICES: ExtensionPoint[WorkplaceNoticeProvider] = ExtensionPoint(
    "contact: workplace notices"
)


def workplace_notices(request, actor) -> list[WorkplaceNotice]:
    return [
        notice
        for provider in WORKPLACE_NOTICES.providers
        if (notice := provider(request, actor)) is not None
    ]


# The timeline. Items at the same moment are ordered by kind, then by id: (at, rank, id)
# is the timeline's total order, newest first, and a page cursor is the last item's key.
# The ranks are contact's own kinds and the kinds its sources give (a journey step); a
# rank is part of a page cursor, so they stay as they are.
TIMELINE_RANKS = {"contact": 2, "promise": 1, "journey": 0}

TimelineKey = tuple[datetime.datetime, int, int]  # (at, rank of the kind, id)


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "contact", "promise" or a source's kind ("journey": a journey step)
    at: datetime.datetime
    item: object
    # A source's own template for one item (an <li>, given the item as `item`); contact's
    # own kinds have none.
    template: str = ""

    @property
    def key(self) -> TimelineKey:
        return (self.at, TIMELINE_RANKS[self.kind], self.item.pk)


def older_than(key: TimelineKey, kind: str, time_field: str) -> Q:
    """Rows of `kind` that come after `key` in the timeline (newest first)."""
    at, rank, pk = key
    older = Q(**{f"{time_field}__lt": at})
    if TIMELINE_RANKS[kind] < rank:
        older |= Q(**{time_field: at})
    elif TIMELINE_RANKS[kind] == rank:
        older |= Q(**{time_field: at, "pk__lt": pk})
    return older


class TimelineSource(Protocol):
    """(client, limit, before, after) -> at most `limit` of its items of that client,
    newest first, older than `before` (a moment) and after `after` (a page cursor's key,
    see `older_than`). One query."""

    def __call__(
        self,
        client,
        *,
        limit: int,
        before: datetime.datetime | None,
        after: TimelineKey | None,
    ) -> list[TimelineItem]: ...


TIMELINE_SOURCES: ExtensionPoint[TimelineSource] = ExtensionPoint("contact: timeline sources")

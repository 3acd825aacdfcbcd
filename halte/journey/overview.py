"""The overview of every waiting list: per care product and team, how many wait, how
many are in line, who waits longest, how many are over the norm and the updates due,
for the page /traject/wachtlijst/ opens on."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from halte.journey.models import ACTIVE_STATUSES, WaitingListEntry
from halte.journey.queries import queue_choices


@dataclass
class QueueSummary:
    """One waiting list (a care product at a team) in numbers."""

    product_code: str
    product_name: str
    team_id: int
    team_name: str
    waiting: int
    active: int  # in line for a place
    waiting_since: datetime.date  # of who waits longest
    over_norm: int
    update_due: int  # updates due today or before
    next_update: datetime.date  # the soonest update due
    today: datetime.date

    @property
    def longest_days(self) -> int:
        return (self.today - self.waiting_since).days


@dataclass
class WaitingOverview:
    queues: list[QueueSummary]
    today: datetime.date

    def total(self, name: str) -> int:
        return sum(getattr(queue, name) for queue in self.queues)


def waiting_overview(user, *, product=None, team=None, today=None) -> WaitingOverview:
    """Every waiting list the user may open, in one aggregating query: how many wait,
    how many are in line, who waits longest, how many are over the norm, and the
    updates due. Counts, no clients: nothing to audit."""
    today = today or timezone.localdate()
    products, teams = queue_choices(user)
    entries = WaitingListEntry.objects.filter(
        left_on__isnull=True, product__in=products, team__in=teams
    )
    if product is not None:
        entries = entries.filter(product=product)
    if team is not None:
        entries = entries.filter(team=team)
    rows = (
        entries.values("product__code", "product__name", "team_id", "team__name")
        .annotate(
            waiting=Count("id"),
            active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
            waiting_since=Min("waiting_since"),
            over_norm=Count("id", filter=Q(norm_date__lt=today)),
            update_due=Count("id", filter=Q(next_update_due__lte=today)),
            next_update=Min("next_update_due"),
        )
        .order_by("product__name", "team__name", "team_id")
    )
    queues = [
        QueueSummary(
            product_code=row["product__code"],
            product_name=row["product__name"],
            team_id=row["team_id"],
            team_name=row["team__name"],
            waiting=row["waiting"],
            active=row["active"],
            waiting_since=row["waiting_since"],
            over_norm=row["over_norm"],
            update_due=row["update_due"],
            next_update=row["next_update"],
            today=today,
        )
        for row in rows
    ]
    return WaitingOverview(queues=queues, today=today)

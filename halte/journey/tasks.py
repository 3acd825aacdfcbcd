"""Journey's periodic work, enqueued by `manage.py scheduler` (registered in apps.py).

Each task takes its slot as `since`/`until` ISO strings (halte/core/schedule.py)."""

import datetime

from django_tasks import task

from halte.core.schedule import PeriodicJob, days_starting_in, parse_slot
from halte.journey import services

# Early enough that a message about the day's update is queued before office hours.
WAITING_UPDATES_AT = datetime.time(6, 0)


@task()
def publish_waiting_updates_due(*, since: str, until: str) -> int:
    """Announce the waiting clients whose update falls due on the days that begin in
    the slot: the daily slot ending at 06:00 today announces today's."""
    first, last = days_starting_in(parse_slot(since, until))
    if first >= last:
        return 0
    return services.publish_waiting_updates_due(since=first, until=last)


PERIODIC_JOBS = (
    PeriodicJob("journey.waiting_updates_due", publish_waiting_updates_due, at=WAITING_UPDATES_AT),
)

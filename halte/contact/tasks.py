"""Contact's periodic work, enqueued by `manage.py scheduler` (registered in apps.py).

Each task takes its slot as `since`/`until` ISO strings (halte/core/schedule.py)."""

import datetime

from django_tasks import task

from halte.contact import services
from halte.contact.models import ServiceLevelPolicy
from halte.core.schedule import PeriodicJob, parse_slot

EVERY_5_MINUTES = datetime.timedelta(minutes=5)


@task()
def publish_promises_due(*, since: str, until: str) -> int:
    """Announce the promises that came within the policy's warning time of their due
    time, or passed it, in the slot; the events go out when the slot is read."""
    slot = parse_slot(since, until)
    warn_before = datetime.timedelta(minutes=ServiceLevelPolicy.current().warn_before_minutes)
    return services.publish_promises_due(since=slot.start, until=slot.end, warn_before=warn_before)


@task()
def close_stale_calls(*, since: str, until: str) -> int:
    """End the calls whose `ended` never came. The slot only checks the arguments: the
    time-outs are measured now, so a slot run late closes what is stale by then."""
    parse_slot(since, until)
    return services.close_stale_calls()


PERIODIC_JOBS = (
    PeriodicJob("contact.promises_due", publish_promises_due, every=EVERY_5_MINUTES),
    PeriodicJob("contact.stale_calls", close_stale_calls, every=EVERY_5_MINUTES),
)

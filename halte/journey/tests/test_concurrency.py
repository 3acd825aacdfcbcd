"""Two planners moving the same waiting-list entry at once, on PostgreSQL."""

import pytest
from django.db import connection

from halte.audit.context import Actor
from halte.core.errors import Conflict
from halte.core.tests.concurrency import race
from halte.journey import services
from halte.journey.models import EventKind, JourneyEvent, Priority, Stage, WaitingListEntry
from halte.journey.tests.factories import referral_at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections"),
]


def test_one_planner_wins_the_other_gets_a_conflict_and_nothing_is_lost(personas, client_noord):
    referral = referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    entry = WaitingListEntry.objects.get(referral=referral)
    seen = entry.version
    changes = [
        {"priority": Priority.HIGH, "reason": "Mantelzorger valt uit"},
        {"status": "non_active", "reason": "Wil pas na de verhuizing starten"},
    ]
    planners = [personas["planner"], personas["team_lead"]]

    def change(index):
        services.waiting_entry_change(
            actor=Actor(planners[index]), entry=entry, version=seen, **changes[index]
        )

    errors = race(2, change)

    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    entry.refresh_from_db()
    assert entry.version == seen + 1
    # Exactly one change landed, whole: the winner's priority or status, not both.
    assert (entry.priority == Priority.HIGH) != (entry.status == "non_active")
    [event] = JourneyEvent.objects.filter(kind=EventKind.PRIORITY_CHANGED)
    assert event.by in planners

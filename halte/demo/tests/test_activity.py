"""The demo organisation lives while `make demo` runs: each kind of step goes through
the real services, and their events fill the outbox."""

import io
import random

import pytest

from halte.demo import activity
from halte.outreach.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("seed_demo", "--clients", "120", verbosity=0, stdout=io.StringIO())


def test_every_kind_of_step_happens_and_messages_follow(demo, published, run_tasks):
    rng = random.Random(3)  # noqa: S311
    actor = activity.Actor(activity._planner(rng))
    done = []
    with published() as seen:
        for happen in activity.STEPS:
            for _attempt in range(5):
                if happen(rng, actor):
                    done.append(happen.__name__)
                    break
    assert done == [step.__name__ for step in activity.STEPS]
    assert {type(event).__name__ for event in seen} >= {
        "ReferralReceived",
        "IntakePlanned",
        "CareStarted",
        "ContactPersonChanged",
    }
    run_tasks()
    assert Message.objects.count() >= 1


def test_a_step_is_one_thing_or_nothing(demo):
    assert activity.step(random.Random(5))  # noqa: S311 in {"referral", "intake", "care", "contact_person"}

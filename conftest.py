"""Suite-wide fixtures: the personas every access test is written against."""

import pytest

from halte.core.roles import Role


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teams(db):
    from halte.core.tests.factories import LocationFactory, TeamFactory

    location = LocationFactory(name="Amersfoort")
    return {
        "noord": TeamFactory(name="Wijkteam Noord", location=location),
        "zuid": TeamFactory(name="Wijkteam Zuid", location=location),
    }


@pytest.fixture
def personas(teams):
    """One staff member per role; nurses and team lead belong to a team."""
    from halte.core.tests.factories import UserFactory

    return {
        "front_office": UserFactory(username="kcc", role=Role.FRONT_OFFICE),
        "planner": UserFactory(username="planner", role=Role.PLANNER),
        "nurse_noord": UserFactory(
            username="nurse_noord", role=Role.CARE_PROFESSIONAL, teams=[teams["noord"]]
        ),
        "nurse_zuid": UserFactory(
            username="nurse_zuid", role=Role.CARE_PROFESSIONAL, teams=[teams["zuid"]]
        ),
        "team_lead": UserFactory(
            username="lead_noord", role=Role.TEAM_LEAD, teams=[teams["noord"]]
        ),
        "manager": UserFactory(username="manager", role=Role.MANAGER),
        "privacy_officer": UserFactory(username="privacy", role=Role.PRIVACY_OFFICER),
        "administrator": UserFactory(username="admin", role=Role.ADMINISTRATOR),
    }


@pytest.fixture
def client_noord(teams):
    """A client of team Noord with a phone, a relation and a preference."""
    from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory

    client = ClientFactory(
        team=teams["noord"], given_names="Hendrika", name_prefix="van den", family_name="Berg"
    )
    PhoneFactory(client=client, e164="+31612345678")
    relation = RelationFactory(client=client, name="Marieke de Vries", kind="child")
    PhoneFactory(client=client, relation=relation, e164="+31687654321")
    return client


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """`with published() as seen:` collects the domain events that the block's writes
    deliver. The test's transaction never commits, so the block stands in for the
    commit: delivery happens as it ends, and `seen` is filled only then."""
    from contextlib import contextmanager

    from halte.core.events import DomainEvent, subscribed

    @contextmanager
    def collect():
        seen = []
        with (
            django_capture_on_commit_callbacks(execute=True),
            subscribed(DomainEvent, seen.append),
        ):
            yield seen

    return collect


@pytest.fixture
def run_tasks(db, django_capture_on_commit_callbacks):
    """Run the tasks waiting in the database queue, in this process and this test's
    transaction, as `manage.py db_worker` would; tasks they enqueue run too. Returns
    how many ran. `run_tasks(now=...)` also runs tasks deferred until then. What a
    task leaves for after its commit runs as the task ends, as its commit would."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest",
        excluded_queue_names=[],
    )

    def run(*, limit: int = 10_000, now=None) -> int:
        ran = 0
        while ran < limit:
            ready = DBTaskResult.objects.ready()
            if now is not None:
                ready = DBTaskResult.objects.filter(status="READY", run_after__lte=now)
            result = ready.order_by("-priority", "enqueued_at").first()
            if result is None:
                return ran
            result.claim(worker.worker_id)
            with django_capture_on_commit_callbacks(execute=True):
                worker.run_task(result)
            ran += 1
        raise AssertionError(f"Still tasks after {limit}: one enqueues another forever?")

    return run

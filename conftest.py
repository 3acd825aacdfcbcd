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
    """One staff member per role; nurses and team lead belong to a team.

    Set up as staff that were there before the test (a restored database): their
    creation is not in the audit log, so each test starts with an empty log. A test
    that creates or changes staff itself sees those entries
    (halte/core/tests/test_staff_access_outside_halte.py)."""
    from halte.core.extensions import STAFF_ACCESS_CHANGES
    from halte.core.tests.factories import UserFactory

    with STAFF_ACCESS_CHANGES.replaced():
        return _personas(UserFactory, teams)


def _personas(UserFactory, teams):
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


def _rq_backend_active() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    return type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__.startswith("django_tasks_rq")


@pytest.fixture(scope="session")
def redis_test_url():
    """A Redis database of this test run's own, for the RQ task queue: REDIS_URL's
    server (or HALTE_TEST_REDIS_URL's), in the first of databases 15 down to 1 that no
    other run holds (a key with a time-out marks it), emptied before and after."""
    import os
    import socket
    import urllib.parse

    import redis
    from django.conf import settings

    base = urllib.parse.urlsplit(os.environ.get("HALTE_TEST_REDIS_URL") or settings.REDIS_URL)
    holder = f"{socket.gethostname()}:{os.getpid()}"
    for number in range(15, 0, -1):
        url = urllib.parse.urlunsplit(base._replace(path=f"/{number}"))
        connection = redis.Redis.from_url(url)
        if connection.set(_REDIS_RUN_KEY, holder, nx=True, ex=6 * 3600):
            _empty_queues(connection)
            try:
                yield url
            finally:
                _empty_queues(connection)
                connection.delete(_REDIS_RUN_KEY)
                connection.close()
            return
        connection.close()
    pytest.fail("Every Redis database 1-15 is held by another test run.")


_REDIS_RUN_KEY = "halte:test-run"


def _empty_queues(connection) -> None:
    # RQ's keys, and those of Halte's requeue sweep (halte/core/tasks.py).
    for pattern in ("rq:*", "halte:requeue:*"):
        for key in connection.scan_iter(pattern, count=1000):
            connection.delete(key)


def _rq_queues(url: str) -> dict:
    from django.conf import settings

    number = int(url.rsplit("/", 1)[1])
    return {
        name: {"URL": url, "DB": number, "DEFAULT_TIMEOUT": 3600} for name in settings.TASK_QUEUES
    }


@pytest.fixture(autouse=True)
def _rq_queue_of_the_test_run(request):
    """With HALTE_TASKS=rq, the tasks go to the test run's own Redis database, and
    what a test left in the queue is gone before the next (as the database queue's
    rows go with the test's transaction)."""
    if not _rq_backend_active():
        yield
        return
    if request.node.get_closest_marker("db_queue"):
        pytest.skip("needs the database task queue (HALTE_TASKS=database)")
    from django.conf import settings

    url = request.getfixturevalue("redis_test_url")
    if settings.RQ_QUEUES["default"]["URL"] != url:
        settings.RQ_QUEUES = _rq_queues(url)
    yield
    import redis

    with redis.Redis.from_url(url) as connection:
        _empty_queues(connection)


@pytest.fixture
def rq_backend(settings, redis_test_url):
    """The RQ backend for this test, on the test run's Redis database, whatever
    HALTE_TASKS says."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}
    }
    settings.RQ_QUEUES = _rq_queues(redis_test_url)
    yield
    import redis

    with redis.Redis.from_url(redis_test_url) as connection:
        _empty_queues(connection)


@pytest.fixture
def run_tasks(db, django_capture_on_commit_callbacks):
    """Run the tasks waiting in the queue, in this process and this test's transaction,
    as `manage.py db_worker` (or `rqworker` with HALTE_TASKS=rq) would; tasks they
    enqueue run too. Returns how many ran. `run_tasks(now=...)` also runs tasks
    deferred until then. What a task leaves for after its commit runs as the task
    ends, as its commit would."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def committed():
        # As a commit would: the callbacks run, and are gone (a test's own capture
        # around run_tasks, such as `published`, does not run them again).
        start = len(connection.run_on_commit)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
        finally:
            del connection.run_on_commit[start:]

    def run(*, limit: int = 10_000, now=None) -> int:
        if _rq_backend_active():
            return _run_rq_tasks(limit=limit, now=now, committed=committed)
        return _run_database_tasks(limit=limit, now=now, committed=committed)

    return run


def _run_database_tasks(*, limit: int, now, committed) -> int:
    from django.db.models import Q
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult, get_date_max

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
    ran = 0
    while ran < limit:
        ready = DBTaskResult.objects.ready()
        if now is not None:  # the tasks not deferred, and those deferred until then
            ready = DBTaskResult.objects.filter(status="READY").filter(
                Q(run_after=get_date_max()) | Q(run_after__lte=now)
            )
        result = ready.order_by("-priority", "enqueued_at").first()
        if result is None:
            return ran
        result.claim(worker.worker_id)
        with committed():
            worker.run_task(result)
        ran += 1
    raise AssertionError(f"Still tasks after {limit}: one enqueues another forever?")


def _run_rq_tasks(*, limit: int, now, committed) -> int:
    """A SimpleWorker in burst mode: no fork, so the tasks see the test's transaction;
    one task a turn, so that what it leaves for its commit runs as it ends."""
    import signal

    import django_rq
    from django.utils import timezone
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.signals import task_started
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.registry import ScheduledJobRegistry

    queues = [
        django_rq.get_queue(name, job_class=Job)
        for name in sorted(task_backends[DEFAULT_TASK_BACKEND_ALIAS].queues)
    ]
    connection = queues[0].connection
    started = []

    def count(sender, task_result, **kwargs):
        started.append(task_result.id)

    # The worker takes over SIGINT and SIGTERM; pytest's own come back after.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    task_started.connect(count, weak=False)
    try:
        while len(started) < limit:
            # The deferred tasks due by then (or by now, which moves on: a task may
            # defer another to the moment it runs), as RQ's scheduler would move them.
            moment = int((now or timezone.now()).timestamp())
            for queue in queues:
                registry = ScheduledJobRegistry(queue=queue)
                for job_id in registry.get_jobs_to_schedule(moment):
                    queue.enqueue_job(Job.fetch(job_id, connection=connection))
                    registry.remove(job_id)
            if all(queue.is_empty() for queue in queues):
                return len(started)
            worker = SimpleWorker(queues, connection=connection, job_class=Job)
            with committed():
                worker.work(burst=True, max_jobs=1, logging_level="WARNING")
    finally:
        task_started.disconnect(count)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    raise AssertionError(f"Still tasks after {limit}: one enqueues another forever?")

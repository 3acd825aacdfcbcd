"""/health/ tells the load balancer whether this process can serve, and nothing more."""

import socket
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from halte.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)  # the checks run in threads of their own


def test_it_answers_ok_for_each_check_to_anyone(client):
    before = AuditEntry.objects.count()

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "task_queue": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert AuditEntry.objects.count() == before  # not audit-logged per call


def test_a_failing_check_is_503_without_its_reason(client, settings):
    settings.HALTE_TASKS = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/health/", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "task_queue": "failed"}
    assert b"Redis" not in response.content
    assert b"refused" not in response.content.lower()


def test_on_rq_it_pings_redis(client, settings):
    settings.HALTE_TASKS = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:6379/8"

    assert client.get("/health/").json() == {"database": "ok", "task_queue": "ok"}


def test_a_configured_cache_is_checked(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failed", "task_queue": "ok"}
    assert list(response.json()) == ["database", "cache", "task_queue"]  # in the order checked


def test_the_database_check_fails_when_the_database_does_not_answer(client, settings):
    from django.db import connections

    database = connections["default"]
    if database.vendor != "postgresql":
        pytest.skip("an SQLite file always opens; PostgreSQL can be pointed elsewhere")
    settings_dict = database.settings_dict
    original_port = settings_dict["PORT"]
    settings_dict["PORT"] = "1"
    try:
        response = client.get("/health/")
    finally:
        settings_dict["PORT"] = original_port

    assert response.status_code == 503
    assert response.json()["database"] == "failed"


def test_a_configured_cache_of_the_process_itself_is_not_checked(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    assert client.get("/health/").json() == {"database": "ok", "task_queue": "ok"}


def test_the_reason_goes_to_the_log_only(client, settings, caplog):
    settings.HALTE_TASKS = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    with caplog.at_level("WARNING", logger="health_check"):
        response = client.get("/health/")

    assert response.json()["task_queue"] == "failed"
    assert "ServiceUnavailable: Unavailable: Redis does not answer" in caplog.text
    assert b"answer" not in response.content


def test_a_redis_that_never_answers_fails_within_its_socket_timeout(client, settings):
    """Without a socket timeout the check's thread would wait for ever, and the view
    with it (it waits for its threads)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the kernel; nothing ever answers
        settings.HALTE_TASKS = "rq"
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()

        response = client.get("/health/")

    assert response.json()["task_queue"] == "failed"
    assert time.monotonic() - started < 5  # Redis's timeout, not the check's own (5 s)


def test_a_task_table_that_cannot_be_read_fails_the_task_queue(client, caplog):
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with caplog.at_level("WARNING", logger="health_check"):
            response = client.get("/health/")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "task_queue": "failed"}
    assert "ServiceUnavailable: Unavailable: the task table cannot be read" in caplog.text


def test_a_redis_host_that_takes_no_connection_fails_within_the_connect_timeout(client, settings):
    """A host that drops the connection attempts (down, or a firewall): Redis's own
    connect timeout answers before the check's budget (5 s), and frees the thread."""
    with socket.socket() as full, socket.socket() as first:
        full.bind(("127.0.0.1", 0))
        full.listen(0)  # room for one connection waiting to be accepted
        first.connect(full.getsockname())  # ... taken: the next attempt waits
        settings.HALTE_TASKS = "rq"
        settings.REDIS_URL = f"redis://127.0.0.1:{full.getsockname()[1]}/0"
        started = time.monotonic()

        response = client.get("/health/")

    assert response.json()["task_queue"] == "failed"
    assert time.monotonic() - started < 5

"""/health/ tells the load balancer whether this process can serve, and nothing more."""

import pytest

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

"""HALTE_TASKS picks the task queue: the database (default) or RQ on REDIS_URL."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from halte.core.tests.test_settings import PRODUCTION_ENV, _manage
from halte.env import env_redis_url

SHOW = (
    "from django.conf import settings; from django_tasks import task_backends;"
    " print(type(task_backends['default']).__name__, 'django_rq' in settings.INSTALLED_APPS,"
    " getattr(settings, 'RQ_QUEUES', {}).get('default', {}).get('DB'))"
)


def test_the_database_queue_is_the_default():
    result = _manage("shell", "--no-imports", "-c", SHOW, env={})
    assert result.stdout.split() == ["DatabaseBackend", "False", "None"], result.stderr


def test_rq_takes_its_redis_from_redis_url_and_passes_the_checks():
    env = {"HALTE_TASKS": "rq", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    result = _manage("shell", "--no-imports", "-c", SHOW, env=env)
    assert result.stdout.split() == ["RQBackend", "True", "3"], result.stderr
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_choice_or_address_stops_it_naming_the_variable():
    result = _manage("check", env={"HALTE_TASKS": "redis"})
    assert "HALTE_TASKS must be one of database, rq, not 'redis'" in result.stderr
    result = _manage("check", env={"HALTE_TASKS": "rq", "REDIS_URL": "127.0.0.1:6379"})
    assert "REDIS_URL must be a redis://host:port/db URL" in result.stderr


@pytest.mark.parametrize(
    ("url", "db"),
    [
        ("redis://127.0.0.1:6379/0", 0),
        ("redis://:secret@redis.internal:6380/4", 4),
        ("rediss://redis.internal", 0),
        ("unix:///run/redis.sock?db=2", 2),
    ],
)
def test_it_reads_the_redis_database_from_the_url(monkeypatch, url, db):
    monkeypatch.setenv("HALTE_REDIS", url)
    assert env_redis_url("HALTE_REDIS", "redis://127.0.0.1:6379/0") == (url, db)


@pytest.mark.parametrize("url", ["http://redis:6379/0", "redis://", "redis://host/zero"])
def test_it_refuses_what_is_not_a_redis_url(monkeypatch, url):
    monkeypatch.setenv("HALTE_REDIS", url)
    with pytest.raises(ImproperlyConfigured, match="HALTE_REDIS"):
        env_redis_url("HALTE_REDIS", "redis://127.0.0.1:6379/0")

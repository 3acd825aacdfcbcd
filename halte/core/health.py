"""/health/ for the load balancer (django-health-check): can this process serve?

It checks the database, the cache when one is configured beyond the process's own
memory, and the task queue (the database queue's table, or a Redis ping with
HALTE_TASKS=rq). Anyone may ask, so the answer says only "ok" or "failed" per
check: the reasons go to the server's log (django-health-check logs them), never to
the caller. It reads no client data and is not written to the audit log.
"""

import asyncio
import dataclasses

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The queue the web process hands its tasks to can be reached."""

    def run(self):
        if settings.HALTE_TASKS == "rq":
            self._ping_redis()
        else:
            self._read_queue_table()

    @staticmethod
    def _ping_redis():
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        try:
            client.ping()
        except redis.RedisError as error:
            raise ServiceUnavailable("Redis does not answer") from error
        finally:
            client.close()

    @staticmethod
    def _read_queue_table():
        from django_tasks_db.models import DBTaskResult

        try:
            DBTaskResult.objects.only("pk").first()
        except Exception as error:
            raise ServiceUnavailable("the task table cannot be read") from error
        finally:
            connection.close()  # this runs in a worker thread of its own


def _checks() -> list[tuple[str, HealthCheck]]:
    checks = [("database", Database()), ("task_queue", TaskQueue())]
    if settings.CACHES["default"]["BACKEND"] not in _PROCESS_CACHES:
        checks.insert(1, ("cache", Cache()))
    return checks


class HealthView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        names, checks = zip(*_checks(), strict=True)
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks))
        body = {
            name: "failed" if result.error else "ok"
            for name, result in zip(names, results, strict=True)
        }
        healthy = all(value == "ok" for value in body.values())
        return JsonResponse(body, status=200 if healthy else 503)


health = HealthView.as_view()

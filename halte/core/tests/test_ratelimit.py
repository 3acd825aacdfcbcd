"""The counters behind the sign-in and API limits: one upsert a count, per window."""

import pytest
from django.db import connection

from halte.core import ratelimit
from halte.core.models import RateCounter
from halte.core.tests.concurrency import race


def test_a_window_starts_on_a_multiple_of_its_length_and_says_what_is_left():
    window = ratelimit.Window.current(600, now=1_800_000_123.4)
    assert window.start == 1_800_000_000
    assert window.retry_after == 477  # 600 - 123.4, rounded up


@pytest.mark.django_db
def test_hits_count_per_key_and_start_again_in_a_new_window():
    first = ratelimit.Window.current(60, now=6000)
    assert [ratelimit.hit("a", first) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("b", first) == 1
    assert ratelimit.count("a", first) == 3

    later = ratelimit.Window.current(60, now=6060)
    assert ratelimit.count("a", later) == 0
    assert ratelimit.hit("a", later) == 1
    assert RateCounter.objects.count() == 2


@pytest.mark.django_db
def test_prune_deletes_the_counters_of_ended_windows():
    ratelimit.hit("old", ratelimit.Window.current(60, now=1000))
    ratelimit.hit("new", ratelimit.Window.current(60, now=9000))
    assert ratelimit.prune(now=9000) == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_counts_from_many_connections_add_up():
    """Gunicorn's workers each have their own connection: no count may be lost."""
    window = ratelimit.Window.current(3600)
    seen = []

    def count(index):
        for _ in range(50):
            seen.append(ratelimit.hit("shared", window))

    assert race(4, count) == []
    assert ratelimit.count("shared", window) == 200
    assert sorted(seen) == list(range(1, 201))


@pytest.mark.django_db
def test_the_scheduler_housekeeping_prunes_the_counters():
    from halte.core.management.commands.scheduler import housekeeping

    ratelimit.hit("long-gone", ratelimit.Window.current(60, now=1000))
    housekeeping()
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's unlogged tables")
def test_the_counters_do_not_wait_for_a_wal_flush_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = %s",
            [RateCounter._meta.db_table],
        )
        assert cursor.fetchone() == ("u",)

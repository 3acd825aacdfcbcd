"""The run_tasks fixture drains either queue the same way: the database's and RQ's."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus, task

RAN: list[str] = []


@task()
def note(word: str) -> str:
    RAN.append(word)
    return word


@task()
def note_and_pass_on(word: str) -> None:
    RAN.append(word)
    note.enqueue(word + "!")


@task()
def fail() -> None:
    raise ValueError("no")


@task()
def forever() -> None:
    forever.enqueue()


@pytest.fixture(autouse=True)
def _fresh():
    RAN.clear()


@pytest.fixture(params=["database", "rq"])
def queue(request, settings):
    if request.param == "rq":
        request.getfixturevalue("rq_backend")
    else:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return request.param


def test_it_runs_what_waits_and_what_that_enqueues(queue, run_tasks):
    note.enqueue("a")
    note_and_pass_on.enqueue("b")
    assert run_tasks() == 3
    assert sorted(RAN) == ["a", "b", "b!"]
    assert run_tasks() == 0


def test_it_runs_a_deferred_task_only_once_its_time_is_given(queue, run_tasks):
    later = timezone.now() + datetime.timedelta(hours=2)
    deferred = note.using(run_after=later).enqueue("later")
    note.enqueue("now")
    assert run_tasks() == 1
    assert RAN == ["now"]
    note.enqueue("also now")
    assert run_tasks(now=later - datetime.timedelta(minutes=1)) == 1
    assert run_tasks(now=later) == 1
    assert RAN == ["now", "also now", "later"]
    deferred.refresh()
    assert deferred.status == TaskResultStatus.SUCCESSFUL


def test_a_failing_task_counts_and_is_marked_failed(queue, run_tasks):
    result = fail.enqueue()
    assert run_tasks() == 1
    result.refresh()
    assert result.status == TaskResultStatus.FAILED


def test_it_stops_a_task_that_enqueues_itself_forever(queue, run_tasks):
    forever.enqueue()
    with pytest.raises(AssertionError, match="Still tasks after 5"):
        run_tasks(limit=5)


@pytest.mark.db_queue
def test_a_test_of_the_database_queue_itself_is_skipped_on_rq(db):
    from django_tasks import task_backends

    assert type(task_backends["default"]).__name__ == "DatabaseBackend"

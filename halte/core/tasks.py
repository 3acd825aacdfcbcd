"""Enqueueing background work beside a write."""

from django.db import transaction


def enqueue_in_transaction(task, *args, **kwargs) -> None:
    """Enqueue `task` so that it exists exactly when the current transaction commits.

    On the database queue the task row is written in this transaction: it commits
    with the write (no commit of its own) or not at all. A queue elsewhere (RQ on
    Redis) gets it after the commit, so that no worker reads a write that is not
    there yet, or was undone."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))

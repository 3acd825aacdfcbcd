"""Processes for test_worker_killed, run as `python -m halte.outreach.tests.worker_process`
against the database that DATABASE_URL names:

    kill-after-claim MESSAGE_ID [db_worker options]
        A real `db_worker` that SIGKILLs itself the moment it starts the send task of
        message MESSAGE_ID: the queue has claimed the task (its row is `RUNNING`, and
        stays so, as no worker takes a running task), the message is still `queued`.
        The narrow window a random kill sometimes hits, hit every time.

    kill-after-delivery MESSAGE_ID [db_worker options]
        A real `db_worker` that SIGKILLs itself once message MESSAGE_ID was handed
        to the mail server, before it is marked sent: the message is `sending`.

    kill-at-start TASK_NAME [db_worker options]
        A real `db_worker` that SIGKILLs itself the moment it starts a task named
        TASK_NAME: that task's row is `RUNNING`, and stays so.

    sweep-later MINUTES
        The outbox sweep as the scheduler would run it MINUTES from now (the clock
        moved forward with time-machine; the rows are the real ones).

    housekeeping-later MINUTES
        The scheduler's housekeeping (each minute) as it would run MINUTES from now."""

import datetime
import os
import signal
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
    import django

    django.setup()


def _kill_when_started(should_die, worker_args: list[str]) -> None:
    """A real `db_worker` that SIGKILLs itself as it starts a task `should_die` picks."""
    _setup()
    from django.core.management import call_command
    from django_tasks_db.compat import task_started

    def die(sender, task_result, **kwargs):
        if should_die(task_result):
            os.kill(os.getpid(), signal.SIGKILL)

    task_started.connect(die, weak=False)
    call_command("db_worker", *worker_args)


def kill_after_claim(message_id: int, worker_args: list[str]) -> None:
    def is_its_send(task_result) -> bool:
        from halte.outreach import tasks

        return task_result.task.name == tasks.send_message.name and task_result.args == [message_id]

    _kill_when_started(is_its_send, worker_args)


def kill_at_start(task_name: str, worker_args: list[str]) -> None:
    _kill_when_started(lambda task_result: task_result.task.name == task_name, worker_args)


def kill_after_delivery(message_id: int, worker_args: list[str]) -> None:
    _setup()
    from django.core.management import call_command

    from halte.outreach import sending

    mark_sent = sending._sent

    def die_before_marking(message, reference):
        if message.pk == message_id:
            os.kill(os.getpid(), signal.SIGKILL)
        mark_sent(message, reference)

    sending._sent = die_before_marking
    call_command("db_worker", *worker_args)


def sweep_later(minutes: int) -> None:
    _setup()
    import time_machine
    from django.utils import timezone

    from halte.outreach import tasks

    later = timezone.now() + datetime.timedelta(minutes=minutes)
    with time_machine.travel(later, tick=True):
        since = later - datetime.timedelta(minutes=5)
        print(tasks.sweep_outbox.call(since=since.isoformat(), until=later.isoformat()))


def housekeeping_later(minutes: int) -> None:
    _setup()
    import time_machine
    from django.utils import timezone

    from halte.core.management.commands.scheduler import housekeeping

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True):
        housekeeping()


if __name__ == "__main__":
    command, argument, *rest = sys.argv[1:]
    if command == "kill-after-claim":
        kill_after_claim(int(argument), rest)
    elif command == "kill-after-delivery":
        kill_after_delivery(int(argument), rest)
    elif command == "kill-at-start":
        kill_at_start(argument, rest)
    elif command == "sweep-later":
        sweep_later(int(argument))
    elif command == "housekeeping-later":
        housekeeping_later(int(argument))
    else:
        sys.exit(f"unknown command {command!r}")

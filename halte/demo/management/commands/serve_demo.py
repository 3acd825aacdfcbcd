"""`manage.py serve_demo [addrport]`: the web server, a task worker and the scheduler
together, as `make demo` runs them. One Ctrl-C (SIGINT, or SIGTERM) stops all three.

Each runs in a process group of its own, so that the signal reaches what it started
too (runserver's autoreloader runs the server in a child); the terminal's Ctrl-C
reaches only this supervisor, which passes it on and waits. Whatever has not ended
within STOP_TIMEOUT is killed. When one of them stops by itself (the port is taken,
say), the others are stopped too and the command fails.

In production each is a service of its own under a process manager (README).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT = 10.0
POLL = 0.2


def commands(addrport: str) -> list[tuple[str, list[str]]]:
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    queues = settings.TASK_QUEUES
    if settings.HALTE_TASKS == "rq":
        # --with-scheduler moves deferred tasks (run_after) onto the queue when due.
        worker = ["rqworker", *queues, "--job-class", "django_tasks_rq.backend.Job"]
        worker.append("--with-scheduler")
    else:
        # No autoreloader of its own: runserver's is the one that says it watches.
        worker = ["db_worker", "--queue-name", ",".join(queues), "--no-reload"]
    return [
        ("web server", [*manage, "runserver", addrport]),
        ("task worker", [*manage, *worker]),
        ("scheduler", [*manage, "scheduler"]),
    ]


class Command(BaseCommand):
    help = "Run the web server, a task worker and the scheduler; Ctrl-C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, request_stop)
        children = []
        try:
            for name, command in commands(addrport):
                children.append((name, subprocess.Popen(command, start_new_session=True)))  # noqa: S603 - our own manage.py
            self.stdout.write(
                f"Started the web server (http://{addrport}/), a task worker"
                f" ({settings.HALTE_TASKS} queue) and the scheduler; Ctrl-C stops all three."
            )
            ended = self._wait(children, stop_requested)
        finally:
            self._stop(children)
        if ended is not None:
            name, code = ended
            raise CommandError(f"The {name} stopped (exit code {code}); the others were stopped.")
        self.stdout.write("Stopped the web server, the task worker and the scheduler.")

    def _wait(self, children, stop_requested):
        """Until a stop is asked for (None) or a child ends by itself (its name, code)."""
        while not stop_requested:
            for name, process in children:
                code = process.poll()
                if code is not None:
                    return name, code
            time.sleep(POLL)
        return None

    def _stop(self, children):
        for _, process in children:
            _signal_group(process, signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT
        for _, process in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
        # Whatever is left, the leaders or what they started: killed.
        for _, process in children:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has ended
        os.killpg(process.pid, signum)

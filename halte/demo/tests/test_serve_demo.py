"""`make demo` runs the web server, a task worker and the scheduler as one command:
they work together (the scheduler's slots are run by the worker), and one Ctrl-C
stops them all, leaving no process behind."""

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children_of() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children_of(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that may never reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/")
        return connection.getresponse().status in {200, 302}
    except OSError:
        return False


def _env(var: Path, **more) -> dict:
    return {
        **os.environ,
        "HALTE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'halte.sqlite3'}",
        "HALTE_TASKS": "database",
        **more,
    }


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """An SQLite database migrated once for the module, to copy from."""
    var = tmp_path_factory.mktemp("template")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=_env(var),
        check=True,
        timeout=300,
    )
    return var / "halte.sqlite3"


@pytest.fixture
def var(migrated_database, tmp_path) -> Path:
    """The demo's var directory, with a migrated database of its own."""
    var = tmp_path / "var"
    var.mkdir()
    shutil.copy(migrated_database, var / "halte.sqlite3")
    return var


def test_one_command_runs_all_three_and_one_ctrl_c_stops_them_all(var, settings, request, tmp_path):
    queue = settings.HALTE_TASKS  # the queue this test run is for (CI runs both)
    env = _env(var, HALTE_TASKS=queue)
    if queue == "rq":
        env["REDIS_URL"] = request.getfixturevalue("redis_test_url")
    port = _free_port()
    output = tmp_path / "output.txt"
    with output.open("w") as sink:
        supervisor = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while not _answers(port):
            assert supervisor.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.3)
        # The scheduler enqueued the last slot of each job on start; the worker ran them.
        while _finished_tasks(var / "halte.sqlite3", queue, env) < 3:
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.3)
        processes = _descendants(supervisor.pid)
        command_lines = " | ".join(_command_line(pid) for pid in processes)
        for part in ("runserver", "scheduler", "db_worker" if queue == "database" else "rqworker"):
            assert part in command_lines
        assert len(processes) >= 4  # runserver's autoreloader runs the server in a child

        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(timeout=30) == 0, output.read_text()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        if queue == "rq":
            _empty_redis(env["REDIS_URL"])
    assert [pid for pid in processes if _running(pid)] == []
    text = output.read_text()
    assert text.count("Watching for file changes") == 1, text
    assert "Stopped the web server, the task worker and the scheduler." in text


def _finished_tasks(database: Path, queue: str, env: dict) -> int:
    if queue == "rq":
        import redis

        with redis.Redis.from_url(env["REDIS_URL"]) as connection:
            return connection.zcard("rq:finished:default")
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
        ).fetchone()
    return count


def _empty_redis(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as connection:
        for key in connection.scan_iter("rq:*"):
            connection.delete(key)


def test_when_one_of_them_stops_the_others_are_stopped_too(var):
    env = _env(var)
    with socket.socket() as taken:  # the web server cannot have its port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode != 0
    assert "The web server stopped" in result.stderr

"""Many writers on one SQLite file: Django's backend against Halte's (writers queued on
a lock file, halte.core.sqlite).

    .venv/bin/python bench/sqlite_writers.py [--processes 4] [--seconds 10]

Each of `--processes` processes opens its own connection to a fresh database file
in a temporary folder, with Halte's SQLite settings (WAL, IMMEDIATE transactions,
busy_timeout 5 s), and for `--seconds` runs write transactions as short as a caller
lookup's audit append: BEGIN IMMEDIATE, one insert, COMMIT, then `--pause` ms of
other work. It prints, per backend, the transactions per second, how long a
transaction waited to begin (median, p99, worst) and how many failed with
"database is locked".
"""

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {"django": "django.db.backends.sqlite3", "halte": "halte.core.sqlite"}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pause", type=float, default=0.5, help="ms between transactions")
    return parser.parse_args()


def _connection(engine: str, path: str):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
    import django

    django.setup()
    from django.db.utils import ConnectionHandler

    from halte.settings import DATABASES

    settings = {**DATABASES["default"], "ENGINE": engine, "NAME": path, "CONN_MAX_AGE": None}
    return ConnectionHandler({"default": settings})["default"]


def _writer(engine: str, path: str, seconds: float, pause: float, results) -> None:
    from django.db import OperationalError

    database = _connection(engine, path)
    waits, locked = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        asked = time.perf_counter()
        try:
            database.set_autocommit(False)  # as atomic() does: the BEGIN comes here
            database._start_transaction_under_autocommit()
        except OperationalError:
            locked += 1
            database.set_autocommit(True)
            continue
        waits.append(time.perf_counter() - asked)
        with database.cursor() as cursor:
            cursor.execute("INSERT INTO entry (at, text) VALUES (%s, %s)", [time.time(), "x" * 200])
        database.commit()
        database.set_autocommit(True)
        time.sleep(pause / 1000)
    database.close()
    results.put((waits, locked))


def _run(engine: str, args) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        path = str(Path(scratch) / "writers.sqlite3")
        database = _connection(engine, path)
        with database.cursor() as cursor:
            cursor.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, at REAL, text TEXT)")
        database.close()
        spawn = multiprocessing.get_context("spawn")  # each writer sets Django up itself
        results = spawn.Queue()
        workers = [
            spawn.Process(target=_writer, args=(engine, path, args.seconds, args.pause, results))
            for _ in range(args.processes)
        ]
        for worker in workers:
            worker.start()
        waits, locked = [], 0
        for _ in workers:
            these, failed = results.get()
            waits += these
            locked += failed
        for worker in workers:
            worker.join()
    waits.sort()
    return {
        "per second": len(waits) / args.seconds,
        "median": statistics.median(waits) * 1000,
        "p99": waits[int(len(waits) * 0.99)] * 1000,
        "worst": waits[-1] * 1000,
        "locked": locked,
    }


def main() -> None:
    args = _arguments()
    print(
        f"{args.processes} processes, {args.seconds:g} s, {args.pause:g} ms between"
        " transactions; waits to begin in ms\n"
    )
    print("| backend | transactions/s | wait median | wait p99 | wait worst | locked |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, engine in ENGINES.items():
        r = _run(engine, args)
        print(
            f"| {name} | {r['per second']:,.0f} | {r['median']:.2f} | {r['p99']:.2f}"
            f" | {r['worst']:.1f} | {r['locked']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

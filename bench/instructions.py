"""CPU instructions per caller lookup, counted by valgrind's callgrind.

    .venv/bin/python bench/instructions.py [--clients N] [--requests 300]

Requests/s and milliseconds move by a factor of two on a shared virtual machine;
the instructions a request executes do not. This serves GET /api/v1/callers through
Django's WSGI handler (no HTTP server) in one process under callgrind, once with a
few requests and once with `--requests` more, and prints the difference per request,
for the real endpoint and for the bare view of bench/bare_urls.py. It needs valgrind
(Debian's package) and the database bench/run.py seeds; each run works on a copy of
it, so the audit log it writes does not grow the original. SQLite only.
"""

import argparse
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py, next to this file

WARM_UP = 100
BASE_REQUESTS = 50


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child: "endpoint" or "bare"
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def _serve(view: str, count: int) -> None:
    """The child under callgrind: warm up, then `count` lookups through the handler."""
    if view == "bare":
        os.environ["DJANGO_SETTINGS_MODULE"] = "bare_settings"
    bench._setup(os.environ["DATABASE_URL"])
    import halte.core.sqlite.base

    # The checkpointer wakes by the wall clock, which callgrind slows fifty-fold.
    halte.core.sqlite.base.start_checkpointer = lambda *args, **kwargs: False
    from first_contact import bench_token

    from halte.clients.models import Phone
    from halte.wsgi import application  # as gunicorn loads it

    token = bench_token()
    numbers = list(Phone.objects.order_by("id").values_list("e164", flat=True)[:500])

    def lookup(number: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/v1/callers",
            "QUERY_STRING": "number=" + number.replace("+", "%2B"),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
        }
        statuses = []
        b"".join(application(environ, lambda status, headers: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{number}: {statuses[0]}")

    for i in range(WARM_UP + count):
        lookup(numbers[i % len(numbers)])


def _snapshot(database: Path, target: Path) -> None:
    """A consistent copy, with what is still in the write-ahead log."""
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)


def _instructions(view: str, count: int, snapshot: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "bench.sqlite3"
        shutil.copy(snapshot, copy)
        out = Path(scratch) / "callgrind.out"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{copy}", "PYTHONPATH": str(bench.ROOT)}
        subprocess.run(  # noqa: S603 - our own command line
            [
                "/usr/bin/valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--serve",
                view,
                "--count",
                str(count),
            ],
            check=True,
            env=env,
            cwd=bench.ROOT / "bench",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for line in out.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError("callgrind wrote no totals")


def main() -> None:
    args = _arguments()
    if args.serve:
        _serve(args.serve, args.count)
        return
    database = bench.RESULTS / f"bench-{args.clients}.sqlite3"
    bench._setup(f"sqlite:///{database}")
    bench.ensure_seeded(args.clients)
    print(f"{args.clients:,} clients, SQLite; {args.requests} requests after {WARM_UP} warm-up\n")
    print("| view | instructions per request |")
    print("| --- | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        snapshot = Path(scratch) / "snapshot.sqlite3"
        _snapshot(database, snapshot)
        for view in ("endpoint", "bare"):
            few = _instructions(view, BASE_REQUESTS, snapshot)
            many = _instructions(view, BASE_REQUESTS + args.requests, snapshot)
            print(f"| {view} | {(many - few) / args.requests / 1e6:.2f} M |", flush=True)


if __name__ == "__main__":
    main()

"""What Halte's ±infinity loaders cost a read of dates and timestamps on PostgreSQL.

    .venv/bin/python bench/moment_loaders.py --database-url postgres://... \
        [--values 10000] [--rounds 21] [--against REV] [--clients N [--requests 20]]

halte.core.moments registers loaders on each PostgreSQL connection so that 'infinity'
and '-infinity' read as the ends Python holds; every other date and timestamp passes
through them to the loader underneath. This reads --values dates, timestamps and
timestamps with time zone through Django's connection (text, as Django asks for them)
and a plain psycopg cursor (binary), and times only the fetch (psycopg converts the
values there; the query has run by then), with the loaders Django alone would use
("default": psycopg's, in C, and Django's time-zone loader), Halte's, and with
--against, Halte's as they were at a git revision. The cases take turns within each
round, so a machine whose speed moves treats them alike; it prints the medians.
With --clients it then asks the front office's workplace (GET /werkplek/, as the demo
user kcc, which reads a thousand moments at 20,000 clients) --requests times a round
with each case's loaders on the connection, on a database seeded with N clients.
"""

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py: the Django set-up

TYPES = ("date", "timestamp", "timestamptz")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--values", type=int, default=10_000, help="Values a fetch reads.")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--against", default="", help="A git revision's loaders besides.")
    parser.add_argument("--clients", type=int, default=0, help="Also time the workplace.")
    parser.add_argument("--requests", type=int, default=20, help="Workplace pages a round.")
    return parser.parse_args()


def _moments_at(revision: str) -> types.ModuleType:
    """halte/core/moments.py as it was at `revision`, as a module of its own."""
    source = subprocess.run(  # noqa: S603 - our own command line
        ["git", "show", f"{revision}:halte/core/moments.py"],  # noqa: S607 - git on PATH
        cwd=bench.ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    module = types.ModuleType(f"moments_at_{revision}")
    exec(compile(source, f"{revision}:halte/core/moments.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def _loader_sets(against: str) -> dict:
    """Each case's loader class per (type, format), from Django's own adapters map (the
    one every new connection starts from) with and without Halte's registered on it."""
    from django.conf import settings
    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import get_adapters_template
    from psycopg import adapt, adapters
    from psycopg.pq import Format

    from halte.core import moments

    template = get_adapters_template(settings.USE_TZ, connection.timezone)
    registers = {"default": None, "Halte's": moments.register_infinity_loaders}
    if against:
        registers[f"Halte's at {against}"] = _moments_at(against).register_infinity_loaders
    sets = {}
    for case, register in registers.items():
        context = adapt.AdaptersMap(template)
        if register is not None:
            fake = types.SimpleNamespace(adapters=context)
            register(connection=types.SimpleNamespace(vendor="postgresql", connection=fake))
        sets[case] = {
            (name, fmt): context.get_loader(adapters.types[name].oid, fmt)
            for name in TYPES
            for fmt in (Format.TEXT, Format.BINARY)
        }
    return sets


def _query(name: str, values: int) -> str:
    # Moments 37 minutes apart from 2020 on: ordinary values, none of them infinite.
    return (
        f"SELECT (timestamptz '2020-01-01 00:00+00' + i * interval '37 minutes')::{name}"  # noqa: S608 - our own type names
        f" FROM generate_series(1, {int(values)}) AS i"
    )


def _fetch_seconds(loaders: dict, name: str, binary: bool, values: int) -> float:
    """Seconds psycopg takes to turn `values` fetched values of type `name` into Python."""
    import psycopg
    from django.db import connection
    from psycopg.pq import Format

    with connection.cursor() as wrapper:
        # Django's cursor (client-side binding, text) unless binary: a plain psycopg one.
        cursor = psycopg.Cursor(connection.connection) if binary else wrapper.cursor
        oid = psycopg.adapters.types[name].oid
        for fmt in (Format.TEXT, Format.BINARY):
            cursor.adapters.register_loader(oid, loaders[name, fmt])
        if binary:
            cursor.execute(_query(name, values), binary=True)
        else:
            cursor.execute(_query(name, values))
        started = time.perf_counter()
        rows = cursor.fetchall()
        elapsed = time.perf_counter() - started
    if len(rows) != values:
        raise RuntimeError(f"{len(rows)} rows of {name}, not {values}")
    return elapsed


def measure(sets: dict, values: int, rounds: int) -> dict:
    cases = list(sets)
    times = {
        (name, binary, case): [] for name in TYPES for binary in (False, True) for case in cases
    }
    for round_ in range(rounds + 1):
        for name in TYPES:
            for binary in (False, True):
                for i in range(len(cases)):
                    case = cases[(round_ + i) % len(cases)]  # each case first in turn
                    seconds = _fetch_seconds(sets[case], name, binary, values)
                    if round_:  # the first round warms up
                        times[name, binary, case].append(seconds)
    return times


def _use(loaders: dict) -> None:
    """`loaders` on Django's connection, for the cursors it opens from now on."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    for (name, _format), loader in loaders.items():
        connection.connection.adapters.register_loader(psycopg.adapters.types[name].oid, loader)


def measure_workplace(sets: dict, requests: int, rounds: int) -> dict:
    """Seconds a workplace page takes, per case; each page with its case's loaders."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    browser = Client()
    browser.force_login(get_user_model().objects.get(username="kcc"))
    url = reverse("contact:workplace")
    cases = list(sets)
    times = {case: [] for case in cases}
    for round_ in range(rounds + 1):
        for i in range(len(cases)):
            case = cases[(round_ + i) % len(cases)]
            for _ in range(requests):
                _use(sets[case])  # again each time: a new connection gets Halte's own
                started = time.perf_counter()
                if browser.get(url).status_code != 200:
                    raise RuntimeError(f"{url} did not answer 200")
                if round_:
                    times[case].append(time.perf_counter() - started)
    return times


def _print_workplace(times: dict, clients: int) -> None:
    print()
    print(f"Workplace page (front office), {clients:,} clients, median per request:")
    print()
    print("| loaders | pages | median ms | / default |")
    print("| --- | ---: | ---: | ---: |")
    default = statistics.median(times["default"])
    for case, seconds in times.items():
        median = statistics.median(seconds)
        print(f"| {case} | {len(seconds)} | {median * 1000:.1f} | {median / default:.2f} |")


def main() -> None:
    import os

    args = _arguments()
    # One connection all along: a new one (past CONN_MAX_AGE) would get Halte's loaders.
    os.environ["CONN_MAX_AGE"] = "86400"
    bench._setup(args.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: --database-url postgres://...")
    sets = _loader_sets(args.against)
    times = measure(sets, args.values, args.rounds)
    print()
    print(f"{args.values:,} values a fetch, median of {args.rounds} rounds (cases in turn),")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print("| type | format | loaders | ms a fetch | ns a value | / default |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    for name in TYPES:
        for binary in (False, True):
            fmt = "binary" if binary else "text (Django)"
            default = statistics.median(times[name, binary, "default"])
            for case in sets:
                median = statistics.median(times[name, binary, case])
                print(
                    f"| {name} | {fmt} | {case} | {median * 1000:.2f} | "
                    f"{median * 1e9 / args.values:.0f} | {median / default:.2f} |"
                )
    if args.clients:
        bench.ensure_seeded(args.clients)
        rounds = max(3, args.rounds // 4)
        _print_workplace(measure_workplace(sets, args.requests, rounds), args.clients)


if __name__ == "__main__":
    main()

"""What Halte's ±infinity loaders cost a read of dates and timestamps on PostgreSQL.

    .venv/bin/python bench/moment_loaders.py --database-url postgres://... \
        [--values 10000] [--rounds 21] [--against REV]

halte.core.moments registers loaders on each PostgreSQL connection so that 'infinity'
and '-infinity' read as the ends Python holds; every other date and timestamp passes
through them to the loader underneath. This reads --values dates, timestamps and
timestamps with time zone through Django's connection (text, as Django asks for them)
and a plain psycopg cursor (binary), and times only the fetch (psycopg converts the
values there; the query has run by then), with the loaders Django alone would use
("default": psycopg's, in C, and Django's time-zone loader), Halte's, and with
--against, Halte's as they were at a git revision. The cases take turns within each
round, so a machine whose speed moves treats them alike; it prints the medians.
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


def main() -> None:
    import os

    args = _arguments()
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


if __name__ == "__main__":
    main()

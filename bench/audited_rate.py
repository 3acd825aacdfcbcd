"""Audited caller lookups per second against a bare view, under load, in one run.

    .venv/bin/python bench/audited_rate.py --database-url postgres://... [--rounds 3]
        [--workers 8] [--connections 32] [--duration 15s] [--clients N]

Each round serves the caller lookup with gunicorn and drives it with wrk
(bench/first_contact.py --load), once as Halte answers it (bearer token, the scoped
query, one durable audit entry in the request's transaction) and once answered by a
bare Django view doing the same indexed lookup (--bare); the two alternate, so a
change in the machine's speed falls on both. The table gives each round's requests
per second and the lookup's share of the bare view's rate.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import first_contact  # bench/first_contact.py
import run as bench  # bench/run.py


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8, help="gunicorn's")
    parser.add_argument("--connections", type=int, default=32, help="wrk's")
    parser.add_argument("--duration", default="15s")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = (
        args.database_url or f"sqlite:///{bench.RESULTS / f'bench-{args.clients}.sqlite3'}"
    )
    bench._setup(database_url)
    rows = []
    for round_ in range(1, args.rounds + 1):
        rates = {}
        for bare in (True, False) if round_ % 2 else (False, True):
            args.bare = bare
            rates[bare] = first_contact.under_load(args, database_url)
        rows.append((round_, rates[True], rates[False]))
    print()
    print(
        f"{args.clients:,} clients on {bench._vendor()}; gunicorn {args.workers} workers, "
        f"wrk {args.connections} connections, {args.duration} a run"
    )
    print()
    print("| round | bare view req/s | caller lookup req/s | lookup / bare |")
    print("| ---: | ---: | ---: | ---: |")
    for round_, bare, real in rows:
        print(f"| {round_} | {bare:,.0f} | {real:,.0f} | {real / bare:.2f} |")
    ratio = statistics.median(real / bare for _, bare, real in rows)
    print(f"\nmedian lookup / bare: {ratio:.2f}")


if __name__ == "__main__":
    main()

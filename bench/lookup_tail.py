"""The caller lookup against a bare view doing the same indexed lookup, interleaved.

    .venv/bin/python bench/lookup_tail.py [--clients N] [--database-url URL] [--rounds N]

In one process, through Django's test client, each round asks the same number of
both: GET /api/v1/callers (bearer token, django-ninja, the scoped query, one audit
entry) and GET /bare/callers (a plain Django view: the same indexed phone lookup, no
token, no audit entry; bench/bare_urls.py). The two alternate request by request, so
whatever else the machine does falls on both alike; the table gives each one's
median, p95 and p99 and the ratio of the lookup to the bare view.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import first_contact  # bench/first_contact.py: the token and the numbers
import run as bench  # bench/run.py: seeding

WARM_UP = 200


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--requests", type=int, default=5000, help="Timed requests of each.")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def _quantiles(timings: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return statistics.median(timings), cuts[94], cuts[98]


def interleaved(numbers: list[str], token: str, requests: int) -> dict[str, list[float]]:
    from django.test import Client as TestClient

    client = TestClient()
    headers = {"Authorization": f"Bearer {token}"}
    paths = {"bare view": "/bare/callers", "caller lookup API": "/api/v1/callers"}
    timings = {name: [] for name in paths}
    for i in range(WARM_UP + requests):
        number = quote(numbers[i % len(numbers)])
        # Alternate which goes first, so neither always follows the other's write.
        order = list(paths.items()) if i % 2 else list(reversed(paths.items()))
        for name, path in order:
            started = time.perf_counter()
            response = client.get(f"{path}?number={number}", headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            if i >= WARM_UP:
                timings[name].append(elapsed)
    return timings


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "side_by_side_settings"
    bench._setup(
        args.database_url or f"sqlite:///{bench.RESULTS / f'bench-{args.clients}.sqlite3'}"
    )
    seed = bench.ensure_seeded(args.clients)
    rng = random.Random(args.seed)
    own, relations = first_contact.caller_numbers(rng, 500)
    numbers = [n for pair in zip(own, relations, strict=True) for n in pair]
    timings = interleaved(numbers, first_contact.bench_token(), args.requests)
    bare = _quantiles(timings["bare view"])
    print()
    print(f"{seed['clients']:,} clients on {seed['vendor']}, {args.requests} requests of each")
    print(f"(interleaved), load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print("| case | median ms | p95 ms | p99 ms | median / bare | p95 / bare | p99 / bare |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, values in timings.items():
        q = _quantiles(values)
        ratios = " | ".join(f"{a / b:.2f}" for a, b in zip(q, bare, strict=True))
        print(f"| {name} | {q[0]:.2f} | {q[1]:.2f} | {q[2]:.2f} | {ratios} |")


if __name__ == "__main__":
    main()

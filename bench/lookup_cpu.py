"""Where a caller lookup's CPU goes: the web process and the database server, per request.

    .venv/bin/python bench/lookup_cpu.py --database-url postgres://... [--clients N]
        [--requests 2000] [--profile 25]

Under load on a few cores, requests per second are CPU per request turned upside down,
and CPU is steadier than seconds on a shared machine. In one process, through
Django's test client, this asks the caller lookup (GET /api/v1/callers, bearer token,
django-ninja, the scoped query, one audit entry) and the bare view doing the same
indexed lookup (bench/bare_urls.py) in alternating blocks, and prints per request: the
web process's CPU (time.process_time), the PostgreSQL backend's CPU (read from
/proc/<its pid>/stat, so the server must run on this machine), the statements sent and
the transactions committed. With --profile N it then prints the N functions with the
most own time in the lookup (cProfile).
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import first_contact  # bench/first_contact.py: the token and the numbers
import run as bench  # bench/run.py: seeding

BLOCK = 100
PATHS = {"bare view": "/bare/callers", "caller lookup API": "/api/v1/callers"}


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=2000, help="Timed requests of each.")
    parser.add_argument("--profile", type=int, default=0, help="Top N functions (cProfile).")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def _backend_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Statements:
    """Counts the statements a connection sends, and its commits."""

    def __init__(self):
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        return execute(sql, params, many, context)


def measure(numbers, token, requests):
    from django.db import connection
    from django.test import Client as TestClient

    client = TestClient()
    headers = {"Authorization": f"Bearer {token}"}
    totals = {name: {"cpu": 0.0, "db": 0.0, "statements": 0, "n": 0} for name in PATHS}
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    for block in range(2 * requests // BLOCK):
        name, path = list(PATHS.items())[block % 2]
        total = totals[name]
        cpu, db = time.process_time(), _backend_cpu_seconds(backend)
        for i in range(BLOCK):
            number = quote(numbers[(block * BLOCK + i) % len(numbers)])
            response = client.get(f"{path}?number={number}", headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        total["cpu"] += time.process_time() - cpu
        total["db"] += _backend_cpu_seconds(backend) - db
        total["n"] += BLOCK
    # Counted apart: a statement counter (an execute wrapper) takes the hot statements
    # off their fast path (halte.core.sql.hot_cursor), so it would change what is timed.
    for name, path in PATHS.items():
        counter = _Statements()
        with connection.execute_wrapper(counter):
            client.get(f"{path}?number={quote(numbers[0])}", headers=headers)
        totals[name]["statements"] = counter.statements * totals[name]["n"]
    return totals


def profile(numbers, token, requests, top):
    from django.test import Client as TestClient

    client = TestClient()
    headers = {"Authorization": f"Bearer {token}"}
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for the server
    profiler.enable()
    for i in range(requests):
        client.get(f"/api/v1/callers?number={quote(numbers[i % len(numbers)])}", headers=headers)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "side_by_side_settings"
    bench._setup(args.database_url)
    seed = bench.ensure_seeded(args.clients)
    rng = random.Random(args.seed)
    own, relations = first_contact.caller_numbers(rng, 500)
    numbers = [n for pair in zip(own, relations, strict=True) for n in pair]
    token = first_contact.bench_token()
    measure(numbers, token, BLOCK)  # warm up
    totals = measure(numbers, token, args.requests)
    print()
    print(f"{seed['clients']:,} clients on {seed['vendor']}, {args.requests} requests of each")
    print(f"(alternating blocks of {BLOCK}), load average {os.getloadavg()[0]:.1f} at the end")
    print()
    print("| case | web CPU ms | database CPU ms | both ms | statements | both / bare |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    bare = totals["bare view"]
    bare_both = (bare["cpu"] + bare["db"]) / bare["n"]
    for name, total in totals.items():
        n = total["n"]
        web, db = total["cpu"] * 1000 / n, total["db"] * 1000 / n
        print(
            f"| {name} | {web:.2f} | {db:.2f} | {web + db:.2f} | "
            f"{total['statements'] / n:.1f} | {(web + db) / 1000 / bare_both:.2f} |"
        )
    if args.profile:
        profile(numbers, token, args.requests, args.profile)


if __name__ == "__main__":
    main()

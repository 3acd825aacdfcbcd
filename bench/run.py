"""Halte's benchmark: client search and the client page on a seeded database.

    .venv/bin/python bench/run.py [--clients N] [--database-url URL]

Seeds N clients with `manage.py seed_demo` into a database of its own (by default
bench/results/bench-N.sqlite3, reused when it already holds N clients), then requests
the real pages in-process through Django's test client, logged in as the front-office
demo user, so routing, access checks, audit entries and templates are all timed:

- search: GET /clienten/?q=... as htmx sends it while typing (the results partial);
- client page: GET /clienten/<id>/;
- and, to tell the database from the page around it, the search function alone
  (halte.clients.search.find_clients: parsing and queries, no audit, no template).

It prints median, p95 and p99 in milliseconds and the queries per request.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WARM_UP = 50


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--iterations",
        type=int,
        default=1000,
        help="Timed requests per lookup case (name search and page: 60%%).",
    )
    parser.add_argument("--seed", type=int, default=42, help="Picks the sample queries.")
    return parser.parse_args()


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    # Timings as in production: no query log in memory, no debug pages.
    os.environ["DEBUG"] = "false"
    # One bench token makes thousands of calls a minute: the per-token limit is counted
    # (its cost is in the numbers) but set out of reach.
    os.environ.setdefault("HALTE_API_TOKEN_RATE_PER_MINUTE", str(10**9))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- the database --------------------------------------------------------------------


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _seed_record(clients: int, prefix: str) -> Path:
    return RESULTS / f"{prefix}-{_vendor()}-{clients}.json"


def ensure_seeded(clients: int, *, record_prefix: str = "seed") -> dict:
    """Seed unless the database already holds exactly this demo; return the seed record
    (kept in bench/results/<record_prefix>-<vendor>-<clients>.json)."""
    from django.core.management import call_command

    from halte.clients.models import Client
    from halte.demo.seed import demo_exists

    call_command("migrate", verbosity=0)
    record = _seed_record(clients, record_prefix)
    if demo_exists() and Client.objects.count() == clients:
        if record.exists():
            return json.loads(record.read_text())
        # Seeded elsewhere (another checkout, a copy): never flush a database that
        # already holds what was asked for; at 1,000,000 clients that is 20 minutes.
        return {"clients": clients, "seed_seconds": float("nan"), "vendor": _vendor()}
    started = time.monotonic()
    call_command("seed_demo", clients=clients, seed=1, flush=demo_exists(), verbosity=1)
    data = {
        "clients": clients,
        "seed_seconds": round(time.monotonic() - started, 1),
        "vendor": _vendor(),
    }
    record.write_text(json.dumps(data))
    return data


def database_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(settings.DATABASES["default"]["NAME"])
        return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


# -- the samples ---------------------------------------------------------------------

# Typed the way people type them; the fixed demo clients make some of them certain hits.
FIXED_NAME_QUERIES = [
    "muller",
    "mueller",
    "ayse yilmaz",
    "riek vd berg",
    "van 't riet",
    "jansen",
    "de vries",
    "bakker",
    "janssen",
    "smit",
]


def _sample_clients(rng, count: int):
    from django.db.models import Max, Min

    from halte.clients.models import Client

    bounds = Client.objects.aggregate(low=Min("id"), high=Max("id"))
    ids = {rng.randint(bounds["low"], bounds["high"]) for _ in range(count)}
    return list(Client.objects.filter(id__in=ids).order_by("id"))


def _misspell(rng, word: str) -> str:
    """One typo after the first letter: swap, drop, double or replace a letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiouy") + word[i + 1 :]


def name_queries(rng, clients) -> list[str]:
    queries = list(FIXED_NAME_QUERIES)
    for client in clients:
        family = client.family_name
        surname = " ".join(p for p in [client.name_prefix, family] if p)
        first = (client.preferred_name or client.given_names).split()[0]
        shape = rng.randrange(5)
        if shape == 0:
            queries.append(surname)
        elif shape == 1:
            queries.append(family[: rng.randint(3, 5)].lower())
        elif shape == 2:
            queries.append(f"{first} {surname}")
        elif shape == 3 and len(family) >= 5:
            queries.append(_misspell(rng, family.lower()))
        else:
            queries.append(f"{first[:3].lower()} {family.lower()}")
    return queries


def postcode_queries(rng, clients) -> list[str]:
    shapes = [
        lambda c: f"{c.postcode[:4]} {c.postcode[4:]}",
        lambda c: c.postcode.lower(),
        lambda c: f"{c.postcode} {c.house_number}",
    ]
    return [rng.choice(shapes)(c) for c in clients if c.postcode]


def _notations(e164: str) -> list[str]:
    national = "0" + e164[3:]
    if national.startswith("06"):
        n = national
        return [
            n,
            f"{n[:2]}-{n[2:]}",
            f"+31 6 {n[2:]}",
            f"0031{n[1:]}",
            f"+31 (0)6 {n[2:6]} {n[6:]}",
            f"tel:{e164}",
        ]
    area, rest = national[:3], national[3:]
    return [
        national,
        f"{area}-{rest}",
        f"({area}) {rest[:3]} {rest[3:5]} {rest[5:]}",
        f"+31 {area[1:]} {rest}",
        f"0031{national[1:]}",
    ]


def phone_queries(rng, count: int, *, shared: bool) -> list[str]:
    """Numbers in various notations: personal numbers, or a GP practice's (shared)."""
    from django.db.models import Max

    from halte.clients.models import Phone, RelationKind

    high = Phone.objects.aggregate(high=Max("id"))["high"]
    picked: list[str] = []
    tries = 0
    while len(picked) < count and tries < count * 50:
        tries += 1
        rows = Phone.objects.filter(id=rng.randint(1, high)).values_list("e164", "relation__kind")
        for e164, kind in rows:
            if (kind == RelationKind.GP) == shared:
                picked.append(rng.choice(_notations(e164)))
    return picked


# -- measuring -----------------------------------------------------------------------


@dataclass
class Case:
    name: str
    items: list  # URLs, or queries for a function
    iterations: int
    run: Callable[[object], bool]  # one request or call; True when it found someone


@dataclass
class Result:
    name: str
    iterations: int
    median: float
    p95: float
    p99: float
    queries: str
    found: str


def page(client, *, htmx: bool = False) -> Callable[[str], bool]:
    headers = {"HX-Request": "true"} if htmx else {}

    def get(url: str) -> bool:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return b'href="/clienten/' in response.content or not htmx

    return get


def lookup(user) -> Callable[[str], bool]:
    """The search function alone: parsing and the database, no view, audit or template."""
    from halte.clients.search import find_clients

    return lambda query: bool(find_clients(user, query).clients)


def measure(case: Case) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    items = case.items
    for i in range(WARM_UP):
        case.run(items[i % len(items)])
    timings, found = [], 0
    for i in range(case.iterations):
        item = items[i % len(items)]
        started = time.perf_counter()
        found += case.run(item)
        timings.append((time.perf_counter() - started) * 1000)
    counts = []
    for item in items[:20]:
        with CaptureQueriesContext(connection) as queries:
            case.run(item)
        counts.append(len(queries))
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    spread = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
    return Result(
        case.name,
        case.iterations,
        statistics.median(timings),
        cuts[94],
        cuts[98],
        spread,
        f"{100 * found / case.iterations:.0f}%",
    )


def cases(rng, client, user, iterations: int) -> list[Case]:
    from django.urls import reverse

    search = reverse("clients:search")

    def urls(queries):
        return [f"{search}?q={quote(q)}" for q in queries]

    sample = _sample_clients(rng, 400)
    names = name_queries(rng, sample)
    rng.shuffle(names)
    postcodes = postcode_queries(rng, sample)
    phones = phone_queries(rng, 300, shared=False)
    gp_phones = phone_queries(rng, 50, shared=True)
    details = [reverse("clients:detail", args=[c.pk]) for c in _sample_clients(rng, 600)]
    slower = max(100, iterations * 6 // 10)
    live = page(client, htmx=True)
    return [
        Case("search page: name fragment", urls(names), slower, live),
        Case("search page: postcode", urls(postcodes), iterations, live),
        Case("search page: phone (personal)", urls(phones), iterations, live),
        Case(
            "search page: phone (GP practice, shared)",
            urls(gp_phones),
            max(100, iterations // 5),
            live,
        ),
        Case("client page", details, slower, page(client)),
        Case("lookup only: name fragment", names, slower, lookup(user)),
        Case("lookup only: postcode", postcodes, iterations, lookup(user)),
        Case("lookup only: phone (personal)", phones, iterations, lookup(user)),
        Case(
            "lookup only: phone (GP practice)", gp_phones, max(100, iterations // 5), lookup(user)
        ),
    ]


def _print_table(results: list[Result], seed: dict, size: int) -> None:
    print()
    print(
        f"{seed['clients']:,} clients on {seed['vendor']}; seeding took "
        f"{seed['seed_seconds']:.0f} s; database {size / 1e6:,.0f} MB"
    )
    print()
    print("| case | requests | median ms | p95 ms | p99 ms | queries | with results |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r.name} | {r.iterations} | {r.median:.1f} | {r.p95:.1f} | {r.p99:.1f} "
            f"| {r.queries} | {r.found} |"
        )


def main() -> None:
    args = _arguments()
    RESULTS.mkdir(parents=True, exist_ok=True)
    _setup(args.database_url or f"sqlite:///{RESULTS / f'bench-{args.clients}.sqlite3'}")
    from django.test import Client as TestClient

    from halte.core.models import User

    seed = ensure_seeded(args.clients)
    rng = random.Random(args.seed)
    user = User.objects.get(username="kcc")
    client = TestClient()
    client.force_login(user)
    results = [measure(case) for case in cases(rng, client, user, args.iterations)]
    size = database_size()
    _print_table(results, seed, size)
    out = RESULTS / f"result-{seed['vendor']}-{args.clients}.json"
    out.write_text(
        json.dumps(
            {"seed": seed, "db_bytes": size, "results": [r.__dict__ for r in results]}, indent=2
        )
    )


if __name__ == "__main__":
    main()

"""Halte's client-journey benchmark: one long waiting list.

    .venv/bin/python bench/journey.py [--clients N] [--database-url URL] [--waiting 5000]

Seeds N clients with `manage.py seed_demo` into a database of its own (by default
bench/results/journey-N.sqlite3, reused when it already holds N clients), then builds
one queue on purpose: `--waiting` clients of one team waiting for wijkverpleging, and
`--outflow` clients of the team who left that list for care over the last half
year (added once; the database is reused). It times, logged in as the demo planner:

- the query alone: halte.journey.queries.waiting_list for the first and the last
  page (positions for the whole queue, the outflow, the estimates, the page of
  entries with their clients, the audit entries of the clients shown);
- the page: GET /traject/wachtlijst/?product=...&team=... through Django's test
  client (routing, session, access, query, template), first and last page.

It prints median, p95 and p99 in milliseconds and the queries per request.
"""

import argparse
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py, next to this file

PRODUCT = "wijkverpleging"
TEAM = "Wijkteam Utrecht-Zuilen"


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--waiting", type=int, default=5000, help="Clients in the queue.")
    parser.add_argument("--outflow", type=int, default=650, help="Left it for care in 26 weeks.")
    return parser.parse_args()


# -- the data ------------------------------------------------------------------------


def ensure_queue(waiting: int, outflow: int):
    """The benchmark's queue: (product, team), filled up to `waiting` once."""
    from django.db import transaction

    from halte.clients.models import Client
    from halte.core.models import Team
    from halte.demo.clients.generate import Draft
    from halte.demo.seed import journey_seeder
    from halte.journey.models import CareProduct, WaitingListEntry

    product = CareProduct.objects.get(code=PRODUCT)
    team = Team.objects.get(name=TEAM)
    entries = WaitingListEntry.objects.filter(product=product, team=team)
    missing = waiting - entries.filter(left_on=None).count()
    if missing <= 0:
        return product, team
    # Clients of the team with no stay on this list yet: the outflow first.
    taken = entries.values("client_id")
    free = (
        Client.objects.filter(team=team)
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", "city")[: missing + outflow]
    )
    drafts = [Draft(Client(pk=pk, team_id=team.pk, city=city)) for pk, city in free]
    if len(drafts) < missing + outflow:
        raise SystemExit(f"{TEAM} has too few clients for a queue of {waiting}.")
    journeys = journey_seeder(seed=7, queue_limit=None, open_limit=None)
    with transaction.atomic():
        journeys.add_queue(drafts, product, team.pk, outflow=outflow)
        journeys.write()
        journeys.finish()
    print(f"added {missing:,} waiting and {outflow} left for care", file=sys.stderr)
    return product, team


# -- the cases -----------------------------------------------------------------------


def cases(product, team, iterations: int) -> list:
    from django.test import Client as TestClient
    from django.urls import reverse

    from halte.audit.context import Actor
    from halte.core.models import User
    from halte.journey import queries
    from halte.journey.views import WAITING_PAGE_SIZE

    planner = User.objects.get(username="planner")
    actor = Actor(planner, source_ip="127.0.0.1")
    listing = queries.waiting_list(actor, product, team, page=1, per_page=WAITING_PAGE_SIZE)
    last = max(1, math.ceil(listing.waiting / WAITING_PAGE_SIZE))
    print(
        f"queue: {listing.waiting:,} waiting, {listing.active:,} active, outflow "
        f"{listing.outflow.started} in {listing.outflow.weeks} weeks; last page {last}",
        file=sys.stderr,
    )

    def query(page: int) -> bool:
        result = queries.waiting_list(actor, product, team, page=page, per_page=WAITING_PAGE_SIZE)
        return bool(result.rows)

    browser = TestClient()
    browser.force_login(planner)
    url = reverse("journey:waiting_list") + f"?product={product.code}&team={team.pk}"
    page = bench.page(browser)
    slower = max(50, iterations // 2)
    return [
        bench.Case("waiting_list query: first page", [1], iterations, query),
        bench.Case(f"waiting_list query: last page ({last})", [last], iterations, query),
        bench.Case("waiting-list page: first page", [url], slower, page),
        bench.Case(f"waiting-list page: last page ({last})", [f"{url}&page={last}"], slower, page),
    ]


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench.RESULTS / f'journey-{args.clients}.sqlite3'}"
    bench._setup(args.database_url or default)
    seed = bench.ensure_seeded(args.clients, record_prefix="journey-seed")
    product, team = ensure_queue(args.waiting, args.outflow)
    results = [bench.measure(case) for case in cases(product, team, args.iterations)]
    size = bench.database_size()
    bench._print_table(results, seed, size)
    out = bench.RESULTS / f"journey-{seed['vendor']}-{args.clients}.json"
    out.write_text(
        json.dumps({"seed": seed, "db_bytes": size, "results": [r.__dict__ for r in results]})
    )


if __name__ == "__main__":
    main()

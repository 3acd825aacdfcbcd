"""Halte's first-contact benchmark: caller recognition and the agent's client card.

    .venv/bin/python bench/first_contact.py [--clients N] [--database-url URL]
    .venv/bin/python bench/first_contact.py --clients N --load [--port 8765]

On the database bench/run.py seeds (the same file, reused), it times in-process,
through Django's test client:

- caller lookup: GET /api/v1/callers?number=... with a bearer token of `kcc`, for
  numbers of clients and of relations in varied notations (routing, token check,
  the query, one audit entry per lookup naming the clients shown, JSON);
- client card: GET /werkplek/clienten/<id>/ logged in as `kcc`, for a sample of 50
  clients that are given 200 past contacts each (once; the database is reused).

With --load it serves the database with gunicorn (2 workers) on loopback and
drives the lookup endpoint with wrk (2 threads, 16 connections, 20 s), numbers
varied by a Lua script; it prints wrk's report, the CPU time gunicorn's workers
spent per request (on a shared machine steadier than requests/s), and stops gunicorn.
With --load --bare the same path is answered by a bare Django view (bench/bare_urls.py),
for this machine's ceiling at that moment.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py, next to this file

CARD_CLIENTS = 50
CARD_CONTACTS = 200
BENCH_TOKEN_NAME = "bench first contact"  # noqa: S105 - a name, not a secret
LOAD_NUMBERS = 2000


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7, help="Picks the sample numbers.")
    parser.add_argument("--load", action="store_true", help="gunicorn + wrk instead.")
    parser.add_argument(
        "--bare", action="store_true", help="With --load: serve a bare view (bench/bare_urls.py)."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duration", default="20s")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="With --load: gunicorn's.")
    return parser.parse_args()


# -- the data ------------------------------------------------------------------------


def bench_token() -> str:
    """A fresh bearer token for kcc; older bench tokens are revoked."""
    from halte.api.models import ApiToken
    from halte.api.services import api_token_create, api_tokens_revoke
    from halte.audit.context import Actor
    from halte.core.api.scopes import Scope
    from halte.core.models import User

    bench = Actor.system("bench")
    api_tokens_revoke(actor=bench, tokens=ApiToken.objects.filter(name=BENCH_TOKEN_NAME))
    kcc = User.objects.get(username="kcc")
    _, token = api_token_create(
        actor=bench, user=kcc, name=BENCH_TOKEN_NAME, scopes=[Scope.CONTACTS_READ]
    )
    return token


def caller_numbers(rng, count: int) -> tuple[list[str], list[str]]:
    """(numbers of clients, numbers of relations other than GPs), in varied notations."""
    from django.db.models import Max

    from halte.clients.models import Phone, RelationKind

    high = Phone.objects.aggregate(high=Max("id"))["high"]
    own, relations = [], []
    while len(own) < count or len(relations) < count:
        ids = [rng.randint(1, high) for _ in range(200)]
        rows = Phone.objects.filter(id__in=ids).values_list("e164", "relation_id", "relation__kind")
        for e164, relation_id, kind in rows:
            notation = rng.choice(bench._notations(e164))
            if relation_id is None and len(own) < count:
                own.append(notation)
            elif relation_id is not None and kind != RelationKind.GP and len(relations) < count:
                relations.append(notation)
    return own, relations


def card_clients(rng) -> list[int]:
    """CARD_CLIENTS clients in care, each with CARD_CONTACTS past contacts (added once)."""
    from django.db.models import Count

    from halte.clients.models import ClientStatus
    from halte.contact.models import Interaction

    sample = bench._sample_clients(rng, CARD_CLIENTS * 2)
    ids = [c.pk for c in sample if c.status == ClientStatus.IN_CARE][:CARD_CLIENTS]
    have = dict(
        Interaction.objects.filter(client_id__in=ids)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    missing = {pk: CARD_CONTACTS - have.get(pk, 0) for pk in ids if have.get(pk, 0) < CARD_CONTACTS}
    if missing:
        _add_contacts(rng, missing)
    return ids


def _add_contacts(rng, missing: dict[int, int]) -> None:
    from django.db import transaction
    from django.utils import timezone

    from halte.contact.models import Interaction, InteractionStatus
    from halte.core.models import User
    from halte.demo.contact.seeder import CONTACT_TEXTS

    staff = list(User.objects.filter(role="front_office").values_list("id", flat=True))
    now = timezone.now()
    rows = []
    for client_id, count in missing.items():
        for _ in range(count):
            channel, direction, topic, summary, outcome = rng.choice(CONTACT_TEXTS)[:5]
            at = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
            rows.append(
                Interaction(
                    client_id=client_id,
                    channel=channel,
                    direction=direction,
                    topic=topic,
                    summary=summary,
                    outcome=outcome,
                    status=InteractionStatus.COMPLETED,
                    staff_id=rng.choice(staff),
                    occurred_at=at,
                )
            )
    with transaction.atomic():
        Interaction.objects.bulk_create(rows, batch_size=500)
    print(f"added {len(rows):,} contacts to {len(missing)} clients", file=sys.stderr)


# -- in-process ----------------------------------------------------------------------


def api_get(client, token: str):
    headers = {"Authorization": f"Bearer {token}"}

    def get(url: str) -> bool:
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return bool(json.loads(response.content)["matches"])

    return get


def cases(rng, token: str, iterations: int) -> list:
    from django.test import Client as TestClient
    from django.urls import reverse

    from halte.core.models import User

    api = TestClient()
    own, relations = caller_numbers(rng, 500)
    mixed = [n for pair in zip(own, relations, strict=True) for n in pair]
    browser = TestClient()
    browser.force_login(User.objects.get(username="kcc"))
    cards = [reverse("contact:card", args=[pk]) for pk in card_clients(rng)]

    def urls(numbers):
        return [f"/api/v1/callers?number={quote(n)}" for n in numbers]

    get = api_get(api, token)
    return [
        bench.Case("caller lookup API: client's number", urls(own), iterations, get),
        bench.Case("caller lookup API: relation's number", urls(relations), iterations, get),
        bench.Case("caller lookup API: mixed", urls(mixed), iterations, get),
        bench.Case(
            f"client card ({CARD_CONTACTS} past contacts)",
            cards,
            max(200, iterations // 2),
            bench.page(browser),
        ),
    ]


def in_process(args) -> None:
    seed = bench.ensure_seeded(args.clients)
    rng = random.Random(args.seed)
    results = [bench.measure(case) for case in cases(rng, bench_token(), args.iterations)]
    size = bench.database_size()
    bench._print_table(results, seed, size)
    out = bench.RESULTS / f"first-contact-{seed['vendor']}-{args.clients}.json"
    out.write_text(
        json.dumps({"seed": seed, "db_bytes": size, "results": [r.__dict__ for r in results]})
    )


# -- under load ----------------------------------------------------------------------

LUA = """
local numbers = {%s}
local token = "%s"
local i = 0
request = function()
  i = i + 1
  local n = numbers[(i %% #numbers) + 1]
  return wrk.format("GET", "/api/v1/callers?number=" .. n, {["Authorization"] = "Bearer " .. token})
end
"""


def _lua(numbers: list[str], token: str) -> Path:
    quoted = ", ".join(json.dumps(quote(n)) for n in numbers)
    path = bench.RESULTS / "callers.lua"
    path.write_text(LUA % (quoted, token))
    return path


def _wait_for(port: int, token: str, timeout: float = 30.0) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/callers?number=0612345678",
        headers={"Authorization": f"Bearer {token}"},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer")


def _workers_usage(server) -> tuple[float, float, int]:
    """User and system CPU seconds and voluntary context switches of gunicorn's workers
    so far, all their threads (Linux /proc). A worker that waits for a lock or sleeps
    switches out voluntarily; one that answers requests back to back hardly does."""
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    user = system = switches = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user += int(fields[11])
        system += int(fields[12])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    switches += int(line.split()[1])
    return user / tick, system / tick, switches


def _wrk(args, script: Path, duration: str) -> str:
    result = subprocess.run(  # noqa: S603
        [
            "/usr/bin/wrk",
            "-t2",
            f"-c{args.connections}",
            f"-d{duration}",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{args.port}/api/v1/callers",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(result.stdout, flush=True)
    return result.stdout


def under_load(args, database_url: str) -> float:
    """Serve, drive with wrk, print its report; the measured requests per second."""
    bench.ensure_seeded(args.clients)
    rng = random.Random(args.seed)
    own, relations = caller_numbers(rng, LOAD_NUMBERS // 2)
    numbers = [n for pair in zip(own, relations, strict=True) for n in pair]
    token = bench_token()
    script = _lua(numbers, token)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        # wrk's one token: the per-token limit is counted but out of reach.
        "HALTE_API_TOKEN_RATE_PER_MINUTE": str(10**9),
    }
    if args.bare:
        env["DJANGO_SETTINGS_MODULE"] = "bare_settings"
    log = open(bench.RESULTS / "gunicorn.log", "w")  # noqa: SIM115 - lives with the server
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(bench.ROOT / ".venv" / "bin" / "gunicorn"),
            "halte.wsgi",
            "-w",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--pythonpath",
            str(bench.ROOT / "bench"),
        ],
        cwd=bench.ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        _wait_for(args.port, token)
        print("-- wrk (warm-up)", flush=True)
        _wrk(args, script, "5s")
        print("-- wrk (measured)", flush=True)
        before = _workers_usage(server)
        started = time.monotonic()
        report = _wrk(args, script, args.duration)
        wall = time.monotonic() - started
        user, system, switches = (
            a - b for a, b in zip(_workers_usage(server), before, strict=True)
        )
        requests = int(report.split(" requests in ")[0].split()[-1])
        print(
            f"gunicorn workers' CPU per request: {(user + system) / requests * 1000:.2f} ms"
            f" (user {user / requests * 1000:.2f}, system {system / requests * 1000:.2f})",
            flush=True,
        )
        print(f"gunicorn workers' CPU in use: {(user + system) / wall:.2f} cores", flush=True)
        print(f"gunicorn workers' voluntary switches per request: {switches / requests:.2f}")
        return requests / wall
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench.RESULTS / f'bench-{args.clients}.sqlite3'}"
    database_url = args.database_url or default
    bench._setup(database_url)
    if args.load:
        under_load(args, database_url)
    else:
        in_process(args)


if __name__ == "__main__":
    main()

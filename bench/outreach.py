"""Halte's outreach benchmark: messages through a real SMTP server, the promise job,
and what an event subscription costs the request that publishes.

    .venv/bin/python bench/outreach.py send [--messages 10000] [--workers 1 2] [--runs 1]
    .venv/bin/python bench/outreach.py send --queue rq [--rq-simple-worker] [--redis-url URL]
    .venv/bin/python bench/outreach.py promises [--promises 100000] [--runs 5]
    .venv/bin/python bench/outreach.py publish [--requests 1000]
    (each with --database-url postgres://... for PostgreSQL)

On a database of its own (bench/results/outreach-N.sqlite3 by default, seeded with
`manage.py seed_demo --clients N`, 10,000 by default, reused while it holds them):

- send: an SMTP server (aiosmtpd, in a process of its own, answering at once and
  counting each Message-ID) and 1 or 2 task workers (`manage.py db_worker`, or
  `manage.py rqworker` with --queue rq: real processes, started and idle first).
  N queued email messages are bulk-created (not timed), then their send tasks are
  enqueued one by one as the outbox does (`halte.outreach.tasks.enqueue_send`, one
  commit each). Timed from the first enqueue to the last arrival at the server:
  messages per second end to end, the workers' CPU per message, and a check that
  every message arrived exactly once (no Message-ID missing, none twice) and that
  the outbox says `sent` for each.
- promises: `halte.contact.services.publish_promises_due` for one 5-minute slot over
  100,000 open promises (added once; due times spread over four weeks, a share of them
  at 17:00), timed with the promise events' subscribers as registered and with them
  removed (`halte.core.events.unsubscribe`), for a quiet slot and the 17:00 slot.
  Seconds, statements and events per run.
- publish: POST /api/v1/referrals (the referral registered, ReferralReceived
  published; outreach's subscriber enqueues one `compose_for_event` task after the
  commit) with the subscriber and without it, interleaved request by request, and
  the bare Django view of bench/bare_urls.py beside them as the machine's reference.
  Median and p95 in ms, and the subscriber's call alone.
"""

import argparse
import json
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # bench/run.py, next to this file

KEY_PREFIX = "bench-outreach"
SUBJECT = "Uw aanmelding is ontvangen"
BODY = (
    "Beste mevrouw De Vries,\n\n"
    "Wij hebben uw aanmelding voor wijkverpleging ontvangen. Binnen twee werkdagen belt "
    "iemand van Wijkteam Utrecht-Zuilen u om een afspraak te maken voor een eerste "
    "gesprek. In dat gesprek kijken we samen welke zorg u nodig heeft.\n\n"
    "Heeft u vragen? Bel ons op 033 461 23 45, op werkdagen van 8.00 tot 17.00 uur.\n\n"
    "Met vriendelijke groet,\nZorggroep De Halte\n"
)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["send", "promises", "publish"])
    parser.add_argument("--clients", type=int, default=10_000, help="Seeded clients.")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--queue", choices=["database", "rq"], default="database")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="With --queue rq: the Redis server; the benchmark holds a database of its own "
        "(15 down to 1) as the test runs do (conftest.py), so neither empties the other's.",
    )
    parser.add_argument(
        "--rq-simple-worker",
        action="store_true",
        help="With --queue rq: rq.worker.SimpleWorker, which runs each job in the worker "
        "itself instead of a forked child (not what the README runs).",
    )
    parser.add_argument("--runs", type=int, default=1, help="send: rounds; promises: timings.")
    parser.add_argument("--promises", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=1000, help="publish: per case.")
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} CPUs"


# -- the SMTP server: a process of its own, counting Message-IDs ----------------------

MESSAGE_ID = re.compile(rb"^message-id:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Counting:
    """Takes every message at once and counts its Message-ID; nothing is parsed or kept."""

    def __init__(self, arrived, last_arrival):
        self.ids: Counter = Counter()
        self.arrived = arrived
        self.last_arrival = last_arrival

    async def handle_DATA(self, server, session, envelope):
        headers = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(headers)
        self.ids[found.group(1).decode() if found else "?"] += 1
        self.arrived.value += 1
        self.last_arrival.value = time.time()
        return "250 OK"


def _smtp_server(port, arrived, last_arrival, control) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = _Counting(arrived, last_arrival)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while True:
        command = control.recv()
        if command == "ids":
            control.send(dict(handler.ids))
            handler.ids.clear()
        elif command == "stop":
            controller.stop()
            return


class SmtpServer:
    def __init__(self):
        context = multiprocessing.get_context("spawn")  # nothing of Django's inherited
        self.port = _free_port()
        self.arrived = context.Value("l", 0, lock=False)
        self.last_arrival = context.Value("d", 0.0, lock=False)
        self.control, theirs = context.Pipe()
        self.process = context.Process(
            target=_smtp_server,
            args=(self.port, self.arrived, self.last_arrival, theirs),
            daemon=True,
        )
        self.process.start()
        if self.control.recv() != "ready":
            raise RuntimeError("the SMTP server did not start")

    def take_ids(self) -> dict:
        self.control.send("ids")
        ids = self.control.recv()
        self.arrived.value = 0
        return ids

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.control.send("stop")
        self.process.join(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and of its children that ended (an RQ
    worker forks a child per job) so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


# -- the workers ---------------------------------------------------------------------


def _worker_command(queue: str, index: int, *, simple: bool = False) -> list[str]:
    manage = [sys.executable, str(bench.ROOT / "manage.py")]
    if queue == "rq":
        # As the README runs it in production (unless `simple`).
        command = [
            *manage,
            "rqworker",
            "default",
            "--job-class",
            "django_tasks_rq.backend.Job",
            "--with-scheduler",
        ]
        return [*command, "--worker-class", "rq.worker.SimpleWorker"] if simple else command
    return [
        *manage,
        "db_worker",
        "--queue-name",
        "default",
        "--no-startup-delay",
        "--worker-id",
        f"bench-{index}",
    ]


def start_workers(
    count: int, queue: str, env: dict, *, simple: bool = False
) -> list[subprocess.Popen]:
    log = open(bench.RESULTS / "outreach-workers.log", "a")  # noqa: SIM115 - lives with them
    return [
        subprocess.Popen(  # noqa: S603 - our own command line
            _worker_command(queue, i, simple=simple),
            cwd=bench.ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        for i in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


# -- send ----------------------------------------------------------------------------


def _clear_queue() -> None:
    """The messages of earlier runs and their send tasks."""
    from halte.outreach.models import Message

    Message.objects.filter(idempotency_key__startswith=KEY_PREFIX).delete()
    _clear_tasks("halte.outreach.tasks.send_message")


def make_messages(count: int, run: str) -> list:
    """`count` queued email messages to the seeded clients (bulk-created, not timed)."""
    from django.db import transaction
    from django.utils import timezone

    from halte.clients.models import Client
    from halte.outreach.models import Message, MessageChannel, MessageStatus, Trigger

    clients = list(Client.objects.order_by("pk").values_list("pk", flat=True)[:count])
    now = timezone.now()
    rows = [
        Message(
            client_id=clients[i % len(clients)],
            recipient_name="Mevrouw De Vries",
            channel=MessageChannel.EMAIL,
            address=f"client{i}@example.org",
            language="nl",
            trigger=Trigger.REFERRAL_RECEIVED,
            subject=SUBJECT,
            body=BODY,
            status=MessageStatus.QUEUED,
            idempotency_key=f"{KEY_PREFIX}:{run}:{i}",
            send_after=now,
        )
        for i in range(count)
    ]
    with transaction.atomic():
        return Message.objects.bulk_create(rows, batch_size=1000)


def _wait_for_arrivals(server: SmtpServer, count: int, *, stall: float = 120.0) -> bool:
    """Until `count` messages arrived; False when none arrived for `stall` seconds."""
    seen, since = -1, time.monotonic()
    while server.arrived.value < count:
        if server.arrived.value != seen:
            seen, since = server.arrived.value, time.monotonic()
        elif time.monotonic() - since > stall:
            return False
        time.sleep(0.05)
    return True


def send_run(server: SmtpServer, workers: int, args, env: dict, run: str) -> dict:
    from halte.outreach import tasks
    from halte.outreach.channels.email import message_id
    from halte.outreach.models import Message, MessageStatus

    _clear_queue()
    processes = start_workers(workers, args.queue, env, simple=args.rq_simple_worker)
    try:
        # Warm-up: one message per worker, sent before the clock starts, so that the
        # workers are up, connected and have imported what sending needs.
        for message in make_messages(workers * 2, f"{run}-warm"):
            tasks.enqueue_send(message)
        if not _wait_for_arrivals(server, workers * 2, stall=60):
            raise RuntimeError("the workers did not send the warm-up messages")
        server.take_ids()
        messages = make_messages(args.messages, run)
        expected = {message_id(m) for m in messages}
        cpu_before = sum(_cpu_seconds(p.pid) for p in processes)
        smtp_before = server.cpu_seconds()
        started = time.time()
        for message in messages:
            tasks.enqueue_send(message)
        enqueued = time.time()
        complete = _wait_for_arrivals(server, args.messages)
        # A message sent twice would arrive after the last expected one: wait a little.
        time.sleep(2)
        last = server.last_arrival.value
        cpu = sum(_cpu_seconds(p.pid) for p in processes) - cpu_before
        smtp_cpu = server.cpu_seconds() - smtp_before
    finally:
        stop_workers(processes)
    ids = server.take_ids()
    statuses = Counter(
        Message.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}:{run}:").values_list(
            "status", flat=True
        )
    )
    arrived = sum(ids.values())
    seconds = last - started
    return {
        "queue": f"{args.queue} (SimpleWorker)" if args.rq_simple_worker else args.queue,
        "workers": workers,
        "messages": args.messages,
        "enqueue_s": enqueued - started,
        "seconds": seconds,
        "per_second": args.messages / seconds if complete else float("nan"),
        "worker_cpu_ms": cpu / args.messages * 1000,
        "smtp_cpu_ms": smtp_cpu / args.messages * 1000,
        "arrived": arrived,
        "missing": len(expected - ids.keys()),
        "twice": sum(1 for key, n in ids.items() if n > 1),
        "unexpected": len(ids.keys() - expected),
        "sent": statuses.get(MessageStatus.SENT, 0),
        "complete": complete,
        "load": _load(),
    }


def send(args, database_url: str) -> None:
    bench.ensure_seeded(args.clients, record_prefix="outreach-seed")
    server = SmtpServer()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "halte.settings",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "false",
    }
    results = []
    try:
        for round_ in range(args.runs):
            for workers in args.workers:
                run = f"{int(time.time())}-{round_}-{workers}"
                print(f"-- {args.queue} queue, {workers} worker(s), {_load()}", file=sys.stderr)
                result = send_run(server, workers, args, env, run)
                print(json.dumps(result), file=sys.stderr)
                results.append(result)
    finally:
        server.stop()
    _clear_queue()
    vendor = bench._vendor()
    print()
    print(f"{args.messages:,} email messages on {vendor}, {args.queue} queue")
    print()
    print(
        "| queue | database | workers | enqueue s | first enqueue to last arrival s "
        "| messages/s | workers' CPU ms/message | SMTP server CPU ms/message "
        "| arrived once | missing | twice | outbox `sent` | load (1 min) |"
    )
    print(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for r in results:
        once = r["arrived"] - r["twice"]
        print(
            f"| {r['queue']} | {vendor} | {r['workers']} | {r['enqueue_s']:.1f} "
            f"| {r['seconds']:.1f} | {r['per_second']:.0f} | {r['worker_cpu_ms']:.1f} "
            f"| {r['smtp_cpu_ms']:.2f} | {once:,} | {r['missing']} | {r['twice']} "
            f"| {r['sent']:,} | {r['load'].split()[2]} |"
        )
    out = bench.RESULTS / f"outreach-send-{args.queue}-{vendor}.json"
    out.write_text(json.dumps(results, indent=2))


# -- promises ------------------------------------------------------------------------

PROMISE_TEXT = "Bench: terugbellen over de planning"


def _anchor():
    """Midnight at the start of the day after tomorrow, local time: every bench promise
    is due after it (a promise is due after it was made)."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    day = today + datetime.timedelta(days=2)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def ensure_promises(total: int, rng) -> dict:
    """Open promises up to `total`: those of the demo and bench ones due over four
    weeks from the anchor, on working days between 08:00 and 18:00 at 5-minute steps,
    a quarter of them at 17:00 ('before the end of the day')."""
    import datetime

    from django.db import transaction

    from halte.clients.models import Client
    from halte.contact.models import Commitment, CommitmentKind, CommitmentStatus
    from halte.core.models import Team, User

    anchor = _anchor()
    bench_rows = Commitment.objects.filter(description=PROMISE_TEXT)
    stale = bench_rows.filter(due_at__lt=anchor).exists()
    if stale:  # made on an earlier day: their due times have moved into the past
        bench_rows.delete()
    have = Commitment.objects.filter(status=CommitmentStatus.OPEN).count()
    missing = total - have
    if missing > 0:
        clients = list(Client.objects.values_list("pk", flat=True))
        staff = list(User.objects.filter(role="front_office").values_list("pk", flat=True))
        teams = list(Team.objects.values_list("pk", flat=True))
        creator = staff[0]
        rows = []
        for _ in range(missing):
            day = anchor + datetime.timedelta(days=rng.randrange(28))
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            if rng.random() < 0.25:
                due = day.replace(hour=17)
            else:
                due = day + datetime.timedelta(minutes=8 * 60 + 5 * rng.randrange(120))
            by_team = rng.random() < 0.3
            rows.append(
                Commitment(
                    client_id=rng.choice(clients),
                    kind=CommitmentKind.CALLBACK,
                    description=PROMISE_TEXT,
                    owner_user_id=None if by_team else rng.choice(staff),
                    owner_team_id=rng.choice(teams) if by_team else None,
                    due_at=due,
                    created_by_id=creator,
                )
            )
        with transaction.atomic():
            Commitment.objects.bulk_create(rows, batch_size=2000)
        print(f"added {len(rows):,} open promises", file=sys.stderr)
    return {"open": Commitment.objects.filter(status=CommitmentStatus.OPEN).count()}


def _slots():
    """(name, since, until): two 5-minute slots of a working day a week after the
    anchor. At 10:30 an ordinary one (the promises due at 11:30 come within the hour,
    those due at 10:30 pass it); at 17:00 the busiest, when the day's 17:00 promises
    pass their due time."""
    import datetime

    day = _anchor() + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    five = datetime.timedelta(minutes=5)
    return [
        (f"{start:%H:%M}-{start + five:%H:%M}", start, start + five)
        for start in (day.replace(hour=10, minute=30), day.replace(hour=17))
    ]


def _promise_subscribers() -> dict:
    from halte.contact.events import PromiseNearlyDue, PromiseOverdue
    from halte.core import events

    return {
        cls: list(events.subscribers_of(cls, in_transaction=True))
        for cls in (PromiseNearlyDue, PromiseOverdue)
    }


class _without:
    """The promise events' subscribers removed for the length of the block."""

    def __init__(self, subscribers: dict):
        self.subscribers = subscribers

    def __enter__(self):
        from halte.core import events

        for cls, handlers in self.subscribers.items():
            for handler in handlers:
                events.unsubscribe(cls, handler)

    def __exit__(self, *exc):
        from halte.core import events

        for cls, handlers in self.subscribers.items():
            for handler in handlers:
                events.subscribe(cls, handler, in_transaction=True)


def _undo_subscribers_work() -> None:
    """What the subscribers wrote on an earlier run (notices, their email tasks), so
    that each run does the same work as the first."""
    from django.apps import apps

    try:
        notification = apps.get_model("outreach", "StaffNotification")
    except LookupError:
        return
    notification.objects.filter(commitment__description=PROMISE_TEXT).delete()
    _clear_tasks("halte.outreach.chasing.send_notification_email")


def promises(args, database_url: str) -> None:
    import datetime

    from django.db import connection

    from halte.contact.models import Commitment, CommitmentStatus, ServiceLevelPolicy
    from halte.contact.services import publish_promises_due

    bench.ensure_seeded(args.clients, record_prefix="outreach-seed")
    counts = ensure_promises(args.promises, random.Random(args.seed))
    warn_before = datetime.timedelta(minutes=ServiceLevelPolicy.current().warn_before_minutes)
    subscribers = _promise_subscribers()
    names = sorted({bench_name(h) for hs in subscribers.values() for h in hs})
    print(f"promise subscribers: {names or 'none'}; {counts['open']:,} open", file=sys.stderr)
    cases = [("with subscribers", None)] if names else []
    cases.append(("without subscribers", _without(subscribers)))
    rows = []
    for slot_name, since, until in _slots():
        timings = {name: [] for name, _ in cases}
        queries, events = {}, {}
        for _ in range(args.runs):
            for name, context in cases:
                _undo_subscribers_work()
                statements = _Statements()
                with context or _nothing(), connection.execute_wrapper(statements):
                    started = time.perf_counter()
                    published = publish_promises_due(
                        since=since, until=until, warn_before=warn_before
                    )
                    timings[name].append(time.perf_counter() - started)
                queries[name] = statements.count
                events[name] = published
        for name, _ in cases:
            rows.append(
                (
                    slot_name,
                    name,
                    events[name],
                    statistics.median(timings[name]),
                    min(timings[name]),
                    max(timings[name]),
                    queries[name],
                )
            )
    _undo_subscribers_work()
    vendor = bench._vendor()
    open_count = Commitment.objects.filter(status=CommitmentStatus.OPEN).count()
    print()
    print(f"{open_count:,} open promises on {vendor}; warning {warn_before}; {args.runs} runs")
    print(_load())
    print(f"subscribers: {', '.join(names) or 'none'}")
    print()
    print("| slot | subscribers | events | median s | fastest s | slowest s | statements |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for slot, name, n, median, low, high, q in rows:
        print(f"| {slot} | {name} | {n} | {median:.3f} | {low:.3f} | {high:.3f} | {q} |")
    out = bench.RESULTS / f"outreach-promises-{vendor}.json"
    out.write_text(json.dumps(rows, default=str, indent=2))


def bench_name(handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


class _Statements:
    """Counts the statements run (CaptureQueriesContext keeps at most 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


# -- publish -------------------------------------------------------------------------

BENCH_TOKEN_NAME = "bench outreach"  # noqa: S105 - a name, not a secret


def _planner_token() -> str:
    from halte.api.models import ApiToken
    from halte.api.services import api_token_create, api_tokens_revoke
    from halte.audit.context import Actor
    from halte.core.api.scopes import Scope
    from halte.core.models import User

    bench = Actor.system("bench")
    api_tokens_revoke(actor=bench, tokens=ApiToken.objects.filter(name=BENCH_TOKEN_NAME))
    planner = User.objects.get(username="planner")
    _, token = api_token_create(
        actor=bench, user=planner, name=BENCH_TOKEN_NAME, scopes=[Scope.JOURNEY_WRITE]
    )
    return token


def _timed(run, item) -> tuple[float, float]:
    """Wall-clock and this process's CPU milliseconds of one call. On a busy machine the
    CPU time is the steadier: it leaves out the waits for a core."""
    started, cpu = time.perf_counter(), time.process_time()
    run(item)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def publish(args, database_url: str) -> None:
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from halte.clients.models import Client
    from halte.core import events
    from halte.journey.events import ReferralReceived
    from halte.journey.models import CareProduct
    from halte.outreach import triggers

    bench.ensure_seeded(args.clients, record_prefix="outreach-seed")
    rng = random.Random(args.seed)
    token = _planner_token()
    product = CareProduct.objects.filter(active=True).order_by("pk").first().code
    clients = list(Client.objects.filter(team__isnull=False).values_list("pk", flat=True)[:5000])
    rng.shuffle(clients)
    numbers = bench.phone_queries(rng, 200, shared=False)
    api = TestClient()
    headers = {"Authorization": f"Bearer {token}"}
    subscribed = [
        bench_name(h) for h in events.subscribers_of(ReferralReceived, in_transaction=True)
    ]
    print(f"ReferralReceived subscribers (in the transaction): {subscribed}", file=sys.stderr)
    if triggers.on_event not in events.subscribers_of(ReferralReceived, in_transaction=True):
        raise RuntimeError("outreach does not subscribe to ReferralReceived")

    def register(client_id: int) -> None:
        response = api.post(
            "/api/v1/referrals",
            {"client_id": client_id, "source": "gp", "product": product},
            content_type="application/json",
            headers=headers,
        )
        if response.status_code != 201:
            raise RuntimeError(f"POST /api/v1/referrals answered {response.status_code}")

    def with_subscriber(client_id: int) -> None:
        events.subscribe(ReferralReceived, triggers.on_event, in_transaction=True)
        register(client_id)

    def without_subscriber(client_id: int) -> None:
        events.unsubscribe(ReferralReceived, triggers.on_event)
        register(client_id)

    def bare(number: str) -> None:
        response = api.get("/api/v1/callers", {"number": number})
        if response.status_code != 200:
            raise RuntimeError(f"the bare view answered {response.status_code}")

    cases = {
        WITH: (with_subscriber, clients),
        WITHOUT: (without_subscriber, clients),
        # The same as the one before, as a third case: how far two identical cases
        # differ in this run, the noise the subscriber's cost is compared with.
        AGAIN: (without_subscriber, clients[len(clients) // 2 :]),
        "bare view (bench/bare_urls.py)": (bare, numbers),
    }
    for i in range(bench.WARM_UP):
        for run, items in cases.values():
            run(items[i % len(items)])
    wall = {name: [] for name in cases}
    cpu = {name: [] for name in cases}
    for i in range(args.requests):
        order = list(cases.items())
        rng.shuffle(order)
        for name, (run, items) in order:
            w, c = _timed(run, items[(i + bench.WARM_UP) % len(items)])
            wall[name].append(w)
            cpu[name].append(c)
    queries = {}
    for name, (run, items) in cases.items():
        with CaptureQueriesContext(connection) as captured:
            run(items[0])
        queries[name] = len(captured)
    events.subscribe(ReferralReceived, triggers.on_event, in_transaction=True)
    # The subscriber's call alone: one compose task enqueued.
    event = ReferralReceived(
        client_id=clients[0], referral_id=1, product_id=1, team_id=1, urgency="regular"
    )
    alone = [_timed(triggers.on_event, event) for _ in range(args.requests)]
    wall[ALONE] = [w for w, _ in alone]
    cpu[ALONE] = [c for _, c in alone]
    with CaptureQueriesContext(connection) as captured:
        triggers.on_event(event)
    queries[ALONE] = len(captured)
    _clear_tasks("halte.outreach.tasks.compose_for_event")
    vendor = bench._vendor()
    print()
    print(f"{args.requests} requests per case, interleaved, on {vendor}; {_load()}")
    print()
    print("| case | requests | median ms | p95 ms | CPU median ms | CPU p95 ms | statements |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in wall:
        (median, p95), (cpu_median, cpu_p95) = _median_p95(wall[name]), _median_p95(cpu[name])
        print(
            f"| {name} | {len(wall[name])} | {median:.2f} | {p95:.2f} | {cpu_median:.2f} "
            f"| {cpu_p95:.2f} | {queries[name]} |"
        )
    print()
    print("| compared | measure | median ratio | p95 ratio | median difference ms (95% interval) |")
    print("| --- | --- | ---: | ---: | --- |")
    for a, b in ((WITH, WITHOUT), (AGAIN, WITHOUT)):
        for measure, values in (("wall", wall), ("CPU", cpu)):
            (ma, pa), (mb, pb) = _median_p95(values[a]), _median_p95(values[b])
            low, high = _difference_interval(values[a], values[b], rng)
            print(
                f"| {a} / {b} | {measure} | {ma / mb:.3f} | {pa / pb:.3f} "
                f"| {ma - mb:+.2f} ({low:+.2f} to {high:+.2f}) |"
            )
    out = bench.RESULTS / f"outreach-publish-{vendor}.json"
    out.write_text(json.dumps({"wall": wall, "cpu": cpu, "queries": queries}))


WITH = "referral API, outreach subscribed"
WITHOUT = "referral API, no subscriber"
AGAIN = "referral API, no subscriber (again)"
ALONE = "the subscriber's call alone (one task enqueued)"


def _median_p95(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94]


def _difference_interval(a: list[float], b: list[float], rng, rounds: int = 2000):
    """A bootstrap 95% interval of median(a) - median(b)."""
    differences = sorted(
        statistics.median(rng.choices(a, k=len(a))) - statistics.median(rng.choices(b, k=len(b)))
        for _ in range(rounds)
    )
    return differences[int(rounds * 0.025)], differences[int(rounds * 0.975) - 1]


def _clear_tasks(*paths: str) -> None:
    """The database queue's tasks of these task paths, which this benchmark made (never
    all: another benchmark may be running on the same database)."""
    from django.conf import settings

    if "django_tasks_db" in settings.TASKS["default"]["BACKEND"]:
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(task_path__in=paths).delete()


REDIS_HOLD_KEY = "halte:test-run"  # the key conftest.py's test runs hold a database by


def _hold_redis_database(url: str) -> str:
    """The first Redis database from 15 down to 1 that no test run or benchmark holds,
    held until this process ends (or six hours), and emptied of RQ's keys."""
    import atexit
    import socket
    import urllib.parse

    import redis

    base = urllib.parse.urlsplit(url)
    holder = f"{socket.gethostname()}:{os.getpid()} bench/outreach.py"
    for number in range(15, 0, -1):
        held = urllib.parse.urlunsplit(base._replace(path=f"/{number}"))
        connection = redis.Redis.from_url(held)
        if connection.set(REDIS_HOLD_KEY, holder, nx=True, ex=6 * 3600):
            _empty_rq(connection)

            def release(connection=connection):
                _empty_rq(connection)
                connection.delete(REDIS_HOLD_KEY)

            atexit.register(release)
            print(f"RQ on Redis database {number}", file=sys.stderr)
            return held
        connection.close()
    raise RuntimeError("every Redis database 1-15 is held by a test run")


def _empty_rq(connection) -> None:
    for key in connection.scan_iter("rq:*", count=1000):
        connection.delete(key)


def main() -> None:
    args = _arguments()
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench.RESULTS / f'outreach-{args.clients}.sqlite3'}"
    database_url = args.database_url or default
    if args.queue == "rq":
        os.environ["HALTE_TASKS"] = "rq"
        os.environ["REDIS_URL"] = _hold_redis_database(args.redis_url)
    if args.what == "publish":
        os.environ["DJANGO_SETTINGS_MODULE"] = "bare_settings"  # halte's, plus the bare view
    bench._setup(database_url)
    {"send": send, "promises": promises, "publish": publish}[args.what](args, database_url)


if __name__ == "__main__":
    main()

"""Audit appends per second from concurrent writers, one chain against several.

    .venv/bin/python bench/audit_appends.py --database-url postgres://... [--writers 8]
        [--chains 1,8] [--seconds 10] [--rounds 3]

Each writer is a process of its own with its own connection, appending one entry a
transaction through the real append (halte.audit.services.audit_record: a chain head
locked, the HMAC, the insert, the head moved, a durable commit) as fast as it can.
Rounds alternate the chain counts (AUDIT_CHAINS), so the machine's changing speed falls
on each alike; the table gives appends per second and each count's rate against one
chain. With one chain every writer queues on one row lock held through each commit's
WAL flush; with several, writers take a free head (FOR UPDATE SKIP LOCKED) and their
commits flush side by side. PostgreSQL only: SQLite has one writer at a time anyway.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--chains", default="1,8", help="Chain counts to compare.")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halte.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child() -> None:
    """Say ready once connected, read when to start and stop, append in between; print
    how many and the CPU used."""
    from halte.audit.context import Actor
    from halte.audit.models import Action
    from halte.audit.services import audit_record

    actor = Actor.system("bench appends", source_ip="192.0.2.1")
    audit_record(actor, action=Action.READ, part="card", client_id=1)  # connect, warm up
    print("ready", flush=True)
    start, until = (float(value) for value in sys.stdin.readline().split())
    time.sleep(max(0.0, start - time.time()))
    appended, cpu = 0, time.process_time()
    while time.time() < until:
        audit_record(actor, action=Action.READ, part="card", client_id=appended)
        appended += 1
    print(appended, time.process_time() - cpu)


def one_run(args, chains: int) -> tuple[float, float]:
    """(appends per second, web-side CPU ms per append) of all writers together."""
    env = {**os.environ, "AUDIT_CHAINS": str(chains)}
    command = [sys.executable, __file__, "--database-url", args.database_url, "--child"]
    writers = [
        subprocess.Popen(  # noqa: S603 - this script, with the bench's own arguments
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(args.writers)
    ]
    for writer in writers:  # every writer connected and warmed up before the clock runs
        if writer.stdout.readline().strip() != "ready":
            raise RuntimeError("a writer did not start")
    start = time.time() + 0.5
    for writer in writers:
        writer.stdin.write(f"{start} {start + args.seconds}\n")
        writer.stdin.close()
    outputs = [writer.stdout.read().split() for writer in writers]
    for writer in writers:
        writer.wait()
    if any(writer.returncode for writer in writers):
        raise RuntimeError("a writer failed")
    appended = sum(int(out[0]) for out in outputs)
    cpu = sum(float(out[1]) for out in outputs)
    return appended / args.seconds, 1000 * cpu / max(appended, 1)


def main() -> None:
    args = _arguments()
    _setup(args.database_url)
    if args.child:
        child()
        return
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    connection.close()
    counts = [int(c) for c in args.chains.split(",")]
    rates = {chains: [] for chains in counts}
    for round_ in range(args.rounds):
        order = counts if round_ % 2 == 0 else list(reversed(counts))
        for chains in order:
            rate, cpu = one_run(args, chains)
            rates[chains].append(rate)
            print(f"round {round_ + 1}, {chains} chain(s): {rate:,.0f} appends/s, {cpu:.2f} ms CPU")
    print()
    print(
        f"{args.writers} writers, {args.seconds:g} s a run, load average {os.getloadavg()[0]:.1f}"
    )
    print()
    print("| chains | appends/s (each round) | median | against 1 chain |")
    print("| ---: | --- | ---: | ---: |")
    base = statistics.median(rates[counts[0]])
    for chains in counts:
        median = statistics.median(rates[chains])
        each = ", ".join(f"{rate:,.0f}" for rate in rates[chains])
        print(f"| {chains} | {each} | {median:,.0f} | {median / base:.2f} |")


if __name__ == "__main__":
    main()

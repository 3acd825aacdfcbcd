"""`make mutate`: a mutation run (mutmut 3) over core, the audit chain check and the
services of the apps that hold client data, one module at a time, outside CI.

Each module runs in its own work folder (.mutants/<module>/) with a pyproject.toml of
its own: mutmut reads its settings from the working folder's pyproject.toml, and a
module's mutants are checked against the module's own tests (fast), not the whole
suite. mutmut copies the halte package into the work folder's mutants/ and imports it
from there (the worktree's halte is taken off sys.path), so a mutant never touches the
real tree. A run cut off by its time cap (--time-cap) keeps what it checked: running again
goes on where it stopped.

    python tools/mutate.py [--max-children N] [--time-cap SECONDS] [module ...]
    python tools/mutate.py --recheck [module ...]    # only the survivors, after adding tests
    python tools/mutate.py --recheck --database-url postgres://... MODULE   # ... on PostgreSQL
    python tools/mutate.py --score [module ...]      # the table, from what was run
    python tools/mutate.py --survivors MODULE        # mutmut's names of the survivors
    python tools/mutate.py --survivors --diffs MODULE   # ... with the change each makes
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutants"
# `python -m mutmut`, not the venv's bin/mutmut: the module is there whenever the
# package is, the script only when pip wrote it.
MUTMUT = [sys.executable, "-m", "mutmut"]

# module: (the files mutated, the tests that check them). Smallest first.
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "bsn": (["halte/core/bsn.py"], ["halte/core/tests/test_bsn.py"]),
    "postcode": (["halte/core/postcode.py"], ["halte/core/tests/test_postcode_and_names.py"]),
    "calendar": (["halte/core/calendar.py"], ["halte/core/tests/test_calendar.py"]),
    "phone": (
        ["halte/core/phone.py"],
        ["halte/core/tests/test_phone.py", "halte/core/tests/test_phone_filter.py"],
    ),
    "roles": (["halte/core/roles.py"], ["halte/core/tests/test_roles.py"]),
    "text": (["halte/core/text.py"], ["halte/core/tests/test_postcode_and_names.py"]),
    "schedule": (["halte/core/schedule.py"], ["halte/core/tests/test_schedule.py"]),
    # The edge's checks: errors per field, hidden characters, the ranges of dates and
    # moments (the API's hostile-input tests reach them through the services).
    "validation": (
        ["halte/core/validation.py"],
        [
            "halte/core/tests/test_validation.py",
            "halte/core/tests/test_input_bounds.py",
            "halte/api/tests/test_hostile_input.py",
        ],
    ),
    # Reading extreme dates and times, and PostgreSQL's ±infinity (its loaders run on
    # PostgreSQL only: recheck the survivors there with --database-url).
    "moments": (
        ["halte/core/moments.py"],
        [
            "halte/core/tests/test_input_bounds.py",
            "halte/api/tests/test_stored_extreme_moments.py",
            "halte/core/tests/test_moment_loaders.py",
        ],
    ),
    "headers": (["halte/core/headers.py"], ["halte/core/tests/test_security_headers.py"]),
    # A busy database: 503 with Retry-After. (Not test_database_busy.py: its scenario
    # runs in a process of its own, which mutmut's test statistics do not see.)
    "busy": (["halte/core/busy.py"], ["halte/core/tests/test_busy.py"]),
    # The counters behind the sign-in and API limits (one upsert a count); PostgreSQL's
    # unlogged table and concurrent counts: recheck the survivors there.
    "ratelimit": (
        ["halte/core/ratelimit.py"],
        [
            "halte/core/tests/test_ratelimit.py",
            "halte/core/tests/test_signin_lockout.py",
            "halte/api/tests/test_token_limits.py",
        ],
    ),
    # The idle and maximum session times, the polled views that are no activity.
    "sessions": (
        ["halte/core/sessions.py"],
        ["halte/core/tests/test_session_limits.py", "halte/audit/tests/test_sign_in_log.py"],
    ),
    # The lockout of a username and address (axes) and of an address over all names.
    "signin": (
        ["halte/core/signin.py"],
        ["halte/core/tests/test_signin_lockout.py", "halte/audit/tests/test_sign_in_log.py"],
    ),
    # The hot cursor and instances from plain SQL (SQLite's placeholders; PostgreSQL's
    # driver cursor: recheck the survivors there).
    "sql": (
        ["halte/core/sql.py"],
        [
            "halte/core/tests/test_sql.py",
            "halte/core/tests/test_ratelimit.py",
            "halte/contact/tests/test_callers_sql.py",
        ],
    ),
    # Staff access: the rule that an administrator cannot change their own role, and
    # every change of a staff member's access (role, superuser, active, teams) reported
    # once, by whom, from the model signals (core.staff; the audit app writes it).
    "staff access": (
        ["halte/core/staff.py"],
        [
            "halte/core/tests/test_staff_access_changes.py",
            "halte/core/tests/test_staff_access_outside_halte.py",
            "halte/core/tests/test_staff_access_paths.py",
        ],
    ),
    # The second factor: the gate a password-only session waits behind (pages sent to
    # the step, the session API 401, a bearer token not), who must have one, checking
    # a code, enrolling the app, the recovery codes, and the reset (only another
    # administrator's, audited). (Not test_production.py: it runs manage.py in a
    # process of its own.)
    "two-factor": (
        [
            "halte/twofactor/services.py",
            "halte/twofactor/policy.py",
            "halte/twofactor/middleware.py",
        ],
        [
            "halte/twofactor/tests/test_sign_in.py",
            "halte/twofactor/tests/test_reset.py",
            "halte/twofactor/tests/test_passkeys.py",
            "halte/twofactor/tests/test_services.py",
        ],
    ),
    # API tokens: made, their expiry changed and revoked, each audited with a part that
    # names the token, never the token or its hash (refused outside these services).
    "api services": (
        ["halte/api/services.py"],
        [
            "halte/api/tests/test_token_audit.py",
            "halte/api/tests/test_token_admin.py",
            "halte/api/tests/test_token_limits.py",
            "halte/api/tests/test_token_lookup.py",
            "halte/api/tests/test_auth.py",
            "halte/api/tests/test_create_api_token.py",
        ],
    ),
    # Domain events: delivered after the commit (or inside it), in order, once; a
    # failing subscriber logged without client data; carried through the task queue.
    "events": (
        ["halte/core/events.py"],
        [
            "halte/core/tests/test_events.py",
            "halte/outreach/tests/test_chasing.py",
        ],
    ),
    # Who may see which client: the pages' role check (an audited refusal, the Dutch
    # 404 page) and the client scope in SQL (clients, rows of a client, one client).
    "access": (
        ["halte/core/access.py", "halte/clients/access.py"],
        [
            "halte/core/tests/test_roles.py",
            "halte/core/tests/test_not_found_page.py",
            "halte/audit/tests/test_page_refusals.py",
            "halte/clients/tests/test_api_bsn_and_scope.py",
            "halte/clients/tests/test_duplicates.py",
            "halte/clients/tests/test_api_relations.py",
            "halte/clients/tests/test_access.py",
        ],
    ),
    # Background work: a task enqueued with its write, and one a killed worker left
    # running queued again. (Not test_worker_killed.py: its workers are processes of
    # their own, which mutmut's test statistics do not see.)
    "tasks": (["halte/core/tasks.py"], ["halte/core/tests/test_background_tasks.py"]),
    # Production refuses to start without its collected static files; /health/ for
    # the load balancer. (Not test_production_start.py: it starts processes of its
    # own, which mutmut's test statistics do not see.)
    "deploy and health": (
        ["halte/core/deploy.py", "halte/core/health.py"],
        ["halte/core/tests/test_deploy.py", "halte/core/tests/test_health.py"],
    ),
    "clients services": (
        ["halte/clients/services.py"],
        ["halte/clients/tests/test_services.py", "halte/clients/tests/test_concurrency.py"],
    ),
    "contact services": (
        ["halte/contact/services.py"],
        [
            "halte/contact/tests/test_services.py",
            "halte/contact/tests/test_call_timeouts.py",
            "halte/contact/tests/test_events.py",
            "halte/contact/tests/test_tasks.py",
            "halte/contact/tests/test_concurrency.py",
        ],
    ),
    "journey services": (
        ["halte/journey/services.py"],
        [
            "halte/journey/tests/test_services.py",
            "halte/journey/tests/test_services_waiting.py",
            "halte/journey/tests/test_services_care.py",
            "halte/journey/tests/test_services_intake.py",
            "halte/journey/tests/test_events.py",
            "halte/journey/tests/test_concurrency.py",
        ],
    ),
    # Outreach's writes of client data: a message claimed once, marked sent with its
    # timeline entry, failed, retried or left uncertain (sending); letters batched and
    # marked printed, with the audit entry naming the clients (letter_services).
    "outreach services": (
        ["halte/outreach/sending.py", "halte/outreach/letter_services.py"],
        ["halte/outreach/tests/test_pipeline.py", "halte/outreach/tests/test_letter_batches.py"],
    ),
    # Announcements to clients: the segment (never wider than the author's teams), who
    # of it is reached, the texts checked, one start of sending, the messages composed
    # once per recipient; the API's and pages' tests reach its audit and scope checks.
    "outreach announcements": (
        ["halte/outreach/announcements.py"],
        [
            "halte/outreach/tests/test_announcements.py",
            "halte/outreach/tests/test_announcement_rules.py",
            "halte/outreach/tests/test_announcement_api.py",
            "halte/outreach/tests/test_announcement_pages.py",
        ],
    ),
    # Chasing promises not kept: who hears of a promise (owner, team leads who may see
    # the client), one notice per person and kind, its e-mail once, the daily digest.
    "outreach chasing": (
        ["halte/outreach/chasing.py"],
        ["halte/outreach/tests/test_chasing.py", "halte/outreach/tests/test_notification_pages.py"],
    ),
    # The chain check: the keyed hashes, the writer (several chains), verify_chain, the
    # chain keys, the signed anchor file and verify_audit, which puts them together.
    # (Not test_upgrade.py: it migrates the shared test database back and forth.)
    "audit chain check": (
        [
            "halte/audit/models.py",
            "halte/audit/services.py",
            "halte/audit/queries.py",
            "halte/audit/keys.py",
            "halte/audit/anchors.py",
            "halte/audit/management/commands/verify_audit.py",
        ],
        [
            "halte/audit/tests/test_chain.py",
            "halte/audit/tests/test_chain_choice.py",
            "halte/audit/tests/test_tampering.py",
            "halte/audit/tests/test_anchors.py",
            "halte/audit/tests/test_keys.py",
            "halte/audit/tests/test_concurrency.py",
        ],
    ),
}

# Copied beside the package into mutants/: the root conftest (the personas), the
# translations (LOCALE_PATHS is BASE_DIR / "locale", and BASE_DIR is mutants/) and
# manage.py: pytest-django puts the first folder above the tests that holds a manage.py
# first on sys.path, which would otherwise be the worktree, and its unmutated halte.
ALSO_COPY = ["conftest.py", "locale", "manage.py"]
# Each mutant's tests run in a child forked from mutmut: with SQLite's test database in
# memory, every child would build it anew (all migrations, seconds each); in a file
# kept with --reuse-db, the first run builds it and the children open it. In mutants/,
# so a fresh start of the module builds it again.
TEST_DATABASE_IN_A_FILE = """

@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    \"\"\"make mutate (tools/mutate.py): the test database in a file, kept.\"\"\"
    from pathlib import Path

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "halte.core.sqlite":
        name = str(Path(__file__).resolve().parent / "test-database.sqlite3")
        database.setdefault("TEST", {})["NAME"] = name
"""
KILLED, SURVIVED, TIMEOUT = {1, 3}, {0}, {36, 24, -24, 152, 255}
NO_TESTS = 33
NOT_COUNTED = {None, NO_TESTS, 34, 5}  # not checked, no tests, skipped


def slug(module: str) -> str:
    return module.replace(" ", "-")


def work_folder(module: str, *, keep: bool = False) -> Path:
    """The module's work folder: links to the tree, and a pyproject.toml whose
    [tool.mutmut] names the module's files and tests."""
    files, tests = MODULES[module]
    folder = WORK / slug(module)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ["halte", *ALSO_COPY]:
        link = folder / name
        if name == "conftest.py":
            continue
        # A work folder copied from another worktree (to go on from its state) links
        # to that tree: mutmut would take its code and tests. Link to this one.
        if link.is_symlink() and link.resolve() != (ROOT / name).resolve():
            link.unlink()
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    conftest = (ROOT / "conftest.py").read_text() + TEST_DATABASE_IN_A_FILE
    own = folder / "conftest.py"
    if own.is_symlink():  # never write through a link into the tree's own conftest
        own.unlink()
    own.write_text(conftest)
    settings = [
        "",
        "[tool.mutmut]",
        'source_paths = ["halte"]',
        f"only_mutate = {json.dumps(files)}",
        f"also_copy = {json.dumps(ALSO_COPY)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        'pytest_add_cli_args = ["--reuse-db"]',
        # A time-out is a CPU-time limit of (the tests' time + constant) x multiplier x 2.
        "timeout_constant = 10",
        "",
    ]
    text = (ROOT / "pyproject.toml").read_text() + "\n".join(settings)
    (folder / "pyproject.toml").write_text(text)
    # mutmut keeps a mutant's verdict until its function changes, also when the tests
    # changed: then a survivor would stay a survivor. Start afresh when the module, its
    # tests or the configuration changed; a run cut off by the time cap goes on.
    fingerprint = hashlib.sha256((text + conftest).encode())
    for name in [*files, *tests]:
        fingerprint.update((ROOT / name).read_bytes())
    stamp = folder / "fingerprint"
    if not stamp.exists() or stamp.read_text() != fingerprint.hexdigest():
        if not keep:
            shutil.rmtree(folder / "mutants", ignore_errors=True)
        else:
            # A recheck keeps the verdicts, but mutmut would keep its test statistics
            # too and never run the tests added since: it collects them again.
            (folder / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
        stamp.write_text(fingerprint.hexdigest())
    return folder


def run(
    module: str,
    *,
    max_children: int,
    time_cap: float,
    recheck: bool = False,
    database_url: str | None = None,
) -> bool:
    """Run mutmut over one module; False when the time cap cut it off. `recheck`:
    only the survivors of the last run, against the tests as they are now (tests were
    added: a mutant killed before stays killed). `database_url`: the tests on that
    database (PostgreSQL) instead of SQLite, for a recheck of the survivors that only
    PostgreSQL's code paths reach (row locks, SKIP LOCKED, sequences)."""
    # On another database, the mutants no test reached on SQLite too: code that only
    # that database runs (PostgreSQL's loaders, locks) has no tests in SQLite's
    # statistics.
    wanted = SURVIVED | ({NO_TESTS} if database_url else set())
    survivors = [name for name, code in results(module).items() if code in wanted]
    folder = work_folder(module, keep=recheck)
    if recheck and not survivors:
        return True
    stats = folder / "mutants" / "mutmut-stats.json"
    if database_url:
        # mutmut's test statistics (which tests reach which function) are the
        # database's own: collect them on this one, and again on SQLite next time.
        stats.unlink(missing_ok=True)
    # SQLite whatever DATABASE_URL says (the children share the test database file),
    # unless a database is named for this run.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    command = [*MUTMUT, "run", "--max-children", str(max_children)]
    if recheck:
        command += survivors
    shown = " ".join(command[2:6] + ([f"<{len(survivors)} survivors>"] if recheck else []))
    print(f"== {module}: (cd {folder.relative_to(ROOT)} && {shown})", flush=True)
    log = (folder / "mutmut.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own venv's mutmut
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        if process.wait(timeout=time_cap) != 0:
            # E.g. "Failed to run clean test": a test fails with no mutant applied (on
            # this database), and no mutant was checked.
            print(f"   mutmut failed: see {log.name}", flush=True)
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return False
    finally:
        log.close()
        if database_url:
            stats.unlink(missing_ok=True)


def results(module: str) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code, from the .meta files of the mutated files."""
    files, _ = MODULES[module]
    codes = {}
    for name in files:
        meta = WORK / slug(module) / "mutants" / f"{name}.meta"
        if meta.exists():
            codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def show(module: str, name: str) -> None:
    """The lines a mutant changes (mutmut show, without the diff's header)."""
    shown = subprocess.run(  # noqa: S603 - our own venv's mutmut
        [*MUTMUT, "show", name],
        cwd=WORK / slug(module),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in shown.stdout.splitlines():
        if line[:2] in ("- ", "+ "):
            print(f"    {line}")


def score_line(module: str) -> str:
    codes = results(module)
    killed = sum(1 for c in codes.values() if c in KILLED or c in TIMEOUT)
    survived = [name for name, c in codes.items() if c in SURVIVED]
    counted = sum(1 for c in codes.values() if c not in NOT_COUNTED)
    unchecked = sum(1 for c in codes.values() if c is None)
    no_tests = sum(1 for c in codes.values() if c == NO_TESTS)
    score = f"{100 * killed / counted:.0f}%" if counted else "-"
    note = f"{unchecked} not checked" if unchecked else ""
    return (
        f"| {module} | {score} | {killed} | {len(survived)} | {no_tests} | {len(codes)} | {note} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"of: {', '.join(MODULES)} (default: all)")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--time-cap", type=float, default=1800, help="seconds per module")
    parser.add_argument("--score", action="store_true", help="only print the table")
    parser.add_argument(
        "--recheck", action="store_true", help="run the last run's survivors again (tests added)"
    )
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--diffs", action="store_true", help="with --survivors: their changes")
    parser.add_argument(
        "--database-url",
        help="with --recheck: run the survivors' tests on this database (PostgreSQL)",
    )
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; known: {', '.join(MODULES)}")
    if args.database_url and not args.recheck:
        # A full run on PostgreSQL would mix its verdicts with SQLite's next time.
        parser.error("--database-url goes with --recheck")
    modules = args.modules or list(MODULES)
    if args.survivors:
        for module in modules:
            for name, code in sorted(results(module).items()):
                if code in SURVIVED:
                    print(name)
                    if args.diffs:
                        show(module, name)
        return
    if not args.score:
        for module in modules:
            started = time.monotonic()
            finished = run(
                module,
                max_children=args.max_children,
                time_cap=args.time_cap,
                recheck=args.recheck,
                database_url=args.database_url,
            )
            took = time.monotonic() - started
            print(f"   {'done' if finished else 'cut off'} after {took:.0f} s", flush=True)
    print("| module | score | killed | survived | no tests | mutants | |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for module in modules:
        print(score_line(module))


if __name__ == "__main__":
    main()

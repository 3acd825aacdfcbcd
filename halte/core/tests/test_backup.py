"""A backup taken while Halte writes restores every record committed before it began,
with an audit chain that `verify_audit` passes."""

import os
import shutil
import sqlite3
import stat
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from halte.core.tests.scenario import migrate, run, scenario


def _backup_restore_and_check(
    source_url: str,
    restored_url: str,
    tmp_path,
    *,
    after_restore=(),
    check_url: str = "",
    backup_env=None,
    restore_env=None,
) -> dict:
    """Back up `source_url` under writes, restore into `restored_url`, run the
    `after_restore` commands there and check the restore through `check_url` (the
    restored database, as another role)."""
    backup_file, expected = tmp_path / "backups" / "halte.backup", tmp_path / "expected.json"
    # One machine's var folder (mail, SMS files, audit anchors), not the checkout's.
    env = {"HALTE_VAR_DIR": str(tmp_path / "var")}

    taken = scenario(
        "backup_scenario",
        source_url,
        "write-and-backup",
        str(backup_file),
        str(expected),
        env={**env, **(backup_env or {})},
    )
    restore = ["manage.py", "restore_database", str(backup_file)]
    run(restore, restored_url, env={**env, **(restore_env or {})})
    for command in after_restore:
        run(["manage.py", *command], restored_url, env=env)
    checked = scenario(
        "backup_scenario", check_url or restored_url, "check", str(expected), env=env
    )

    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600
    assert taken["after_backup"] >= 5  # the writer went on while and after it ran
    assert checked["missing"] == {"clients": [], "contacts": [], "promises": [], "audit": []}
    for name, count in taken["before"].items():
        assert checked["restored"][name] >= count > 0, name
    assert checked["verify_audit"] == "passed"
    return taken


def test_an_sqlite_backup_under_writes_restores_everything_committed_before_it(
    sqlite_copy, tmp_path
):
    restored = tmp_path / "restored" / "halte.sqlite3"

    _backup_restore_and_check(f"sqlite:///{sqlite_copy}", f"sqlite:///{restored}", tmp_path)

    assert stat.S_IMODE(os.stat(restored).st_mode) == 0o600


@pytest.fixture
def postgres_databases():
    """Two new databases beside the test database's server: source and restore target."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    server, _, _name = url.rpartition("/")
    names = [f"halte_backup_{uuid.uuid4().hex[:8]}_{part}" for part in ("source", "restored")]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    yield [f"{server}/{name}" for name in names]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_postgresql_backup_under_writes_restores_everything_committed_before_it(
    postgres_databases, tmp_path
):
    source, restored = postgres_databases
    migrate(source)

    _backup_restore_and_check(source, restored, tmp_path)


@pytest.fixture
def deployment_roles(postgres_databases):
    """README's production roles on both databases: an owner that is no superuser (it
    migrates, backs up and restores) and the application's role (audit_grants)."""
    server, suffix = postgres_databases[0].rpartition("/")[0], uuid.uuid4().hex[:8]
    owner, app = f"halte_owner_{suffix}", f"halte_app_{suffix}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for role in (owner, app):
            admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        for url in postgres_databases:
            admin.execute(f'ALTER DATABASE "{url.rpartition("/")[2]}" OWNER TO "{owner}"')
    yield owner, app
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for url in postgres_databases:
            admin.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
        for role in (app, owner):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def _as(role: str, url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))


def test_the_owner_restores_a_postgresql_backup_the_application_role_can_use(
    postgres_databases, deployment_roles, tmp_path, backup_key
):
    """README's restore steps as in production, no superuser: the owner backs up
    (encrypted), restores and grants; the application's role finds everything and
    verify_audit passes, and it still cannot rewrite the restored audit entries."""
    (source, restored), (owner, app) = postgres_databases, deployment_roles
    public_key, ring = backup_key
    grants = ["audit_grants", "--role", app, "--execute"]
    run(["manage.py", "migrate", "--no-input", "-v0"], _as(owner, source))
    run(["manage.py", *grants], _as(owner, source))

    _backup_restore_and_check(
        _as(owner, source),
        _as(owner, restored),
        tmp_path,
        after_restore=[["migrate", "--no-input", "-v0"], grants],
        check_url=_as(app, restored),
        backup_env={"HALTE_BACKUP_PUBLIC_KEY": str(public_key)},
        restore_env={"GNUPGHOME": str(ring)},
    )
    assert not (tmp_path / "backups" / "halte.backup").read_bytes().startswith(b"PGDMP")

    with (
        psycopg.connect(_as(app, restored)) as application,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        application.execute("UPDATE audit_auditentry SET part = 'x'")


def test_it_restores_only_into_an_empty_database(sqlite_copy, tmp_path):
    backup_file = tmp_path / "some.backup"
    backup_file.write_bytes(b"")

    result = run(
        ["manage.py", "restore_database", str(backup_file)], f"sqlite:///{sqlite_copy}", check=False
    )

    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert "restore into a new, empty database" in result.stderr


@pytest.fixture(scope="module")
def backup_key(tmp_path_factory):
    """An OpenPGP key pair without a passphrase: the public key's file (what the server
    gets) and the key ring holding its secret key (the restoring person's GNUPGHOME)."""
    folder = tmp_path_factory.mktemp("gpg")
    ring, public_key = folder / "ring", folder / "backup-key.asc"
    ring.mkdir(mode=0o700)
    uid = "Halte backups <backup@example.nl>"

    def gpg(*args, **kwargs):
        return subprocess.run(  # noqa: S603 - GnuPG with fixed arguments
            [shutil.which("gpg"), "--batch", f"--homedir={ring}", *args],
            check=True,
            capture_output=True,
            **kwargs,
        )

    gpg("--passphrase=", "--quick-gen-key", uid, "future-default", "default", "never")
    public_key.write_bytes(gpg("--armor", "--export", uid).stdout)
    yield public_key, ring
    agent = [shutil.which("gpgconf"), f"--homedir={ring}", "--kill", "gpg-agent"]
    subprocess.run(agent, check=False)  # noqa: S603 - GnuPG's own tool, fixed arguments


def test_an_encrypted_backup_holds_no_readable_client_data_and_restores(
    sqlite_copy, tmp_path, backup_key
):
    public_key, ring = backup_key
    restored = tmp_path / "restored" / "halte.sqlite3"

    _backup_restore_and_check(
        f"sqlite:///{sqlite_copy}",
        f"sqlite:///{restored}",
        tmp_path,
        backup_env={"HALTE_BACKUP_PUBLIC_KEY": str(public_key)},
        restore_env={"GNUPGHOME": str(ring)},
    )

    written = (tmp_path / "backups" / "halte.backup").read_bytes()
    assert not written.startswith(b"SQLite format 3")
    assert b"Back0" not in written and b"Belt over de planning" not in written
    # No readable copy was left beside it.
    assert [path.name for path in (tmp_path / "backups").iterdir()] == ["halte.backup"]


def test_an_encrypted_backup_needs_the_secret_key_and_nothing_is_restored_without_it(
    sqlite_copy, tmp_path, backup_key
):
    public_key, _ring = backup_key
    backup_file, restored = tmp_path / "halte.sqlite3.gpg", tmp_path / "restored.sqlite3"
    other_ring = tmp_path / "other-ring"
    other_ring.mkdir(mode=0o700)
    run(
        ["manage.py", "backup_database", str(backup_file), "--encrypt-to", str(public_key)],
        f"sqlite:///{sqlite_copy}",
    )

    result = run(
        ["manage.py", "restore_database", str(backup_file)],
        f"sqlite:///{restored}",
        env={"GNUPGHOME": str(other_ring)},
        check=False,
    )

    assert result.returncode != 0
    assert f"gpg could not decrypt {backup_file}" in result.stderr
    with sqlite3.connect(restored) as database:
        assert database.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_missing_public_key_file_writes_no_backup(sqlite_copy, tmp_path):
    folder = tmp_path / "backups"

    result = run(
        [
            "manage.py",
            "backup_database",
            str(folder / "halte.sqlite3.gpg"),
            "--encrypt-to",
            str(tmp_path / "no-such-key.asc"),
        ],
        f"sqlite:///{sqlite_copy}",
        check=False,
    )

    assert result.returncode != 0
    assert "There is no public key file" in result.stderr
    assert not folder.exists() or list(folder.iterdir()) == []

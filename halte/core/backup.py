"""Backups that are consistent while Halte keeps writing, and their restore.

- SQLite: SQLite's online backup API (sqlite3.Connection.backup) copies the
  database in one step inside one read transaction: a snapshot of everything
  committed when it began, taken without stopping writers (WAL lets them go on).
- PostgreSQL: pg_dump in its custom format, which reads every table in one
  repeatable-read transaction: the same kind of snapshot. pg_restore puts it into
  a new, empty database in one transaction.

django-dbbackup was not used: its SQLite restore copies the backup over the live
database file beside a -wal file SQLite may still replay over it, it writes backups
with the process's umask (readable by others) and it restores PostgreSQL with
--clean into the configured database. Here a backup file is the owner's only (0600)
and appears complete or not at all (written beside, then renamed); a restore only
goes into an empty database, so a mistyped DATABASE_URL cannot overwrite production.

Encryption: with HALTE_BACKUP_PUBLIC_KEY (or `backup_database --encrypt-to`) naming an
OpenPGP public key file, the backup is encrypted to it with GnuPG before it gets its
name, so the file that leaves the machine holds no readable client data, and the
server holds no key that reads it. The restore recognises an encrypted backup and
decrypts it with the restoring person's own GnuPG key ring.
"""

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from halte.core.sqlite.base import OWNER_ONLY_FILE, OWNER_ONLY_FOLDER

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


ENCRYPTED_SUFFIX = ".gpg"


def default_destination(now: datetime.datetime | None = None, *, encrypted: bool = False) -> Path:
    now = now or datetime.datetime.now(datetime.UTC)
    suffix = SUFFIXES[connection.vendor] + (ENCRYPTED_SUFFIX if encrypted else "")
    return Path(settings.VAR_DIR) / "backups" / f"halte-{now:%Y%m%dT%H%M%SZ}{suffix}"


def backup(destination: Path, *, public_key: Path | None = None) -> Path:
    """Write a consistent backup of the database to `destination` (0600), encrypted to
    the OpenPGP `public_key` file when one is given."""
    if connection.vendor not in SUFFIXES:
        raise CommandError(f"No backup for a {connection.vendor} database.")
    if destination.exists():
        raise CommandError(f"{destination} exists already; name a new file.")
    if public_key is not None and not public_key.is_file():
        raise CommandError(f"There is no public key file {public_key} to encrypt the backup to.")
    if not destination.parent.exists():
        destination.parent.mkdir(mode=OWNER_ONLY_FOLDER, parents=True)
    partial = _owner_only_file(destination.with_name(f".{destination.name}.partial"))
    sealed = destination.with_name(f".{destination.name}.partial{ENCRYPTED_SUFFIX}")
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
        if public_key is not None:
            _encrypt(partial, _owner_only_file(sealed), public_key)
            partial.unlink()  # the readable copy never gets a backup's name
            partial = sealed
        _fsync(partial)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        sealed.unlink(missing_ok=True)
        raise
    return destination


def _owner_only_file(path: Path) -> Path:
    """A new, empty file only its owner may read; one left by a cut-off backup goes."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE))
    return path


def restore(source: Path) -> None:
    """Restore the backup at `source` into the configured database, which must be new."""
    if not source.is_file():
        raise CommandError(f"There is no backup file {source}.")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise CommandError(
            f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} "
            "tables): restore into a new, empty database, then point Halte at it."
        )
    if connection.vendor not in SUFFIXES:
        raise CommandError(f"No restore for a {connection.vendor} database.")
    with _readable(source) as plain:
        if connection.vendor == "sqlite":
            _sqlite_restore(plain)
        else:
            _pg_restore(plain)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Encryption (GnuPG)


def _encrypt(source: Path, target: Path, public_key: Path) -> None:
    """Encrypt `source` into the (owner-only) `target` to the key in `public_key`. gpg
    runs with an empty home of its own: the server keeps no key ring, only the file."""
    with tempfile.TemporaryDirectory() as home, target.open("wb") as out:
        result = subprocess.run(  # noqa: S603 - GnuPG itself, no shell
            [
                *_gpg(home),
                "--batch",
                "--trust-model=always",  # the operator chose this key file
                f"--recipient-file={public_key}",
                "--output=-",
                "--encrypt",
                str(source),
            ],
            stdout=out,
            stderr=subprocess.PIPE,
            check=False,
        )
    if result.returncode != 0:
        raise CommandError(f"gpg could not encrypt the backup: {_said(result)}")


@contextmanager
def _readable(source: Path):
    """`source` itself, or, when it is encrypted, its decryption in a private temporary
    folder that is removed afterwards. gpg decrypts with the restoring person's key ring
    (GNUPGHOME, ~/.gnupg) and asks them for its passphrase."""
    with source.open("rb") as handle:
        first = handle.read(1)
    # SQLite files begin "SQLite format 3", pg_dump's "PGDMP"; an OpenPGP packet's
    # first byte always has its high bit set.
    if not first or not first[0] & 0x80:
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="halte-restore-") as folder:
        plain = Path(folder) / "backup"
        result = subprocess.run(  # noqa: S603 - GnuPG itself, no shell
            [*_gpg(None), f"--output={plain}", "--decrypt", str(source)],
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"gpg could not decrypt {source}: {_said(result)}")
        yield plain


def _gpg(home: str | None) -> list[str]:
    program = shutil.which("gpg")
    if program is None:
        raise CommandError("gpg is not installed (Debian: apt-get install gnupg).")
    return [program, "--quiet", "--no-greeting", *([f"--homedir={home}"] if home else [])]


def _said(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace").strip()


# SQLite


def _sqlite_backup(target_path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(target_path)
    try:
        # pages=-1: the whole database in one step, within one read transaction.
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        _check_sqlite(target, target_path)
    finally:
        target.close()


def _sqlite_restore(source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        _check_sqlite(source, source_path)
        connection.ensure_connection()
        source.backup(connection.connection)  # through SQLite: the -wal stays consistent
    finally:
        source.close()


def _check_sqlite(database: sqlite3.Connection, path: Path) -> None:
    # The check evaluates CHECK constraints; Django's use REGEXP, which it defines.
    database.create_function("REGEXP", 2, _regexp, deterministic=True)
    (result,) = database.execute("PRAGMA quick_check").fetchone()
    if result != "ok":
        raise CommandError(f"{path} is not a sound SQLite database: {result}")


def _regexp(pattern, value) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


# PostgreSQL


def _pg_env() -> dict[str, str]:
    """libpq's variables for the configured database: the password never appears on a
    command line (where `ps` shows it)."""
    database = connection.settings_dict
    options = database.get("OPTIONS", {})
    env = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
        "PGSSLMODE": options.get("sslmode", ""),
    }
    return {**os.environ, **{name: value for name, value in env.items() if value}}


def _pg_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return program


def _pg_run(args: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, no shell
        args, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")


def _pg_dump(target_path: Path) -> None:
    _pg_run([_pg_program("pg_dump"), "--format=custom", "--no-password", f"--file={target_path}"])


def _pg_restore(source_path: Path) -> None:
    connection.close()  # pg_restore connects itself; nothing of ours holds a lock
    _pg_run(
        [
            _pg_program("pg_restore"),
            "--exit-on-error",
            "--single-transaction",  # all or nothing
            "--no-owner",  # the restoring role (the owner) owns what it makes
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source_path),
        ]
    )

"""Scenarios that need a database of their own run in a process of their own:
`python -m halte.core.tests.<module>` with DATABASE_URL pointing at it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(args: list[str], database_url: str, *, env=None, check=True, timeout=300):
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "halte.settings",
        "DATABASE_URL": database_url,
        **(env or {}),
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter with fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def migrate(database_url: str) -> None:
    run(["manage.py", "migrate", "--no-input", "-v0"], database_url)


def scenario(module: str, database_url: str, *args: str, env=None) -> dict:
    """Runs halte.core.tests.<module> and returns the JSON it printed last."""
    result = run(["-m", f"halte.core.tests.{module}", *args], database_url, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])

"""Settings come from the environment and refuse bad values with a clear message."""

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from halte.env import env_bool, env_choice, env_int, env_list, env_timezone

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "HALTE_ENV": "production",
    "SECRET_KEY": "k3y-" + "x7Qp9" * 12,
    "FIELD_ENCRYPTION_KEY": "nNeZhODWg83wVDu4rzCP2y6Ppfv3TJcgMFIBeS_2Yx2NywHjgqYaxNdU7_NY5kea",
    "TELEPHONY_WEBHOOK_SECRET": "t3l-" + "Hq4mW" * 8,
    # The audit chain's key and anchors (halte/audit/keys.py).
    "AUDIT_CHAIN_KEY": "ch41n-" + "Pz8Kw" * 8,
    "AUDIT_ANCHOR_FILE": f"{tempfile.gettempdir()}/halte-deploy-check-anchors.jsonl",
    "AUDIT_ANCHOR_SIGNING_KEY": "q1DqvEnkcVJ0Tf0gOUUHN3OB7Hqm0nWdXkRCJoBCkqs=",
    "ALLOWED_HOSTS": "halte.example.nl",
    "EMAIL_HOST": "smtp.example.nl",
    "DEFAULT_FROM_EMAIL": "Zorggroep De Halte <noreply@example.nl>",
    # Production names its SMS backend (halte/outreach/sms); files need no account.
    "SMS_BACKEND": "file",
    "DATABASE_URL": f"sqlite:///{tempfile.gettempdir()}/halte-deploy-check.sqlite3",
    # Production serves collected static files; `_manage(... "--deploy")` collects them
    # here first (once per test process).
    "HALTE_STATIC_ROOT": tempfile.mkdtemp(prefix="halte-static-"),
}
atexit.register(shutil.rmtree, PRODUCTION_ENV["HALTE_STATIC_ROOT"], ignore_errors=True)


def test_it_parses_booleans_strictly(monkeypatch):
    monkeypatch.setenv("HALTE_FLAG", "yes")
    assert env_bool("HALTE_FLAG", default=False) is True
    monkeypatch.setenv("HALTE_FLAG", "off")
    assert env_bool("HALTE_FLAG", default=True) is False
    monkeypatch.setenv("HALTE_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HALTE_FLAG must be true or false"):
        env_bool("HALTE_FLAG", default=False)


def test_it_parses_numbers_lists_choices_and_time_zones(monkeypatch):
    monkeypatch.setenv("HALTE_N", "abc")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("HALTE_N", 1)
    monkeypatch.setenv("HALTE_HOSTS", "a.nl,,b.nl")
    with pytest.raises(ImproperlyConfigured, match="without empty items"):
        env_list("HALTE_HOSTS", [])
    monkeypatch.setenv("HALTE_LANG", "fr")
    with pytest.raises(ImproperlyConfigured, match="must be one of en, nl"):
        env_choice("HALTE_LANG", "nl", {"nl", "en"})
    monkeypatch.setenv("HALTE_TZ", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="not a known time zone"):
        env_timezone("HALTE_TZ", "Europe/Amsterdam")


def collect_env(static_root) -> dict:
    """Production's environment for a quick collectstatic into `static_root`."""
    return {
        **PRODUCTION_ENV,
        "HALTE_STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "halte.core.tests.fast_static_settings",
    }


@functools.cache
def _collect_static(env: frozenset) -> None:
    """Collects with the apps `env` installs (HALTE_TASKS=rq brings django_rq's files)."""
    static_root = dict(env)["HALTE_STATIC_ROOT"]
    result = _run_manage(
        ["collectstatic", "--no-input", "-v0"], dict(env) | collect_env(static_root)
    )
    assert result.returncode == 0, result.stderr


def _manage(*args, env):
    if "--deploy" in args and env.get("HALTE_STATIC_ROOT") == PRODUCTION_ENV["HALTE_STATIC_ROOT"]:
        _collect_static(frozenset(env.items()))
    return _run_manage(list(args), env)


def _run_manage(args, env):
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_the_deployment_check_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_debug_in_production():
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "true"})
    assert "DEBUG must be false" in result.stderr


def test_it_prints_django_messages_once_under_debug():
    """`make demo` printed "Watching for file changes" twice: Django's own console
    handler and the root's. The autoreloader logs it as below."""
    say_it = (
        "import logging; "
        "logging.getLogger('django.utils.autoreload')"
        ".info('Watching for file changes with StatReloader')"
    )
    result = _manage("shell", "-c", say_it, env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Watching for file changes") == 1, result.stderr


def test_it_has_no_demo_seeding_in_production():
    # seed_demo makes logins with a printed password and can empty the client tables.
    result = _manage("seed_demo", "--clients", "1", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr
    assert _manage("help", "seed_demo", env={}).returncode == 0  # development has it


def test_it_refuses_to_start_in_production_without_a_mail_server():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr

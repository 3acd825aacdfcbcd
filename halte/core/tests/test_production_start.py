"""Production starts only when it can serve its pages, and with keys that protect BSNs."""

import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from halte.core.tests.test_settings import PRODUCTION_ENV, ROOT, _manage, _run_manage, collect_env
from halte.env import check_strong_secret

STRONG = "Jq0vW8m2Zk4xT1bN7rYc5uHs9dLp3eGf6aQi_oKz-VjXw"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    result = _run_manage(["collectstatic", "--no-input", "-v0"], collect_env(static_root))
    assert result.returncode == 0, result.stderr
    return static_root


def _serve(env, *paths) -> subprocess.CompletedProcess:
    """Loads the WSGI application gunicorn loads and asks it for `paths` over HTTPS
    (over HTTP for a path written "http:/...")."""
    script = (
        "import sys, halte.wsgi; from django.test import Client;"
        " client = Client(HTTP_HOST='halte.example.nl');"
        " [print(client.get(path.removeprefix('http:'), secure=not path.startswith('http:'))"
        ".status_code) for path in sys.argv[1:]]"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", script, *paths],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "halte.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_collected_static_files(tmp_path):
    env = {**PRODUCTION_ENV, "HALTE_STATIC_ROOT": str(tmp_path)}

    started = _serve(env, "/login/")

    assert started.returncode != 0
    assert "Halte cannot serve its pages: the static files are not collected" in started.stderr
    assert "manage.py collectstatic --no-input" in started.stderr


def test_the_deployment_check_names_the_missing_step(tmp_path):
    env = {**PRODUCTION_ENV, "HALTE_STATIC_ROOT": str(tmp_path)}

    result = _manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "halte.E001" in result.stderr
    assert "run `manage.py collectstatic --no-input`" in result.stderr


def test_after_collectstatic_production_serves_pages_and_their_static_files(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    stylesheet = manifest["paths"]["css/halte.css"]
    env = {**PRODUCTION_ENV, "HALTE_STATIC_ROOT": str(collected)}

    served = _serve(env, "/login/", f"/static/{stylesheet}")

    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == ["200", "200"]


def test_a_static_file_added_since_the_last_collectstatic_is_noticed(collected, tmp_path):
    stale = tmp_path / "static"
    subprocess.run(["cp", "-r", str(collected), str(stale)], check=True)  # noqa: S603, S607
    manifest = json.loads((stale / "staticfiles.json").read_text())
    del manifest["paths"]["img/favicon.svg"]
    (stale / "staticfiles.json").write_text(json.dumps(manifest))
    env = {**PRODUCTION_ENV, "HALTE_STATIC_ROOT": str(stale)}

    result = _manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "1 static file(s) are not collected since they were added" in result.stderr
    assert "img/favicon.svg" in result.stderr


def test_development_needs_no_collectstatic(tmp_path):
    result = _manage("check", "--deploy", env={"HALTE_STATIC_ROOT": str(tmp_path)})

    assert "halte.E001" not in result.stderr + result.stdout


# FIELD_ENCRYPTION_KEY encrypts BSNs at rest and keys their lookup hash.


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (STRONG[:39], "at least 40 characters"),
        ("ab" * 30, "does not look random"),
        ("0123456789" * 5, "does not look random"),
        ("development-only-secret-never-use-in-production-3f9a7c1e5b2d4", "development"),
        ("please-changeme-" + STRONG, "development or example value"),
    ],
)
def test_a_weak_field_encryption_key_is_refused(key, reason):
    with pytest.raises(ImproperlyConfigured, match=reason) as refused:
        check_strong_secret("FIELD_ENCRYPTION_KEY", key)
    assert "FIELD_ENCRYPTION_KEY" in str(refused.value)
    assert "secrets.token_urlsafe" in str(refused.value)


def test_a_random_key_of_40_characters_or_more_is_accepted():
    check_strong_secret("FIELD_ENCRYPTION_KEY", STRONG, not_equal_to={"SECRET_KEY": "other"})


def test_production_refuses_a_field_encryption_key_equal_to_the_secret_key():
    env = {
        **PRODUCTION_ENV,
        "SECRET_KEY": STRONG + "1234567",
        "FIELD_ENCRYPTION_KEY": STRONG + "1234567",
    }

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must differ from SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", [None, "short-key"])
def test_production_refuses_a_missing_or_weak_field_encryption_key(key):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "FIELD_ENCRYPTION_KEY"}
    if key is not None:
        env["FIELD_ENCRYPTION_KEY"] = key

    result = _manage("check", env=env)

    assert result.returncode != 0
    expected = "FIELD_ENCRYPTION_KEY must be set" if key is None else "at least 40 characters"
    assert expected in result.stderr


def test_the_load_balancer_asks_for_health_over_http_without_a_redirect(collected):
    env = {**PRODUCTION_ENV, "HALTE_STATIC_ROOT": str(collected)}

    served = _serve(env, "http:/health/", "http:/login/")

    assert served.returncode == 0, served.stderr
    health, login = served.stdout.split()
    assert health in {"200", "503"}  # answered here (this database has no tables)
    assert login == "301"  # everything else goes to HTTPS

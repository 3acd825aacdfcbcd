"""The SMS settings refuse what would send wrongly, before Halte starts."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
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
}
CM = {
    "SMS_BACKEND": "cm",
    "SMS_SENDER": "WijkzorgN",
    "CM_PRODUCT_TOKEN": "3f2b6c1e-8d4a-4b7e-9c0f-1a2b3c4d5e6f",
}
SHOW = (
    "from halte import settings as s; print(s.SMS_BACKEND, s.SMS_FILE_DIR, s.SMS_SENDER,"
    " s.CM_API_URL, s.SMS_MAX_SEGMENTS, s.SMS_TIMEOUT_SECONDS)"
)


def _settings(env):
    """Load halte.settings in a fresh interpreter with only `env` set."""
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "HALTE_VAR_DIR": "/srv/halte/var",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_outside_production_messages_go_to_files_under_var():
    result = _settings({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "file",
        "/srv/halte/var/sms",
        "Halte",
        "https://gw.cmtelecom.com/v1.0/message",
        "6",
        "10",
    ]


def test_production_must_name_a_backend_and_may_not_print_messages():
    result = _settings(PRODUCTION)
    assert result.returncode != 0
    assert "SMS_BACKEND must be set" in result.stderr
    result = _settings({**PRODUCTION, "SMS_BACKEND": "console"})
    assert "not in production" in result.stderr
    assert _settings({**PRODUCTION, "SMS_BACKEND": "file"}).returncode == 0
    assert _settings({**PRODUCTION, **CM}).returncode == 0


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({**PRODUCTION, **CM, "SMS_SENDER": ""}, "SMS_SENDER must be set"),
        ({**PRODUCTION, **CM, "CM_PRODUCT_TOKEN": ""}, "CM_PRODUCT_TOKEN must be set"),
        ({**CM, "CM_PRODUCT_TOKEN": "3f2b6c1e8d4a4b7e9c0f1a2b3c4d5e6f"}, "with its hyphens"),
        ({**PRODUCTION, **CM, "CM_API_URL": "http://gw.cmtelecom.com/v1.0/message"}, "https"),
        ({"SMS_BACKEND": "whatsapp"}, "SMS_BACKEND must be one of cm, console, file"),
        ({"SMS_SENDER": "Wijkzorg Noord"}, "SMS_SENDER must be at most 11"),
        ({"SMS_SENDER": "Zorg&Co"}, "SMS_SENDER must be at most 11"),
        ({"SMS_SENDER": "12345678901234567"}, "SMS_SENDER must be at most 11"),
        ({"SMS_MAX_SEGMENTS": "9"}, "SMS_MAX_SEGMENTS must be at most 8"),
        ({"SMS_TIMEOUT_SECONDS": "0"}, "SMS_TIMEOUT_SECONDS must be at least 1"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_variable(env, complaint):
    result = _settings(env)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_a_sender_may_be_a_number():
    result = _settings({"SMS_SENDER": "0031334612345"})
    assert result.returncode == 0, result.stderr

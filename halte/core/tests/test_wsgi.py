"""The WSGI entry point gunicorn loads: everything imported up front, then frozen."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_it_imports_the_views_and_freezes_them_out_of_the_collectors_reach():
    script = (
        "import gc, sys; import halte.wsgi;"
        " print(gc.get_freeze_count(), 'halte.contact.api' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "halte.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, views_imported = result.stdout.split()
    assert int(frozen) > 50_000
    assert views_imported == "True"

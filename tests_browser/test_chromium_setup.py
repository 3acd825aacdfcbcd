"""`make test` installs Chromium where it is missing (the Makefile's `chromium` step).

Driven through make itself with stand-ins: a Debian Chromium path that does not
exist, and apt-get and Playwright's installer replaced by `echo`, so nothing is
installed or removed here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


@pytest.fixture
def venv(tmp_path):
    """A stand-in for .venv that counts as installed (make must not pip install)."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    installed = tmp_path / "venv" / ".installed"
    installed.touch()
    later = (ROOT / "pyproject.toml").stat().st_mtime + 60
    os.utime(installed, (later, later))
    return tmp_path / "venv"


def _make(venv, *assignments, halte_chromium=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HALTE_CHROMIUM"}
    if halte_chromium:
        env["HALTE_CHROMIUM"] = halte_chromium
    return subprocess.run(  # noqa: S603 - our own Makefile with fixed arguments
        [  # noqa: S607 - make from PATH, as `make test` itself is run
            "make",
            "--no-print-directory",
            "chromium",
            f"VENV={venv}",
            "APT_GET=echo apt-get",
            "PLAYWRIGHT_INSTALL=echo playwright install chromium",
            *assignments,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_installs_nothing_when_debians_chromium_is_there(venv, tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch(mode=0o755)
    result = _make(venv, f"DEBIAN_CHROMIUM={chromium}", "USER_ID=0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_it_installs_debians_package_as_root(venv, tmp_path):
    result = _make(venv, f"DEBIAN_CHROMIUM={tmp_path}/missing", "USER_ID=0")
    assert result.returncode == 0, result.stderr
    assert "apt-get update\napt-get install -y chromium" in result.stdout
    assert "playwright" not in result.stdout


def test_it_downloads_playwrights_chromium_as_a_normal_user(venv, tmp_path):
    result = _make(venv, f"DEBIAN_CHROMIUM={tmp_path}/missing", "USER_ID=1000")
    assert result.returncode == 0, result.stderr
    assert "playwright install chromium" in result.stdout
    assert "apt-get" not in result.stdout


def test_it_uses_halte_chromium_and_refuses_one_that_is_missing(venv, tmp_path):
    chromium = tmp_path / "my-chromium"
    chromium.touch(mode=0o755)
    missing = f"DEBIAN_CHROMIUM={tmp_path}/missing"
    assert _make(venv, missing, halte_chromium=str(chromium)).stdout == ""
    result = _make(venv, missing, halte_chromium=str(tmp_path / "nothing"))
    assert result.returncode != 0
    assert "HALTE_CHROMIUM" in result.stdout

import csv
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def read_sample(name: str) -> list[dict]:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"sample data {path} is not beside the checkout")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A path to an SQLite file migrated by `manage.py migrate`, once per test run;
    copy it (`sqlite_copy`) before writing."""
    from halte.core.tests.scenario import migrate

    path = tmp_path_factory.mktemp("migrated") / "halte.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_copy(migrated_sqlite, tmp_path):
    import sqlite3

    copy = tmp_path / "var" / "halte.sqlite3"
    copy.parent.mkdir()
    with sqlite3.connect(migrated_sqlite) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    return copy

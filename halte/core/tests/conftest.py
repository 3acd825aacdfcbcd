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

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _first_chain_first():
    """A connection keeps to the chain it used last; each test starts from chain 1, so
    that one writer's entries are chain 1's, as on a fresh connection."""
    connection.halte_audit_chain = 1

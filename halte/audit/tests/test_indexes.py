"""Each filter of the log page reads through an index, on SQLite and PostgreSQL: the
log grows by an entry per request, so a filter that scans it gets slower every day."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from halte.audit.queries import AuditFilter, audit_entries

NOW = timezone.now()

# 20,000 reads by 400 people over about three years, none of the filters' values: each
# filter picks out a small share, as on a log in use. Rolled back with the test.
SPREAD_LOG_SQL = """
INSERT INTO audit_auditentry (seq, at, user_id, username, role, on_behalf_of, client_id,
    action, part, outcome, source_ip, purpose, prev_hash, hash, chain, position, key_id)
SELECT 1000000000 + g, now() - g * interval '80 minutes', NULL, 'spread' || (g % 400),
    'front_office', '', 100 + g % 5000, 'read', 'card', 'success', NULL, 'contact',
    '', '', 1, 1000000000 + g, ''
FROM generate_series(1, 20000) AS g
"""


@pytest.fixture
def plan(db):
    def explain(audit_filter: AuditFilter) -> str:
        query = audit_entries(audit_filter)[:51]
        if connection.vendor != "postgresql":
            return query.explain()
        # On a test's near-empty tables PostgreSQL rightly prefers reading them whole;
        # what matters here is that an index can serve the filter.
        # The planner decides by the tables' statistics, which an earlier test's load
        # (the demo seeding analyses the tables) leaves behind: a log of some size, with
        # its statistics, makes the plan the same whatever ran before.
        with connection.cursor() as cursor:
            cursor.execute(SPREAD_LOG_SQL)
            cursor.execute("ANALYZE audit_auditentry, audit_auditentryclient")
            cursor.execute("SET LOCAL enable_seqscan = off")
        return query.explain()

    return explain


@pytest.mark.parametrize(
    ("audit_filter", "indexes"),
    [
        (AuditFilter(client_id=5), ["audit_client_seq", "audit_entryclient_client"]),
        (AuditFilter(usernames=("kcc",)), ["audit_username_seq"]),
        (AuditFilter(usernames=("kcc", "nurse_noord")), ["audit_username_seq"]),
        (AuditFilter(outcome="denied"), ["audit_denied_seq"]),
        (AuditFilter(action="export"), ["audit_rare_action_seq"]),
        (AuditFilter(action="update"), ["audit_rare_action_seq"]),
        (AuditFilter(since=NOW - datetime.timedelta(days=7), until=NOW), ["_at_"]),
    ],
)
def test_each_filter_reads_through_an_index(plan, audit_filter, indexes):
    explained = plan(audit_filter)
    for index in indexes:
        assert index in explained, explained


@pytest.mark.parametrize(
    "audit_filter",
    [
        AuditFilter(client_id=5, outcome="denied", since=NOW),
        AuditFilter(client_id=5, usernames=("kcc",), action="read"),
        AuditFilter(usernames=("kcc",), action="update", outcome="denied"),
        AuditFilter(action="export", since=NOW - datetime.timedelta(days=30), until=NOW),
    ],
)
def test_combined_filters_read_through_an_index_of_one_of_them(plan, audit_filter):
    explained = plan(audit_filter)
    if connection.vendor == "postgresql":
        assert "Seq Scan on audit_auditentry " not in explained, explained
    else:
        assert "SCAN audit_auditentry\n" not in explained + "\n", explained
    assert "audit_" in explained.replace("audit_auditentry", ""), explained

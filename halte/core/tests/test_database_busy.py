"""A write lock held longer than the busy timeout: 503 with Retry-After, nothing written."""

from halte.core.tests.scenario import scenario


def test_a_locked_database_answers_503_and_writes_nothing(sqlite_copy):
    results = scenario(
        "busy_scenario",
        f"sqlite:///{sqlite_copy}",
        env={
            "SQLITE_BUSY_TIMEOUT": "1",
            "HALTE_VAR_DIR": str(sqlite_copy.parent),
            "DEBUG": "false",  # as in production: Django's handler500, not its debug page
        },
    )

    for held_by in ("api_other_program", "api_halte_job"):
        answer = results[held_by]
        assert answer["status"] == 503, answer
        assert answer["retry_after"] == "5"
        assert answer["content_type"].startswith("application/json")
        assert '"code": "service_unavailable"' in answer["body"]
    # Nothing half written: no contact and no audit entry while the lock was held.
    assert results["while_locked"] == results["before"]
    assert results["while_job"] == results["after_release"]
    # The Dutch page, with the same header.
    page = results["page_other_program"]
    assert (page["status"], page["retry_after"]) == (503, "5")
    assert "Halte is druk" in page["body"]
    assert "Er is niets opgeslagen" in page["body"]
    # Once the lock is free the same request succeeds: one contact, its audit entry.
    for answer, before, after in (
        ("api_after_release", "before", "after_release"),
        ("api_after_job", "after_release", "after_job"),
    ):
        assert results[answer]["status"] == 201, results[answer]
        assert results[after][0] == results[before][0] + 1
        assert results[after][1] > results[before][1]

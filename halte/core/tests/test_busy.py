"""Which database errors mean "busy, try again", and the 503 met outside a view."""

import json

import pytest
from django.db import OperationalError, ProgrammingError

from halte.core.busy import server_error
from halte.core.errors import is_database_busy


class _PostgresError(Exception):
    def __init__(self, sqlstate):
        self.sqlstate = sqlstate


def _wrapped(sqlstate):
    error = OperationalError("canceled")
    error.__cause__ = _PostgresError(sqlstate)
    return error


@pytest.mark.parametrize(
    ("error", "busy"),
    [
        (OperationalError("database is locked"), True),
        (OperationalError("database table is locked"), True),
        (_wrapped("55P03"), True),  # lock_timeout
        (_wrapped("40P01"), True),  # deadlock
        (_wrapped("40001"), True),  # serialization failure
        (_wrapped("57P01"), False),  # the server shut down: not a retry
        (OperationalError("no such table: core_user"), False),
        (ProgrammingError("database is locked"), False),
        (RuntimeError("database is locked"), False),
    ],
)
def test_it_tells_a_busy_database_from_other_errors(error, busy):
    assert is_database_busy(error) is busy


def _handled(request, error):
    try:
        raise error
    except Exception:  # as Django calls handler500: inside the except block
        return server_error(request)


@pytest.mark.django_db
def test_a_busy_database_met_outside_a_view_is_503_not_500(rf):
    api = _handled(rf.get("/api/v1/clients"), OperationalError("database is locked"))
    page = _handled(rf.get("/werkplek/"), OperationalError("database is locked"))
    other = _handled(rf.get("/werkplek/"), OperationalError("disk I/O error"))

    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert json.loads(api.content)["error"]["code"] == "service_unavailable"
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "Er is niets opgeslagen" in page.content.decode()
    assert other.status_code == 500
    assert not other.has_header("Retry-After")


# Met in a view: DatabaseBusy, in the middleware stack.


@pytest.mark.urls("halte.core.tests.busy_urls")
def test_a_busy_database_met_in_a_view_is_503_with_retry_after(client, personas):
    client.force_login(personas["front_office"])

    api = client.get("/api/v1/druk")
    page = client.get("/werkplek/druk/")

    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert json.loads(api.content)["error"]["code"] == "service_unavailable"
    assert (page.status_code, page["Retry-After"]) == (503, "5")
    assert "Er is niets opgeslagen" in page.content.decode()


@pytest.mark.urls("halte.core.tests.busy_urls")
def test_another_database_error_in_a_view_is_not_turned_into_503(personas):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(personas["front_office"])

    failed = client.get("/werkplek/kapot/")

    assert failed.status_code == 500
    assert not failed.has_header("Retry-After")


@pytest.mark.urls("halte.core.tests.busy_urls")
def test_the_busy_page_is_the_signed_in_persons_page(client, personas):
    """Their menu, and a language switch that returns to the page asked for and
    carries its CSRF token (rendered with the request)."""
    client.force_login(personas["front_office"])

    page = client.get("/werkplek/druk/?van=lijst").content.decode()

    assert 'href="/werkplek/"' in page  # the workplace in the menu
    assert 'name="next" type="hidden" value="/werkplek/druk/?van=lijst"' in page
    assert 'name="csrfmiddlewaretoken"' in page

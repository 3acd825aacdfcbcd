"""A session ends after HALTE_SESSION_IDLE_MINUTES without activity and at most
HALTE_SESSION_MAX_HOURS after signing in; the workplace's own polling is no activity."""

import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from halte.core.roles import Role
from halte.core.sessions import LAST_ACTIVITY, SIGNED_IN_AT, SessionLimits, background_poll
from halte.core.tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
LOGIN = reverse("core:login")
WORKPLACE = reverse("contact:workplace")
CALL_POP = reverse("contact:call_pop")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def start():
    # A whole second, as the session's clock keeps time: the limits hold to the second.
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def agent(db, client, start, settings):
    """A front-office agent with a phone, signed in at `start`; pages in Dutch."""
    settings.LANGUAGE_CODE = "nl"
    user = UserFactory(username="agent", role=Role.FRONT_OFFICE, phone_extension="201")
    with time_machine.travel(start, tick=False):
        client.force_login(user)
    return client


def _at(start, minutes, seconds=0):
    moment = start + datetime.timedelta(minutes=minutes, seconds=seconds)
    return time_machine.travel(moment, tick=False)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_workplace_polls_the_call_pop(agent, start):
    with _at(start, 1):
        page = agent.get(WORKPLACE).content.decode()
    assert f'hx-get="{CALL_POP}' in page and 'hx-trigger="every 1s"' in page


def test_activity_keeps_the_session_and_idleness_ends_it(agent, start):
    with _at(start, 29):
        assert agent.get(WORKPLACE).status_code == 200
    with _at(start, 58):
        assert agent.get(WORKPLACE).status_code == 200
    with _at(start, 89):
        response = agent.get(WORKPLACE)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={WORKPLACE.replace('/', '%2F')}"
    assert not _signed_in(agent)
    with _at(start, 89):
        login_page = agent.get(response["Location"]).content.decode()
    assert "U bent afgemeld omdat u 30 minuten niets hebt gedaan." in login_page


def test_the_call_pop_polling_is_no_activity(agent, start):
    for minute in (5, 10, 20, 29):
        with _at(start, minute):
            assert agent.get(CALL_POP, {"shown": ""}, **HTMX).status_code == 204
    with _at(start, 30):
        response = agent.get(CALL_POP, {"shown": ""}, **HTMX)

    # htmx loads the sign-in page as a whole instead of swapping it into the pop-up.
    assert response.status_code == 204
    assert response["HX-Redirect"] == LOGIN
    assert not _signed_in(agent)


def test_an_expired_htmx_request_is_told_to_load_the_sign_in_page(agent, start):
    with _at(start, 31):
        response = agent.get(WORKPLACE, **HTMX)
    assert response["HX-Redirect"] == LOGIN
    assert response.content == b""


def test_a_session_ends_after_its_maximum_age_however_active(agent, start, settings):
    settings.HALTE_SESSION_MAX_HOURS = 2
    for minute in range(20, 120, 20):
        with _at(start, minute):
            assert agent.get(WORKPLACE).status_code == 200
    with _at(start, 120):
        response = agent.get(WORKPLACE)
        assert response.status_code == 302
        login_page = agent.get(response["Location"]).content.decode()
    assert "een sessie duurt hoogstens 2 uur" in login_page
    assert not _signed_in(agent)


def test_the_idle_time_is_a_setting(agent, start, settings):
    settings.HALTE_SESSION_IDLE_MINUTES = 5
    with _at(start, 4):
        assert agent.get(WORKPLACE).status_code == 200
    with _at(
        start,
        9,
    ):
        assert agent.get(WORKPLACE).status_code == 302


@pytest.mark.parametrize(("first_request", "signed_in_at_5"), [(59, False), (60, True)])
def test_activity_is_written_to_the_session_once_a_minute(
    agent, start, settings, first_request, signed_in_at_5
):
    """A session write is a database write: activity within a minute of the last one
    written is not written, so a session may end up to a minute early."""
    settings.HALTE_SESSION_IDLE_MINUTES = 5
    with _at(start, 0, first_request):
        assert agent.get(WORKPLACE).status_code == 200
    with _at(start, 5):
        assert (agent.get(WORKPLACE).status_code == 200) is signed_in_at_5


def test_a_session_from_before_the_limits_starts_its_clock_at_its_next_request(agent, start):
    session = agent.session
    del session[SIGNED_IN_AT], session[LAST_ACTIVITY]
    session.save()
    with _at(start, 100):
        assert agent.get(WORKPLACE).status_code == 200
    with _at(start, 129):
        assert agent.get(CALL_POP, {"shown": ""}, **HTMX).status_code == 204
    with _at(start, 130):
        assert agent.get(WORKPLACE).status_code == 302
    assert not _signed_in(agent)


@pytest.mark.parametrize("polled", [False, True])
def test_a_view_marked_as_polled_by_the_browser_is_no_activity(rf, db, start, polled):
    """The mark on the view decides (the workplace's call pop and the announcement's
    progress carry it), not anything the request says."""

    def view(request):
        return HttpResponse("seen")

    view = background_poll(view) if polled else view
    request = rf.get("/")
    request.user, request.session = UserFactory(), SessionStore()
    signed_in_at = int(start.timestamp())
    request.session.update({SIGNED_IN_AT: signed_in_at, LAST_ACTIVITY: signed_in_at})
    limits = SessionLimits(view)

    with _at(start, 2):
        assert limits.process_view(request, view, (), {}) is None
        assert view(request).content == b"seen"
    written = request.session[LAST_ACTIVITY] - signed_in_at
    assert written == (0 if polled else 120)


def test_the_api_answers_an_expired_session_with_401(agent, start):
    with _at(start, 31):
        response = agent.get("/api/v1/callers", {"number": "0612345678"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_session_cookie_lasts_no_longer_than_the_maximum(settings):
    from django.conf import settings as live

    assert live.SESSION_COOKIE_AGE == live.HALTE_SESSION_MAX_HOURS * 3600


def _check(env):
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "DATABASE_URL": f"sqlite:///{tempfile.gettempdir()}/halte-session-check.sqlite3",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HALTE_SESSION_MAX_HOURS": "13"}, "HALTE_SESSION_MAX_HOURS must be at most 12"),
        (
            {"HALTE_SESSION_MAX_HOURS": "1", "HALTE_SESSION_IDLE_MINUTES": "90"},
            "HALTE_SESSION_IDLE_MINUTES must not be longer",
        ),
        ({"HALTE_SIGNIN_ADDRESS_LIMIT": "51"}, "must be at most 50 a clock hour"),
    ],
)
def test_it_refuses_limits_beyond_the_rules(env, message):
    result = _check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_accepts_the_address_limit_at_its_bound():
    result = _check({"HALTE_SIGNIN_ADDRESS_LIMIT": "50"})
    assert result.returncode == 0, result.stderr

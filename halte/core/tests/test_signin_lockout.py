"""Guessing at the sign-in: a username and address that keep failing are locked out
for a cooling-off period, and one address may fail only so often an hour in all."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from halte.core import signin
from halte.core.tests.factories import PASSWORD

LOGIN = reverse("core:login")
GUESSER = "192.0.2.66"
COLLEAGUE = "192.0.2.77"


def _sign_in(client, username, password, address=GUESSER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _at(moment, **delta):
    return time_machine.travel(moment + datetime.timedelta(**delta), tick=False)


def _in_the_hour(minute: int) -> datetime.datetime:
    """A whole second this hour, `minute` past: the address counts per clock hour."""
    return timezone.now().replace(minute=minute, second=0, microsecond=0)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.fixture
def dutch(settings):
    settings.LANGUAGE_CODE = "nl"


def test_five_wrong_passwords_lock_the_username_and_address_out(client, personas, dutch):
    for _ in range(4):
        assert _sign_in(client, "kcc", "wrong password").status_code == 200
    locked = _sign_in(client, "kcc", "wrong password")
    assert locked.status_code == 429
    assert "Te veel pogingen om in te loggen" in locked.content.decode()

    refused = _sign_in(client, "kcc", PASSWORD)

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60
    # The last failure was a moment ago: its minute, or the one before at an edge.
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=15))
    times = {f"{until - datetime.timedelta(seconds=s):%H:%M}" for s in (0, 5)}
    assert any(f"Probeer het opnieuw na {time}" in refused.content.decode() for time in times)


def test_the_lockout_holds_the_combination_only(client, personas):
    for _ in range(5):
        _sign_in(client, "kcc", "wrong password")

    assert _signed_in(_sign_in(client, "kcc", PASSWORD, address=COLLEAGUE))
    client.logout()
    assert _signed_in(_sign_in(client, "planner", PASSWORD))


def test_the_right_password_works_again_after_the_cooling_off(client, personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _sign_in(client, "kcc", "wrong password")
        assert _sign_in(client, "kcc", PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert _sign_in(client, "kcc", PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert _signed_in(_sign_in(client, "kcc", PASSWORD))


def test_at_the_very_end_of_the_cooling_off_the_wait_is_a_second(client, personas):
    """axes still holds the combination at the last instant of its cooling-off; the
    page said another 15 minutes there (the fallback) instead of the one second left."""
    start = timezone.now().replace(microsecond=0)
    with _at(start):
        for _ in range(5):
            _sign_in(client, "kcc", "wrong password")
    with _at(start, minutes=15):
        refused = _sign_in(client, "kcc", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"


def test_the_wait_is_that_of_this_name_and_address_not_of_another_lockout(
    client, personas, settings
):
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 30  # 11 failures from the address: not held
    start = timezone.now()
    with _at(start):
        for _ in range(5):
            _sign_in(client, "kcc", "wrong password")
    with _at(start, minutes=5):  # later lockouts of another name, and of another address
        for _ in range(5):
            _sign_in(client, "planner", "wrong password")
            _sign_in(client, "kcc", "wrong password", address=COLLEAGUE)
    with _at(start, minutes=10):
        refused = _sign_in(client, "kcc", PASSWORD)
    assert 4 * 60 < int(refused["Retry-After"]) <= 5 * 60


def test_attempts_during_the_lockout_do_not_move_its_end(client, personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _sign_in(client, "kcc", "wrong password")
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        refused = _sign_in(client, "kcc", "wrong password")
        assert refused.status_code == 429
        assert 4 * 60 < int(refused["Retry-After"]) <= 5 * 60
    with time_machine.travel(start + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert _signed_in(_sign_in(client, "kcc", PASSWORD))


def test_a_success_before_the_limit_starts_the_count_again(client, personas):
    for _ in range(4):
        _sign_in(client, "kcc", "wrong password")
    assert _signed_in(_sign_in(client, "kcc", PASSWORD))
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "kcc", "wrong password").status_code == 200
    assert _signed_in(_sign_in(client, "kcc", PASSWORD))


def test_one_address_may_fail_only_so_often_an_hour_over_all_usernames(client, personas, settings):
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 12
    start = timezone.now().replace(minute=5, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        # Three guesses at each of four names: no combination reaches its limit of 5.
        for name in ("kcc", "planner", "manager", "nobody-here"):
            for _ in range(3):
                _sign_in(client, name, "wrong password")
        refused = _sign_in(client, "admin", PASSWORD)
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) == 55 * 60
        assert "_auth_user_id" not in client.session
        # Another address is not held.
        assert _signed_in(_sign_in(client, "admin", PASSWORD, address=COLLEAGUE))
    client.logout()
    with time_machine.travel(start + datetime.timedelta(minutes=55, seconds=1), tick=False):
        assert _signed_in(_sign_in(client, "admin", PASSWORD))


def test_the_failure_that_reaches_the_address_limit_shows_the_lockout_page(
    client, personas, settings
):
    """It waits for the hour's end, not for a cooling-off of the names that failed."""
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 3
    with _at(_in_the_hour(50)):
        assert _sign_in(client, "kcc", "wrong").status_code == 200
        assert _sign_in(client, "planner", "wrong").status_code == 200
        locked = _sign_in(client, "manager", "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(10 * 60)


@pytest.mark.parametrize(("minute", "wait"), [(5, 55 * 60), (55, 15 * 60)])
def test_when_the_address_and_the_name_are_both_held_the_later_end_counts(
    client, personas, settings, minute, wait
):
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 8
    with _at(_in_the_hour(minute)):
        for name in ["kcc"] * 5 + ["planner"] * 3:
            _sign_in(client, name, "wrong password")
        refused = _sign_in(client, "kcc", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(wait)


def test_the_wait_is_a_second_at_least(client, personas, settings):
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 1
    with _at(_in_the_hour(59), seconds=59.5):
        locked = _sign_in(client, "kcc", "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == "1"


def test_the_lockout_page_still_switches_the_language(client, personas, settings):
    """The page is rendered for the request: the language switch carries its CSRF token."""
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 1
    page = _sign_in(client, "kcc", "wrong").content.decode()
    assert 'name="csrfmiddlewaretoken" value="' in page
    assert f'name="next" type="hidden" value="{LOGIN}"' in page


def test_an_unknown_username_is_kept_as_a_fingerprint_not_as_typed(client, personas):
    from axes.models import AccessAttempt

    typed = "Zomer2026!geheim"  # a password typed into the username field
    for _ in range(5):
        _sign_in(client, typed, "whatever")

    stored = list(AccessAttempt.objects.values_list("username", "post_data", "get_data"))
    assert len(stored) == 1
    assert stored[0][0].startswith("?") and len(stored[0][0]) == 9
    assert all(typed not in value for value in stored[0])
    # The same text keeps the same fingerprint: the series stays one and is locked out.
    assert _sign_in(client, typed, "whatever").status_code == 429


def test_a_known_username_with_a_wrong_password_is_counted_under_its_name(client, personas):
    from axes.models import AccessAttempt

    _sign_in(client, "kcc", "secret guess")

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == ("kcc", GUESSER)
    assert "secret guess" not in attempt.post_data


@pytest.mark.parametrize(
    ("form", "credentials", "expected"),
    [
        ({"username": "kcc"}, None, "kcc"),  # axes' calls without credentials
        (None, {"username": "kcc"}, "kcc"),
        ({}, {"username": "kcc"}, "kcc"),  # a request without the form
        ({"username": "planner"}, {"username": "kcc"}, "kcc"),
    ],
)
def test_the_attempted_username_comes_from_the_credentials_else_the_form(
    rf, personas, form, credentials, expected
):
    request = None if form is None else rf.post(LOGIN, form)
    assert signin.attempted_username(request, credentials) == expected


def test_the_address_limit_refuses_and_flags_the_lockout_itself(rf, personas, settings):
    """Before any password is checked; axes' middleware answers a flagged request."""
    settings.HALTE_SIGNIN_ADDRESS_LIMIT = 1
    request = rf.post(LOGIN, REMOTE_ADDR=GUESSER)
    backend = signin.AddressLimitBackend()
    assert backend.authenticate(request, username="kcc", password=PASSWORD) is None
    signin.count_address_failure(None, {}, request=request)

    request = rf.post(LOGIN, REMOTE_ADDR=GUESSER)
    with pytest.raises(PermissionDenied):
        backend.authenticate(request, username="kcc", password=PASSWORD)
    assert request.axes_locked_out is True
    assert backend.authenticate(rf.post(LOGIN, REMOTE_ADDR=COLLEAGUE), username="kcc") is None

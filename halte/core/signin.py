"""Guessing at the sign-in: what django-axes is told, and the limit it cannot express.

django-axes locks out a username and address together after
AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME (settings). Its limits are one
number for every lockout parameter, so "far fewer per account, at most 100 an hour
per address" (OWASP ASVS L2) needs a second limit of its own: AddressLimitBackend
refuses an address that failed HALTE_SIGNIN_ADDRESS_LIMIT times in the current hour,
counted in core.RateCounter (halte/core/ratelimit.py) by the failure signal.

Both refusals go through django.contrib.auth.authenticate: a backend raises
PermissionDenied, authenticate sends user_login_failed, and axes' middleware answers
with `lockout_response`, a Dutch page with status 429 saying when to try again.
"""

import hashlib
import hmac
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from halte.core import ratelimit

ADDRESS_WINDOW_SECONDS = 3600
UNKNOWN_ACCOUNT_PREFIX = "?"  # Django's username validator never allows it


def client_address(request) -> str | None:
    # REMOTE_ADDR only, as the audit log and axes (AXES_IPWARE_META_PRECEDENCE_ORDER)
    # take it: a proxy deployment has its proxy rewrite REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def _address_key(address: str | None) -> str:
    return f"signin-address:{address or '-'}"


def unknown_account_label(typed: str) -> str:
    """What stands for a username that names no account: `?` and 8 hex digits of an
    HMAC of what was typed. People type their password into the username field; the
    audit log cannot be changed afterwards, so what they typed is never stored. The
    same text gives the same label, so repeated guesses still show as one series."""
    digest = hmac.new(settings.SECRET_KEY.encode(), typed.encode(), hashlib.sha256)
    return UNKNOWN_ACCOUNT_PREFIX + digest.hexdigest()[:8]


def attempted_username(request, credentials: dict | None) -> str:
    """The username axes keys its attempts on (AXES_USERNAME_CALLABLE) and the audit
    log names: the account's username when one has it, else `unknown_account_label`."""
    field = get_user_model().USERNAME_FIELD
    typed = (credentials or {}).get(field)
    if typed is None and request is not None:
        typed = request.POST.get(field)
    typed = str(typed or "")
    if typed and get_user_model()._default_manager.filter(**{field: typed}).exists():
        return typed
    return unknown_account_label(typed)


def _address_window() -> ratelimit.Window:
    return ratelimit.Window.current(ADDRESS_WINDOW_SECONDS)


class AddressLimitBackend:
    """Refuses every sign-in from an address that failed too often this hour; it signs
    nobody in itself. Listed after axes' backend, before the ones that check passwords.
    It has no get_user(): a session is never this backend's (force_login and the
    session take the first backend that has one)."""

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        key = _address_key(client_address(request))
        if ratelimit.count(key, _address_window()) >= settings.HALTE_SIGNIN_ADDRESS_LIMIT:
            request.axes_locked_out = True  # axes' middleware answers with lockout_response
            # No message: authenticate() swallows it; the lockout page says why.
            raise PermissionDenied
        return None


@receiver(user_login_failed, dispatch_uid="halte.core.signin.count_address_failure")
def count_address_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    failures = ratelimit.hit(_address_key(client_address(request)), _address_window())
    if failures >= settings.HALTE_SIGNIN_ADDRESS_LIMIT:
        request.axes_locked_out = True


def _account_locked_until(request, credentials) -> timezone.datetime | None:
    """When axes lets this username and address try again, if it holds them now."""
    last_failure = (
        AccessAttempt.objects.filter(
            username=attempted_username(request, credentials),
            ip_address=client_address(request),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return last_failure + settings.AXES_COOLOFF_TIME if last_failure else None


def locked_until(request, credentials=None):
    """The moment this address (and username) may try again."""
    now = timezone.now()
    until = None
    address_window = _address_window()
    key = _address_key(client_address(request))
    if ratelimit.count(key, address_window) >= settings.HALTE_SIGNIN_ADDRESS_LIMIT:
        until = now + timedelta(seconds=address_window.retry_after)
    account_until = _account_locked_until(request, credentials)
    if account_until is not None and account_until > now:
        until = max(until, account_until) if until else account_until
    # Neither holds any more: axes refused at the very end of the cooling-off and then
    # deleted the attempts (in this request). The next try may go.
    return until or now


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Dutch lockout page, 429 with Retry-After."""
    until = locked_until(request, credentials)
    seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    response = render(request, "registration/locked_out.html", {"until": until}, status=429)
    response["Retry-After"] = str(seconds)
    return response

"""How long a signed-in session lasts: HALTE_SESSION_IDLE_MINUTES without activity,
and HALTE_SESSION_MAX_HOURS after signing in, whatever happens.

The workplace asks the server every second whether a call came in, and a running
announcement shows its progress every two seconds. Those requests are the browser's,
not the person's: a view polled that way is marked `@background_poll`, and its
requests do not count as activity (they still end an expired session, so a screen
left alone goes back to the sign-in page). The mark sits on the view, in the code,
so no request header a page sends decides what counts.

The last activity is written to the session at most once a minute (a session write
is a database write): a session may end up to a minute before the full idle time.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext_lazy as _

SIGNED_IN_AT = "halte_signed_in_at"
LAST_ACTIVITY = "halte_last_activity"
ACTIVITY_PRECISION_SECONDS = 60

IDLE = "idle"
MAX_AGE = "max_age"
ENDED_IDLE = _("You were signed out after %(minutes)s minutes without activity. Sign in again.")
ENDED_MAX_AGE = _("You were signed out: a session lasts at most %(hours)s hours. Sign in again.")


def background_poll(view):
    """Marks a view the browser polls on its own: its requests are not activity."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapper.background_poll = True
    return wrapper


@receiver(user_logged_in, dispatch_uid="halte.core.sessions.start_clock")
def start_clock(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now


def expiry_reason(session, now: float) -> str | None:
    """Why this session has ended (IDLE, MAX_AGE), or None while it holds."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_activity = session.get(LAST_ACTIVITY, signed_in_at)
    if signed_in_at is None:
        # A session from before these limits: its clock starts now.
        return None
    if now - signed_in_at >= settings.HALTE_SESSION_MAX_HOURS * 3600:
        return MAX_AGE
    if now - last_activity >= settings.HALTE_SESSION_IDLE_MINUTES * 60:
        return IDLE
    return None


def _ended_message(reason: str) -> str:
    if reason == MAX_AGE:
        return ENDED_MAX_AGE % {"hours": settings.HALTE_SESSION_MAX_HOURS}
    return ENDED_IDLE % {"minutes": settings.HALTE_SESSION_IDLE_MINUTES}


def _to_sign_in(request):
    # request.htmx: django-htmx's middleware sets it before any process_view runs.
    login_url = resolve_url(settings.LOGIN_URL)
    if request.method == "GET" and not request.htmx:
        login_url += "?" + urlencode({"next": request.get_full_path()})
    if request.htmx:
        # htmx would swap the sign-in page into a fragment; it loads it whole instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return redirect(login_url)


class SessionLimits:
    """Ends a session that was idle too long or is too old, before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        session = request.session
        now = time.time()
        if SIGNED_IN_AT not in session:
            start_clock(None, request, request.user)
            return None
        reason = expiry_reason(session, now)
        if reason is not None:
            # The audit log's sign-out entry says why (halte.audit.signin).
            request.session_end_reason = reason
            logout(request)
            messages.warning(request, _ended_message(reason))
            if request.path.startswith("/api/"):
                return None  # the API answers an anonymous caller with its own 401
            return _to_sign_in(request)
        is_activity = not getattr(view_func, "background_poll", False)
        if is_activity and now - session.get(LAST_ACTIVITY, 0) >= ACTIVITY_PRECISION_SECONDS:
            session[LAST_ACTIVITY] = int(now)
        return None

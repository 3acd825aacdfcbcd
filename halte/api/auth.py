"""Who is calling: a bearer token or the browser session, and the Actor built from it.

Every authenticated request gets `request.actor`, which the services and the audit
log take; a token's name goes into the log as `on_behalf_of`.
"""

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from halte.api.models import ApiToken, hash_token
from halte.audit.context import Actor
from halte.audit.models import Purpose
from halte.core import ratelimit
from halte.core.api.errors import ApiError
from halte.core.models import RateCounter
from halte.core.sql import Columns, hot_cursor

# Recording every use would make each read a write; a minute is precise enough
# to see whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)
INVALID_TOKEN = _("The token is unknown, revoked or expired.")
BAD_TOKENS_FROM_ADDRESS = _(
    "Too many unknown, revoked or expired tokens from this address; try again after "
    "%(seconds)s seconds."
)
TOKEN_RATE_EXCEEDED = _(
    "This token made more than %(limit)s calls this minute; try again after %(seconds)s seconds."
)
# Bad tokens are counted per address in windows of 10 minutes (HALTE_API_BAD_TOKEN_LIMIT
# a window), a token's calls per minute (HALTE_API_TOKEN_RATE_PER_MINUTE).
BAD_TOKEN_WINDOW_SECONDS = 600
TOKEN_RATE_WINDOW_SECONDS = 60
CSRF_FAILED = _("The CSRF check failed; reload the page and try again.")


def _source_ip(request) -> str | None:
    # REMOTE_ADDR only, as in audit.context.actor_from_request.
    return request.META.get("REMOTE_ADDR") or None


def _touch(api_token: ApiToken) -> None:
    now = timezone.now()
    if api_token.last_used_at and now - api_token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=api_token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    api_token.last_used_at = now


_TOKEN = Columns(ApiToken, "t")
_USER = Columns(get_user_model(), "u")
_COUNTER = Columns(RateCounter, "c")


@cache
def _token_sql() -> str:
    """Every API call runs this, so it is plain SQL: compiling the ORM's
    select_related("user") cost more than running it (0.7 ms a call). The same
    statement refuses every token from an address that sent too many bad ones
    (its counter's row, by primary key), so a blocked address cannot try tokens."""
    return (
        f"SELECT {_TOKEN.sql}, {_USER.sql} FROM {_TOKEN.table}"  # noqa: S608
        f" INNER JOIN {_USER.table} ON {_TOKEN.column('user')} = {_USER.column('pk')}"
        f" WHERE {_TOKEN.column('token_hash')} = %s AND {_TOKEN.column('revoked_at')} IS NULL"
        f" AND ({_TOKEN.column('expires_at')} IS NULL OR {_TOKEN.column('expires_at')} > %s)"
        f" AND NOT EXISTS (SELECT 1 FROM {_COUNTER.table}"
        f" WHERE {_COUNTER.column('key')} = %s AND {_COUNTER.column('window')} = %s"
        f" AND {_COUNTER.column('count')} > %s)"
    )


def _bad_token_key(address: str | None) -> str:
    return f"api-bad-token:{address or '-'}"


def token_for(raw: str, address: str | None = None) -> ApiToken | None:
    """The live token `raw` stands for, with its user, or None: None too when it is
    revoked or expired, its user deactivated, or `address` sent too many bad tokens.
    Read on every call, so a revocation or an expiry counts from the next request."""
    if not raw or len(raw) > 200:
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    window = ratelimit.Window.current(BAD_TOKEN_WINDOW_SECONDS)
    with hot_cursor() as cursor:
        cursor.execute(
            _token_sql(),
            [
                hash_token(raw),
                now,
                _bad_token_key(address),
                window.start,
                settings.HALTE_API_BAD_TOKEN_LIMIT,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    api_token = _TOKEN.instance(row)
    api_token.user = _USER.instance(row, len(_TOKEN))
    if not api_token.user.is_active:
        return None
    return api_token


def _refuse_bad_token(address: str | None):
    """401 for a bad token; 429 once the address sent too many in the window."""
    window = ratelimit.Window.current(BAD_TOKEN_WINDOW_SECONDS)
    if ratelimit.hit(_bad_token_key(address), window) > settings.HALTE_API_BAD_TOKEN_LIMIT:
        raise ApiError(
            429,
            BAD_TOKENS_FROM_ADDRESS % {"seconds": window.retry_after},
            headers={"Retry-After": str(window.retry_after)},
        )
    raise ApiError(401, INVALID_TOKEN)


def _check_rate(api_token: ApiToken) -> None:
    """One upsert a call: the token's count in this minute."""
    window = ratelimit.Window.current(TOKEN_RATE_WINDOW_SECONDS)
    limit = settings.HALTE_API_TOKEN_RATE_PER_MINUTE
    if ratelimit.hit(f"api-token:{api_token.pk}", window) > limit:
        raise ApiError(
            429,
            TOKEN_RATE_EXCEEDED % {"limit": limit, "seconds": window.retry_after},
            headers={"Retry-After": str(window.retry_after)},
        )


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a wrong token is a 401 even with a session."""

    def authenticate(self, request, token):
        address = _source_ip(request)
        api_token = token_for(token.strip(), address)
        if api_token is None:
            _refuse_bad_token(address)
        _check_rate(api_token)
        _touch(api_token)
        request.api_token = api_token
        # A token is a system talking for its user: the log says which and why.
        request.actor = Actor(
            user=api_token.user,
            source_ip=address,
            on_behalf_of=api_token.name,
            purpose=Purpose.INTEGRATION,
        )
        return api_token.user


class Session(SessionAuth):
    """The app's own pages: Django's session, with its CSRF check on writes."""

    def _get_key(self, request):
        # Without a logged-in user there is nothing to protect from forgery: the
        # answer is a 401, not a CSRF failure.
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(403, CSRF_FAILED)
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.api_token = None
            request.actor = Actor(user=user, source_ip=_source_ip(request))
        return user

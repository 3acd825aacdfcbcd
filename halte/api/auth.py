"""Who is calling: a bearer token or the browser session, and the Actor built from it.

Every authenticated request gets `request.actor`, which the services and the audit
log take; a token's name goes into the log as `on_behalf_of`.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from halte.api.models import ApiToken, hash_token
from halte.audit.context import Actor
from halte.audit.models import Purpose
from halte.core.api.errors import ApiError
from halte.core.sql import Columns, hot_cursor

# Recording every use would make each read a write; a minute is precise enough
# to see whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)
INVALID_TOKEN = _("The token is unknown or revoked.")
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
# Every API call runs this, so it is plain SQL: compiling the ORM's
# select_related("user") cost more than running it (0.7 ms a call).
_TOKEN_SQL = (
    f"SELECT {_TOKEN.sql}, {_USER.sql} FROM {_TOKEN.table}"  # noqa: S608
    f" INNER JOIN {_USER.table} ON {_TOKEN.column('user')} = {_USER.column('pk')}"
    f" WHERE {_TOKEN.column('token_hash')} = %s AND {_TOKEN.column('revoked_at')} IS NULL"
)


def token_for(raw: str) -> ApiToken | None:
    """The live token `raw` stands for, with its user, or None. Read on every call, so
    a revoked token or a deactivated user is refused from the next request on."""
    if not raw or len(raw) > 200:
        return None
    with hot_cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [hash_token(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    api_token = _TOKEN.instance(row)
    api_token.user = _USER.instance(row, len(_TOKEN))
    if not api_token.user.is_active:
        return None
    return api_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; a wrong token is a 401 even with a session."""

    def authenticate(self, request, token):
        api_token = token_for(token.strip())
        if api_token is None:
            raise ApiError(401, INVALID_TOKEN)
        _touch(api_token)
        request.api_token = api_token
        # A token is a system talking for its user: the log says which and why.
        request.actor = Actor(
            user=api_token.user,
            source_ip=_source_ip(request),
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

"""Who signs in with a second factor, and whether this session still waits for it.

With HALTE_TWO_FACTOR on (always in production), every role that sees client data,
the audit log or the staff administration needs one. Whoever has enrolled a factor is
asked for it even when it is off: the factor protects their account either way.
"""

from django.conf import settings
from django_otp import devices_for_user

from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope, Role

# Set at sign-in: whether the person had a confirmed factor then. Reading it from the
# session keeps the pages from asking the database for devices on every request.
HAS_FACTOR_KEY = "halte_has_second_factor"

_SENSITIVE_CAPABILITIES = frozenset({Capability.VIEW_AUDIT_LOG, Capability.MANAGE_STAFF})


def _role_is_guarded(role: str) -> bool:
    sees_clients = CLIENT_SCOPES.get(role, ClientScope.NONE) != ClientScope.NONE
    return sees_clients or bool(CAPABILITIES.get(role, frozenset()) & _SENSITIVE_CAPABILITIES)


# Today that is every staff role; a future role without such access would not need one.
GUARDED_ROLES = frozenset(role for role in Role if _role_is_guarded(role))


def second_factor_required(user) -> bool:
    """Whether this user may not work without a second factor (the setting, the role)."""
    if not settings.HALTE_TWO_FACTOR or not user.is_authenticated:
        return False
    return user.is_superuser or user.role in GUARDED_ROLES


def has_factor(user) -> bool:
    """A confirmed authenticator app, recovery codes or passkey (one query per kind)."""
    return any(True for _device in devices_for_user(user, confirmed=True))


def note_factors_at_sign_in(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[HAS_FACTOR_KEY] = has_factor(user)


def _had_factor_at_sign_in(request) -> bool:
    known = request.session.get(HAS_FACTOR_KEY)
    if known is None:  # a session from before this setting: learn it once
        known = request.session[HAS_FACTOR_KEY] = has_factor(request.user)
    return known


def waits_for_second_factor(request) -> bool:
    """Signed in with the password, but the second factor is still to come."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return second_factor_required(user) or _had_factor_at_sign_in(request)

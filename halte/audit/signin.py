"""Signing in and out, in the audit log: who (or which typed name), from where, the
outcome, never a password.

A failed sign-in names the account when the typed username is one; otherwise it
names `?` and a keyed fingerprint of what was typed (halte.core.signin): people type
their password into the username field, and the log can never be changed afterwards.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome, Purpose
from halte.audit.services import audit_record
from halte.core.signin import UNKNOWN_ACCOUNT_PREFIX, attempted_username, client_address

# halte.core.sessions sets request.session_end_reason before it ends a session.
_SIGN_OUT_PARTS = {"idle": "session_idle", "max_age": "session_max_age"}


@dataclass(frozen=True)
class UnknownAccount(Actor):
    """Someone who typed a username that names no account: no user, no role."""

    @property
    def role(self) -> str:
        return ""


def _attempt_actor(request, credentials) -> Actor:
    name = attempted_username(request, credentials)
    address = client_address(request) if request is not None else None
    if not name.startswith(UNKNOWN_ACCOUNT_PREFIX):
        user = get_user_model()._default_manager.filter(username=name).first()
        if user is not None:
            return Actor(user=user, source_ip=address)
    return UnknownAccount(
        user=None, source_ip=address, on_behalf_of=name, purpose=Purpose.ADMINISTRATION
    )


@receiver(user_login_failed, dispatch_uid="halte.audit.signin.failed")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Runs after axes' and core's receivers (app order), which flag a lockout.
    locked = getattr(request, "axes_locked_out", False)
    audit_record(
        _attempt_actor(request, credentials),
        action=Action.SIGN_IN,
        part="sign_in_locked" if locked else "sign_in",
        outcome=Outcome.DENIED,
    )


@receiver(user_logged_in, dispatch_uid="halte.audit.signin.signed_in")
def record_sign_in(sender, request, user, **kwargs):
    address = client_address(request) if request is not None else None
    audit_record(Actor(user=user, source_ip=address), action=Action.SIGN_IN, part="sign_in")


@receiver(user_logged_out, dispatch_uid="halte.audit.signin.signed_out")
def record_sign_out(sender, request, user, **kwargs):
    if user is None:
        return  # nobody was signed in
    reason = getattr(request, "session_end_reason", None)
    address = client_address(request) if request is not None else None
    audit_record(
        Actor(user=user, source_ip=address),
        action=Action.SIGN_OUT,
        part=_SIGN_OUT_PARTS.get(reason, "sign_out"),
    )

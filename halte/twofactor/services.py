"""The second factor's writes: checking a code, enrolling the authenticator app, the
recovery codes, and an administrator's reset. Each is written to the audit log; the
codes themselves never are."""

from base64 import b32encode
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.utils import get_credential_model

from halte.audit.context import Actor
from halte.audit.models import Action, Outcome
from halte.audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator-app"
RECOVERY_DEVICE_NAME = "Herstelcodes"
PASSKEY_PART = "second_factor_passkey"
_PARTS = {
    TOTPDevice: "second_factor_totp",
    StaticDevice: "second_factor_recovery",
}


def part_for(device) -> str:
    return _PARTS.get(type(device), PASSKEY_PART)


def normalise_code(code: str) -> str:
    """Codes are read back from a phone or paper: spaces and case do not matter."""
    return "".join(code.split()).lower()


def _looks_like_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


@dataclass(frozen=True)
class CodeCheck:
    device: object | None  # the device that accepted the code, or None
    wait_seconds: int = 0  # > 0: too many wrong codes, try again after this


def _seconds_locked(device) -> int:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def check_code(actor: Actor, code: str) -> CodeCheck:
    """A six-digit code is checked against the authenticator app, anything else against
    the recovery codes (each works once). Written to the log, allowed or denied."""
    user = actor.user
    code = normalise_code(code)
    kind = TOTPDevice if _looks_like_app_code(code) else StaticDevice
    wait = 0
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        if locked := _seconds_locked(device):
            wait = max(wait, locked)
            continue
        if (verified := verify_token(user, device.persistent_id, code)) is not None:
            audit_record(actor, action=Action.VERIFY, part=part_for(verified))
            return CodeCheck(verified)
    audit_record(actor, action=Action.VERIFY, part=_PARTS[kind], outcome=Outcome.DENIED)
    return CodeCheck(None, wait)


def record_passkey_check(actor: Actor, *, allowed: bool) -> None:
    outcome = Outcome.SUCCESS if allowed else Outcome.DENIED
    audit_record(actor, action=Action.VERIFY, part=PASSKEY_PART, outcome=outcome)


def record_passkey_enrolled(actor: Actor) -> None:
    audit_record(actor, action=Action.CREATE, part=PASSKEY_PART)


# Enrolment of the authenticator app


def unconfirmed_app(user) -> TOTPDevice:
    """The authenticator app being set up: the same secret until it is confirmed, so
    a reload of the page does not invalidate the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, as authenticator apps take it, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class Enrolment:
    recovery_codes: list[str] | None  # None: the code was wrong
    wait_seconds: int = 0  # > 0: too many wrong codes, try again after this


def confirm_app(actor: Actor, device: TOTPDevice, code: str) -> Enrolment:
    """Confirm the app with a code it shows; then the new recovery codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked := _seconds_locked(device):
            return Enrolment(None, locked)
        if not device.verify_token(normalise_code(code)):
            return Enrolment(None)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One app at a time: an earlier one (re-enrolment) stops working.
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        audit_record(actor, action=Action.CREATE, part=_PARTS[TOTPDevice])
        return Enrolment(new_recovery_codes(actor, device.user))


def new_recovery_codes(actor: Actor, user) -> list[str]:
    """Ten fresh recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit_record(actor, action=Action.CREATE, part=_PARTS[StaticDevice])
    return codes


@dataclass(frozen=True)
class Factors:
    app: bool
    recovery_codes_left: int
    passkeys: int

    @property
    def any(self) -> bool:
        return self.app or self.recovery_codes_left > 0 or self.passkeys > 0


def factors_of(user) -> Factors:
    return Factors(
        app=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
        passkeys=get_credential_model().objects.filter(user=user, confirmed=True).count(),
    )


# The administrator's reset


def reset_factors(actor: Actor, staff_member) -> None:
    """Remove every factor of `staff_member`: at their next sign-in they enrol anew.
    Nobody resets their own (that would let a stolen password replace the factor);
    the attempt is refused and logged as denied."""
    # The part names whose factors, as a change of staff access does (audit.staff).
    part = f"second_factor_reset,staff_member={staff_member.pk}"
    if staff_member.pk == actor.user.pk:
        audit_record(actor, action=Action.DELETE, part=part, outcome=Outcome.DENIED)
        raise PermissionDenied("Nobody resets their own second factor.")
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice, get_credential_model()):
            model.objects.filter(user=staff_member).delete()
        audit_record(actor, action=Action.DELETE, part=part)

"""Second factors for tests: a confirmed authenticator app and recovery codes, and the
code the app would show now."""

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = ["abcd2345", "efgh6723"]


def app_for(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=confirmed)


def recovery_codes_for(user, codes=RECOVERY_CODES) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def code_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The six digits the app shows now (or `steps_ahead` 30-second steps later,
    which the check still accepts: a code is not accepted twice)."""
    number = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead
    )
    return f"{number:0{device.digits}d}"

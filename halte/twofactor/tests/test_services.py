"""The second factor's services on their own: which device a code is checked against,
the wait after wrong codes, the app being set up and its confirmation, the recovery
codes made anew, one's factors, the passkey's entries, and the reset refused for one's
own factor whoever calls it."""

from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.utils import get_credential_model

from halte.audit.context import Actor
from halte.audit.models import Action, AuditEntry, Outcome
from halte.core.roles import Role
from halte.twofactor import policy, services
from halte.twofactor.tests.factories import app_for, code_now, recovery_codes_for

pytestmark = pytest.mark.django_db


def actor(user) -> Actor:
    return Actor(user, source_ip="10.0.0.9")


def entries(user):
    return list(
        AuditEntry.objects.filter(user_id=user.pk, part__startswith="second_factor")
        .order_by("seq")
        .values_list("action", "part", "outcome")
    )


# Checking a code


def test_the_app_code_and_a_recovery_code_both_work_beside_each_other(personas):
    kcc = personas["front_office"]
    app = app_for(kcc)
    recovery_codes_for(kcc)

    by_app = services.check_code(actor(kcc), code_now(app))
    by_recovery = services.check_code(actor(kcc), "efgh 6723")

    assert isinstance(by_app.device, TOTPDevice)
    assert isinstance(by_recovery.device, StaticDevice)


def test_an_app_still_being_set_up_opens_nothing(personas):
    kcc = personas["front_office"]
    recovery_codes_for(kcc)
    unconfirmed = app_for(kcc, confirmed=False)

    check = services.check_code(actor(kcc), code_now(unconfirmed))

    assert check == services.CodeCheck(None)
    assert entries(kcc) == [(Action.VERIFY, "second_factor_totp", Outcome.DENIED)]


def test_only_six_digits_are_an_app_code(personas):
    # A recovery code of digits alone (the codes are a-z and 2-7) is still one.
    kcc = personas["front_office"]
    app_for(kcc)
    recovery_codes_for(kcc, codes=["23456723"])

    check = services.check_code(actor(kcc), "23456723")

    assert isinstance(check.device, StaticDevice)


def test_the_wait_after_a_wrong_code_is_the_lock_rounded_up(personas):
    # A wrong code locks the device for 1 s (doubling with each): the wait said is
    # never shorter than the lock, and no more than a second longer.
    kcc = personas["front_office"]
    app = app_for(kcc)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert services.check_code(actor(kcc), "000000").wait_seconds == 0
        assert services.check_code(actor(kcc), code_now(app)).wait_seconds == 2
    with time_machine.travel(start + timedelta(milliseconds=500), tick=False):
        assert services.check_code(actor(kcc), code_now(app)).wait_seconds == 1
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        assert services.check_code(actor(kcc), "000000").wait_seconds == 0
        assert services.check_code(actor(kcc), code_now(app)).wait_seconds == 3
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        assert services.check_code(actor(kcc), code_now(app)).device is not None


# Setting up the app


def test_each_person_sets_up_an_app_of_their_own(personas):
    kcc, planner = personas["front_office"], personas["planner"]
    first = services.unconfirmed_app(kcc)

    assert services.unconfirmed_app(kcc) == first
    assert services.unconfirmed_app(planner) not in (first, None)
    assert services.unconfirmed_app(planner).user == planner


def test_a_confirmed_app_is_not_the_one_being_set_up(personas):
    kcc = personas["front_office"]
    confirmed = app_for(kcc)

    being_set_up = services.unconfirmed_app(kcc)

    assert being_set_up != confirmed
    assert not being_set_up.confirmed


def test_the_secret_is_typed_in_groups_of_four():
    device = TOTPDevice(key=b32decode("ABCDEFGHIJKLMNOPQRSTUVWXYZ23456X").hex())

    assert services.secret_for_typing(device) == "ABCD EFGH IJKL MNOP QRST UVWX YZ23 456X"


def test_confirming_a_new_app_ends_the_earlier_one(personas):
    kcc = personas["front_office"]
    earlier = app_for(kcc)
    other = app_for(personas["planner"])
    new = services.unconfirmed_app(kcc)

    enrolment = services.confirm_app(actor(kcc), new, code_now(new))

    assert len(enrolment.recovery_codes) == 10
    assert list(TOTPDevice.objects.filter(user=kcc)) == [new]
    assert TOTPDevice.objects.get(pk=new.pk).confirmed
    assert not TOTPDevice.objects.filter(pk=earlier.pk).exists()
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


# Recovery codes


def test_new_recovery_codes_work_and_the_earlier_ones_stop(personas):
    kcc = personas["front_office"]
    app_for(kcc)
    earlier = services.new_recovery_codes(actor(kcc), kcc)

    codes = services.new_recovery_codes(actor(kcc), kcc)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticDevice.objects.get(user=kcc).name == services.RECOVERY_DEVICE_NAME
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert services.check_code(actor(kcc), earlier[0]).device is None
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        assert services.check_code(actor(kcc), codes[0]).device is not None
    assert entries(kcc)[:2] == [(Action.CREATE, "second_factor_recovery", Outcome.SUCCESS)] * 2


# One's factors


def _passkey(user, *, confirmed=True, number=1):
    return get_credential_model().objects.create(
        user=user,
        name=f"Sleutel {number}",
        confirmed=confirmed,
        credential_id=bytes([number]) * 16,
        public_key=b"key",
    )


def test_ones_factors_count_what_is_confirmed_and_ones_own(personas):
    kcc, planner = personas["front_office"], personas["planner"]
    app_for(kcc, confirmed=False)
    recovery_codes_for(kcc)
    StaticToken.objects.create(
        device=StaticDevice.objects.create(user=kcc, name="Oud", confirmed=False), token="x"
    )
    _passkey(kcc, number=1)
    _passkey(kcc, number=2)
    _passkey(kcc, confirmed=False, number=3)
    app_for(planner)
    recovery_codes_for(planner, codes=["ijkl2345"])
    _passkey(planner, number=4)

    assert services.factors_of(kcc) == services.Factors(
        app=False, recovery_codes_left=2, passkeys=2
    )
    assert services.factors_of(planner) == services.Factors(
        app=True, recovery_codes_left=1, passkeys=1
    )


@pytest.mark.parametrize(
    ("factors", "any_factor"),
    [
        (services.Factors(app=False, recovery_codes_left=0, passkeys=0), False),
        (services.Factors(app=True, recovery_codes_left=0, passkeys=0), True),
        (services.Factors(app=False, recovery_codes_left=1, passkeys=0), True),
        (services.Factors(app=False, recovery_codes_left=0, passkeys=1), True),
    ],
)
def test_any_factor_is_one_of_the_three(factors, any_factor):
    assert factors.any is any_factor


# Passkeys: their checks and enrolment in the log


def test_a_passkey_check_and_enrolment_are_logged(personas):
    kcc = personas["front_office"]

    services.record_passkey_check(actor(kcc), allowed=True)
    services.record_passkey_check(actor(kcc), allowed=False)
    services.record_passkey_enrolled(actor(kcc))

    assert entries(kcc) == [
        (Action.VERIFY, "second_factor_passkey", Outcome.SUCCESS),
        (Action.VERIFY, "second_factor_passkey", Outcome.DENIED),
        (Action.CREATE, "second_factor_passkey", Outcome.SUCCESS),
    ]
    assert set(AuditEntry.objects.values_list("source_ip", flat=True)) == {"10.0.0.9"}


# The reset: never one's own, whoever calls the service


def test_the_service_refuses_to_reset_ones_own_factor(personas):
    admin = personas["administrator"]
    app_for(admin)

    with pytest.raises(PermissionDenied):
        services.reset_factors(actor(admin), admin)

    assert TOTPDevice.objects.filter(user=admin).exists()
    assert entries(admin) == [
        (Action.DELETE, f"second_factor_reset,staff_member={admin.pk}", Outcome.DENIED)
    ]


# Who must have a factor (the policy)


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_is_guarded(role):
    assert policy._role_is_guarded(role)


def test_a_role_with_neither_clients_nor_the_log_nor_staff_would_not_be():
    assert not policy._role_is_guarded("reception_screen")

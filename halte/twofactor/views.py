"""The second-factor pages: the step after the password, the enrolment of a first
factor, the recovery codes shown once, one's own factors, and the administrator's
overview with the reset."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.utils import get_credential_model

from halte.audit.context import actor_from_request
from halte.core.access import require_capability
from halte.core.roles import Capability
from halte.twofactor import qr, services
from halte.twofactor.forms import TOO_MANY_TRIES, WRONG_CODE, WRONG_ENROLMENT_CODE, CodeForm
from halte.twofactor.policy import (
    HAS_FACTOR_KEY,
    has_factor,
    second_factor_required,
    waits_for_second_factor,
)

RECOVERY_CODES_KEY = "halte_recovery_codes_to_show"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@login_required
def step(request):
    """After the password: a code from the app, a recovery code, or a passkey."""
    next_url = _next_url(request)
    if not waits_for_second_factor(request):
        return redirect(next_url)
    if not has_factor(request.user):
        if second_factor_required(request.user):
            return redirect(_with_next("twofactor:enrol", next_url))
        # Reset since signing in, and not required: nothing left to ask.
        request.session[HAS_FACTOR_KEY] = False
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.check_code(actor_from_request(request), form.cleaned_data["code"])
        if check.device is not None:
            otp_login(request, check.device)
            return HttpResponseRedirect(next_url)
        if check.wait_seconds:
            form.add_error("code", TOO_MANY_TRIES % {"seconds": check.wait_seconds})
        else:
            form.add_error("code", WRONG_CODE)
    has_passkey = get_credential_model().objects.filter(user=request.user, confirmed=True)
    return render(
        request,
        "twofactor/step.html",
        {"form": form, "next": next_url, "has_passkey": has_passkey.exists()},
    )


@login_required
def enrol(request):
    """Set up the authenticator app: scan the QR code (or type the secret), confirm
    with a code it shows; then the recovery codes."""
    next_url = _next_url(request)
    user = request.user
    if not user.is_verified() and has_factor(user):
        # A factor is there: it is asked first, before another can be added.
        return redirect(_with_next("twofactor:step", next_url))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("twofactor:factors")
    device = services.unconfirmed_app(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = actor_from_request(request)
        enrolment = services.confirm_app(actor, device, form.cleaned_data["code"])
        if enrolment.recovery_codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[HAS_FACTOR_KEY] = True
            request.session[RECOVERY_CODES_KEY] = enrolment.recovery_codes
            return redirect(_with_next("twofactor:recovery_codes", next_url))
        if enrolment.wait_seconds:
            form.add_error("code", TOO_MANY_TRIES % {"seconds": enrolment.wait_seconds})
        else:
            form.add_error("code", WRONG_ENROLMENT_CODE)
    return render(
        request,
        "twofactor/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": qr.svg(device.config_url, title=_("QR code for your authenticator app")),
            "secret": services.secret_for_typing(device),
            "required": second_factor_required(user),
        },
    )


@login_required
def recovery_codes(request):
    """The recovery codes, shown once: they are not kept readable anywhere."""
    codes = request.session.pop(RECOVERY_CODES_KEY, None)
    next_url = _next_url(request)
    if not codes:
        return redirect(next_url)
    response = render(
        request,
        "twofactor/recovery_codes.html",
        {"codes": codes, "next": next_url},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def factors(request):
    """One's own factors: add a passkey, make new recovery codes."""
    if request.method == "POST":
        codes = services.new_recovery_codes(actor_from_request(request), request.user)
        request.session[RECOVERY_CODES_KEY] = codes
        return redirect(_with_next("twofactor:recovery_codes", reverse("twofactor:factors")))
    return render(
        request,
        "twofactor/factors.html",
        {"factors": services.factors_of(request.user)},
    )


def _has(model, **confirmed):
    return Exists(model.objects.filter(user=OuterRef("pk"), **confirmed))


@require_capability(Capability.MANAGE_STAFF)
def staff_factors(request):
    """The administrator's overview: who has which factor, and the reset."""
    staff = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            has_app=_has(TOTPDevice, confirmed=True),
            has_recovery=_has(StaticDevice, confirmed=True),
            has_passkey=_has(get_credential_model(), confirmed=True),
        )
        .order_by("username")
    )
    return render(request, "twofactor/staff_factors.html", {"staff": staff})


@require_POST
@require_capability(Capability.MANAGE_STAFF)
def reset_staff_factors(request, user_id: int):
    staff_member = get_object_or_404(get_user_model(), pk=user_id)
    services.reset_factors(actor_from_request(request), staff_member)  # own: 403, logged
    messages.success(
        request,
        _("The second factor of %(name)s is reset: they set it up again at their next sign-in.")
        % {"name": staff_member},
    )
    return redirect("twofactor:staff_factors")

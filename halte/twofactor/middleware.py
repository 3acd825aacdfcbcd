"""Until the second factor is given, a session signed in with only the password opens
nothing but the second-factor step (and what that step needs): every page sends the
person there, the session-authenticated API answers 401. A bearer token is no
session, so the API's integrations are not affected."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from halte.core.api.errors import ErrorCode, error_body
from halte.twofactor.policy import waits_for_second_factor

API_PREFIX = "/api/"
SECOND_FACTOR_FIRST = _(
    "Finish signing in with your second factor first (the page /tweestaps/controle/)."
)

# The views a person waiting for the second factor may open: the step itself, the
# enrolment of a first factor, signing out, the language, and the passkey check.
OPEN_WHILE_WAITING = frozenset(
    {
        "twofactor:step",
        "twofactor:enrol",
        "twofactor:recovery_codes",
        "core:logout",
        "core:favicon",
        "set_language",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
    }
)


def _bearer(request) -> bool:
    # Only the Bearer scheme: the API answers any other Authorization header from the
    # session, which is what waits here.
    return request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")


class SecondFactorGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in OPEN_WHILE_WAITING:
            return None
        if request.path.startswith(API_PREFIX) and _bearer(request):
            return None  # a bearer token is checked on its own: the session plays no part
        if not waits_for_second_factor(request):
            return None
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                error_body(ErrorCode.UNAUTHENTICATED, SECOND_FACTOR_FIRST), status=401
            )
        step = f"{reverse('twofactor:step')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(step)
        return redirect(step)


second_factor_gate = SecondFactorGate

"""Passkeys and security keys (django-otp-webauthn) as a second factor after the
password, with their checks and enrolments written to the audit log."""

from django.conf import settings
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.views import (
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from halte.audit.context import actor_from_request
from halte.twofactor import services
from halte.twofactor.policy import HAS_FACTOR_KEY


class HalteWebAuthnHelper(WebAuthnHelper):
    """Outside production, the page's own origin on localhost counts as allowed too:
    the development server and the tests' live server run on any port."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(super().get_allowed_origins())
        host = self.request.get_host()
        if not settings.PRODUCTION and host.rsplit(":", 1)[0] == "localhost":
            origins.append(f"{self.request.scheme}://{host}")
        return origins


class AuditedPasskeyCheck(CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        services.record_passkey_check(actor_from_request(self.request), allowed=True)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            services.record_passkey_check(actor_from_request(self.request), allowed=False)
        return super().handle_exception(exc)


class AuditedPasskeyEnrolment(CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        services.record_passkey_enrolled(actor_from_request(self.request))
        self.request.session[HAS_FACTOR_KEY] = True
        return response

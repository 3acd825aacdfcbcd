"""django-otp-webauthn's endpoints under its own namespace (its template tags reverse
them), with the completing steps replaced by the audited ones."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
)

from halte.twofactor.webauthn import AuditedPasskeyCheck, AuditedPasskeyEnrolment

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registratie/start/",
        BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registratie/afronden/",
        AuditedPasskeyEnrolment.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "controle/start/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "controle/afronden/",
        AuditedPasskeyCheck.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]

from django.contrib import admin
from django.urls import include, path

from halte.api.api import api
from halte.core.health import health

urlpatterns = [
    path("", include("halte.core.urls")),
    # Before the admin site: the administrator's reset lives under beheer/ too.
    path("", include("halte.twofactor.urls")),
    path("tweestaps/passkey/", include("halte.twofactor.webauthn_urls")),
    path("clienten/", include("halte.clients.urls")),
    path("werkplek/", include("halte.contact.urls")),
    path("traject/", include("halte.journey.urls")),
    path("berichten/", include("halte.outreach.urls")),
    path("audit/", include("halte.audit.urls")),
    path("api/v1/", api.urls),
    path("beheer/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # For the load balancer: "ok"/"failed" per check, no details (halte/core/health.py).
    path("health/", health, name="health"),
]

handler500 = "halte.core.busy.server_error"

"""GET /api/v1/callers answered by a plain Django view: one indexed lookup, no token,
no audit entry, no django-ninja; the same middleware and database settings."""

from django.http import JsonResponse
from django.urls import path

from halte.clients.models import Phone
from halte.urls import urlpatterns as halte_urlpatterns


def bare_callers(request):
    phone = Phone.objects.filter(e164=request.GET.get("number", "")).first()
    return JsonResponse({"client_id": phone.client_id if phone else None})


urlpatterns = [path("api/v1/callers", bare_callers), *halte_urlpatterns]

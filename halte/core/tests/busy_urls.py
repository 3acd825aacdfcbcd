"""The site's URLs plus a page and an API path whose view meets a busy database
(test_busy.py): what DatabaseBusy answers for any view."""

from django.db import OperationalError
from django.urls import path

from halte.urls import handler500
from halte.urls import urlpatterns as site

__all__ = ["handler500", "urlpatterns"]


def busy_view(request):
    raise OperationalError("database is locked")


def failing_view(request):
    raise OperationalError("disk I/O error")


urlpatterns = [
    path("werkplek/druk/", busy_view),
    path("werkplek/kapot/", failing_view),
    path("api/v1/druk", busy_view),
    *site,
]

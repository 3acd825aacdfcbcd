"""A database too busy to take a write in time: 503 with Retry-After, never a 500.

On SQLite one writer at a time holds the lock; a request that waited longer than
the busy timeout for it (settings SQLITE_BUSY_TIMEOUT) fails with "database is
locked" before it wrote anything: its transaction never began. On PostgreSQL a
lock timeout, a deadlock or a serialization failure ends the transaction the same
way. The caller may simply try again, so pages answer with a Dutch 503 page and the
API with its JSON error shape, both with Retry-After.
"""

import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults

from halte.core.api.errors import ErrorCode, error_body
from halte.core.errors import RETRY_AFTER_SECONDS, is_database_busy

API_PREFIX = "/api/"


def busy_response(request):
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(error_body(ErrorCode.SERVICE_UNAVAILABLE), status=503)
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusy:
    """Turns a busy database, met in any view, into 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response(request) if is_database_busy(exception) else None


def server_error(request):
    """handler500: a busy database met outside a view (a middleware saving the
    session) is a 503 too; anything else is Django's own 500 page."""
    error = sys.exc_info()[1]
    if error is not None and is_database_busy(error):
        return busy_response(request)
    return defaults.server_error(request)

"""Role checks for views: one decorator, the policy itself lives in core.roles; and the
not-found page those checks lead to."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from halte.core.extensions import Refusal, record_refusal
from halte.core.roles import Capability, can

API_PREFIX = "/api/"
# The largest id a client can have (a 64-bit key): a larger number in a URL names none,
# and would not fit the audit entry's column.
_MAX_ID = 2**63 - 1


def require_capability(capability: Capability, *, client_kwarg: str | None = None):
    """Log in first; then 403 unless the user's role grants `capability`.

    A refusal is reported to the audit log (core.extensions.PAGE_REFUSALS) before the
    403: one `denied` entry. `client_kwarg` names the URL argument that is the client's
    id, on pages about one client, so the entry names the client too.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                client_id = _client_id(kwargs.get(client_kwarg)) if client_kwarg else None
                record_refusal(request, Refusal(capability=capability, client_id=client_id))
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _client_id(value) -> int | None:
    try:
        client_id = int(value)
    except (TypeError, ValueError):
        return None
    return client_id if 1 <= client_id <= _MAX_ID else None


class NotFoundPage:
    """A record a page cannot show is Halte's own 404 page, whatever DEBUG is.

    The access helpers (client_for_user, referral_for_user, ...) answer a client
    outside the user's scope with Http404, as if it did not exist. Under DEBUG
    Django would turn that into its technical 404 page, which `make demo` then shows
    to someone trying Halte, in English, with the URL patterns. Here every Http404 a
    page view raises renders 404.html (Dutch) with status 404; an unknown URL (no
    view) keeps Django's own handling, and the API answers its own JSON error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404) or request.path.startswith(API_PREFIX):
            return None
        return render(request, "404.html", status=404)

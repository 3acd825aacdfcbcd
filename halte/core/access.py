"""Role checks for views: one decorator, the policy itself lives in core.roles; and the
not-found page those checks lead to."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from halte.core.roles import Capability, can

API_PREFIX = "/api/"


def require_capability(capability: Capability):
    """Log in first; then 403 unless the user's role grants `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


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

"""The interface language: Dutch first, English only when the user picks it.

Django's LocaleMiddleware would follow the browser's Accept-Language, which on a
care organisation's shared or English-configured machines means a random mix.
Here only the user's own choice (the language cookie set by /i18n/setlang/) or
the LANGUAGE_CODE setting decide. The API is different: a program states the
language it wants in Accept-Language, so there it counts.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

_AVAILABLE = {code for code, _name in settings.LANGUAGES}


def chosen_language(request) -> str:
    if request.path.startswith("/api/"):
        return translation.get_language_from_request(request)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in _AVAILABLE else settings.LANGUAGE_CODE


def interface_language(get_response):
    def middleware(request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return middleware

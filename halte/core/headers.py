"""Headers on every response Django answers: which browser features pages may use
(Permissions-Policy) and that nothing is stored by a browser or proxy cache
(Cache-Control: no-store). The Content-Security-Policy comes from django-csp
(settings.CONTENT_SECURITY_POLICY).

Static files never reach this middleware: WhiteNoise answers them before it, with
their own long caching (their names carry a hash in production).
"""

from django.utils.cache import patch_cache_control

# Every powerful feature is off, for Halte's pages and anything they could embed;
# only passkeys and security keys (WebAuthn) stay allowed, on Halte's own origin.
# Only names Chromium knows: an unknown one is reported on every page's console
# (Chromium on Linux knows neither bluetooth nor web-share).
_DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "clipboard-read",
    "clipboard-write",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "screen-wake-lock",
    "serial",
    "storage-access",
    "usb",
    "window-management",
    "xr-spatial-tracking",
)
_SELF_FEATURES = ("publickey-credentials-create", "publickey-credentials-get")

PERMISSIONS_POLICY = ", ".join(
    [f"{feature}=()" for feature in _DENIED_FEATURES]
    + [f"{feature}=(self)" for feature in _SELF_FEATURES]
)


def security_headers(get_response):
    """Permissions-Policy and Cache-Control: no-store on each response.

    no-store goes on everything Django answers, not only on pages that show a
    client: a page's content depends on who asks, an anonymous page (the login) is
    not worth caching, and one rule cannot be forgotten by a new view. A view's own
    Cache-Control directives (the admin's `private`, `no-cache`) are kept beside it.
    """

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        patch_cache_control(response, no_store=True)
        return response

    return middleware

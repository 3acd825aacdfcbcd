"""Production's settings with collectstatic's compression left out, for tests only.

Compressing the static files (gzip and brotli, WhiteNoise) takes a minute of CPU
here; the manifest that production reads is the same without it."""

from halte.settings import *  # noqa: F403
from halte.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

"""What production needs before it can serve a page: the collected static files.

Production stores static files under hashed names (WhiteNoise's
CompressedManifestStaticFilesStorage), looked up in the manifest that
`manage.py collectstatic` writes. Without it every `{% static %}` raises, so every
page was a 500. The web process refuses to start instead (halte/wsgi.py), and
`manage.py check --deploy` reports it, both with the step that fixes it.
"""

import os

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.module_loading import import_string

COLLECT_STEP = "run `manage.py collectstatic --no-input` (as part of each release) before starting"


def static_files_problem() -> str | None:
    """Why the static files cannot be served as stored, or None when they can."""
    backend = import_string(storages.backends["staticfiles"]["BACKEND"])
    if not issubclass(backend, ManifestFilesMixin):
        return None  # development serves them straight from the apps' folders
    try:
        # The storage reads its manifest when it is made: a broken one raises here.
        storage = storages["staticfiles"]
    except (OSError, ValueError) as error:
        return f"the static files' manifest in {settings.STATIC_ROOT} cannot be read ({error})"
    manifest = storage.path(storage.manifest_name)
    if not os.path.exists(manifest):
        return f"the static files are not collected: there is no {manifest}"
    missing = sorted(set(_source_files()) - set(storage.hashed_files))
    if missing:
        return (
            f"{len(missing)} static file(s) are not collected since they were added "
            f"(e.g. {missing[0]}) in {settings.STATIC_ROOT}"
        )
    return None


def _source_files():
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    for finder in finders.get_finders():
        for path, _storage in finder.list(ignore):
            yield path


def refuse_to_start_without_static_files() -> None:
    problem = static_files_problem()
    if problem:
        raise ImproperlyConfigured(f"Halte cannot serve its pages: {problem}; {COLLECT_STEP}.")


def check_static_files(app_configs, **kwargs) -> list[checks.CheckMessage]:
    problem = static_files_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            f"Halte cannot serve its pages: {problem}.", hint=COLLECT_STEP + ".", id="halte.E001"
        )
    ]

"""Production's static files, checked in this process (test_production_start.py starts
the real thing; this reads halte/core/deploy.py's answers one by one): the manifest
collectstatic writes must exist, be readable and name every source file."""

import json

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from halte.core.deploy import (
    check_static_files,
    refuse_to_start_without_static_files,
    static_files_problem,
)

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture
def production(settings, tmp_path):
    """Hashed names as production stores them, from a small source folder of our own
    (css/site.css, img/logo.svg and a hidden file collectstatic ignores)."""
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "css" / "site.css").write_text("body {}")
    (source / "img" / "logo.svg").write_text("<svg/>")
    (source / ".hidden").write_text("not served")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return settings.STATIC_ROOT


def write_manifest(static_root, paths) -> None:
    manifest = {"paths": {path: path for path in paths}, "version": "1.1"}
    (static_root / "staticfiles.json").write_text(json.dumps(manifest))


def test_development_serves_the_sources_and_needs_no_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # empty: nothing collected
    assert static_files_problem() is None
    assert check_static_files(None) == []
    refuse_to_start_without_static_files()


def test_every_file_collected_is_no_problem(production):
    write_manifest(production, ["css/site.css", "img/logo.svg"])

    assert static_files_problem() is None
    assert check_static_files(None) == []
    refuse_to_start_without_static_files()


def test_without_a_manifest_it_names_the_file_it_looked_for(production):
    problem = static_files_problem()

    manifest = production / "staticfiles.json"
    assert problem == f"the static files are not collected: there is no {manifest}"


def test_production_refuses_to_start_naming_the_problem_and_the_step(production):
    with pytest.raises(ImproperlyConfigured) as refused:
        refuse_to_start_without_static_files()

    manifest = production / "staticfiles.json"
    assert str(refused.value) == (
        f"Halte cannot serve its pages: the static files are not collected: there is no "
        f"{manifest}; run `manage.py collectstatic --no-input` (as part of each release) "
        "before starting."
    )


def test_the_deployment_check_is_one_error_with_the_step_as_its_hint(production):
    [error] = check_static_files(None)

    manifest = production / "staticfiles.json"
    assert error.level == checks.ERROR
    assert error.id == "halte.E001"
    assert error.msg == (
        f"Halte cannot serve its pages: the static files are not collected: there is no {manifest}."
    )
    assert error.hint == (
        "run `manage.py collectstatic --no-input` (as part of each release) before starting."
    )


@pytest.mark.parametrize(
    "text", ["{not json", json.dumps({"paths": {}}), json.dumps({"version": "9", "paths": {}})]
)
def test_a_manifest_that_cannot_be_read_is_named_with_the_reason(production, text):
    """Not a crash: the storage reads its manifest when it is made (a bug found by the
    mutation run: the check raised Django's ValueError instead of reporting E001)."""
    (production / "staticfiles.json").write_text(text)

    problem = static_files_problem()

    assert problem == (
        f"the static files' manifest in {production} cannot be read "
        "(Couldn't load manifest 'staticfiles.json' (version 1.1))"
    )
    [error] = check_static_files(None)
    assert error.id == "halte.E001"
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        refuse_to_start_without_static_files()


def test_a_manifest_that_cannot_be_opened_is_named_with_the_reason(production):
    manifest = production / "staticfiles.json"
    manifest.mkdir()  # a folder where the file should be

    problem = static_files_problem()

    assert problem == (
        f"the static files' manifest in {production} cannot be read "
        f"([Errno 21] Is a directory: '{manifest}')"
    )


def test_files_added_since_the_last_collectstatic_are_counted_and_the_first_named(production):
    write_manifest(production, ["img/logo.svg"])
    (production.parent / "source" / "css" / "more.css").write_text("p {}")

    problem = static_files_problem()

    assert problem == (
        "2 static file(s) are not collected since they were added (e.g. css/more.css) "
        f"in {production}"
    )


def test_a_manifest_without_paths_has_collected_nothing(production):
    (production / "staticfiles.json").write_text(json.dumps({"version": "1.1"}))

    assert static_files_problem().startswith("2 static file(s) are not collected")


def test_files_collectstatic_ignores_need_not_be_collected(production):
    """The hidden file in the source folder is one of the app's ignore patterns."""
    write_manifest(production, ["css/site.css", "img/logo.svg"])
    (production.parent / "source" / "css" / "site.css~").write_text("an editor's backup")

    assert static_files_problem() is None

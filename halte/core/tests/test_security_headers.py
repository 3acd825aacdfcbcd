"""The security headers on every answer Halte gives: each route of the project (the
pages, the admin, the API, the language switch), for every role and for a visitor
who is not logged in, carries the strict Content-Security-Policy without
unsafe-inline or unsafe-eval, the Permissions-Policy and Cache-Control: no-store.
Static files keep their own caching.

The routes are walked from the URL configuration itself, so a page added later is
checked without anyone listing it here; its ids are filled with real rows of the
demo organisation, so most answers are the page itself, not a 404.
"""

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import halte
from halte.clients.models import Client, Preference, Relation
from halte.contact.models import Commitment, Interaction
from halte.core.headers import PERMISSIONS_POLICY
from halte.core.models import User
from halte.demo.fixed import LOGINS
from halte.demo.seed import seed
from halte.journey.models import CareEpisode, CareOffice, Referral, WaitingListEntry
from halte.outreach.models import Announcement, LetterBatch, Message, StaffNotification

pytestmark = pytest.mark.django_db

# The model whose id follows a path segment ("aanmeldingen/<int:pk>/") or that an API
# parameter names ("referral_id").
_SEGMENT_MODELS = {
    "clienten": Client,
    "client": Client,
    "naasten": Relation,
    "voorkeuren": Preference,
    "gesprekken": Interaction,
    "toezeggingen": Commitment,
    "aanmeldingen": Referral,
    "wachtlijst": WaitingListEntry,
    "zorg": CareEpisode,
    "mededelingen": Announcement,
    "brieven": LetterBatch,
    "meldingen": StaffNotification,
    "berichten": Message,
}
_PARAMETER_MODELS = {
    "client_id": Client,
    "interaction_id": Interaction,
    "commitment_id": Commitment,
    "referral_id": Referral,
    "entry_id": WaitingListEntry,
    "episode_id": CareEpisode,
    "announcement_id": Announcement,
    "message_id": Message,
}
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _first_pk(model) -> str:
    pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    return str(pk or 0)


def _filled(route: str) -> str:
    """The route with each parameter replaced by the id of a real row."""

    def value(match):
        name = match[2]
        if name == "code":
            return CareOffice.objects.order_by("pk").values_list("code", flat=True).first()
        if name in _PARAMETER_MODELS:
            return _first_pk(_PARAMETER_MODELS[name])
        before = [part for part in route[: match.start()].split("/") if part]
        model = _SEGMENT_MODELS.get(before[-1] if before else "")
        assert model is not None, f"no row to fill {match[0]} in {route!r}: add it above"
        return _first_pk(model)

    return "/" + _PARAMETER.sub(value, route)


def _routes(patterns=None, prefix="") -> list[str]:
    """Every route outside the admin, as a path with real ids (see _admin_paths)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                found += _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(_filled(route))
    return found


def _admin_paths() -> list[str]:
    """The admin's index, and each registered model's list, add, change, history and
    delete pages (for its first row)."""
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        paths += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        first = model.objects.order_by("pk").first()
        if first is not None:
            paths += [
                reverse(f"{name}_{page}", args=[first.pk])
                for page in ("change", "history", "delete")
            ]
        paths.append(reverse("admin:app_list", args=[meta.app_label]))
    return sorted(set(paths))


def assert_headers(response, path):
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy, (path, response.status_code, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (path, policy)
    assert response.headers.get("Permissions-Policy") == PERMISSIONS_POLICY, path
    assert "no-store" in response.headers.get("Cache-Control", ""), (path, response.status_code)


@pytest.fixture
def organisation():
    seed(clients=20, seed=12, progress=False)


def test_every_route_carries_the_headers_for_every_role(client, organisation):
    routes = _routes()
    admin_paths = _admin_paths()
    assert len(routes) > 80 and len(admin_paths) > 30
    pages = 0
    for username in [None] + [login[1] for login in LOGINS]:
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        for path in routes + admin_paths:
            response = client.get(path)
            assert_headers(response, path)
            pages += response.status_code == 200
    # Not only refusals and redirects: most of them were the pages themselves.
    assert pages > 150


def test_the_pages_that_show_a_client_carry_the_headers(client, organisation):
    """The main pages answer with the page itself (200), each with the headers."""
    kees = Client.objects.get(preferred_name="Kees", family_name="Bakker")
    client.force_login(User.objects.get(username="planner"))
    for path in (
        "/werkplek/",
        f"/clienten/{kees.pk}/",
        f"/werkplek/clienten/{kees.pk}/",
        f"/werkplek/clienten/{kees.pk}/tijdlijn/",
        "/clienten/?q=Bakker",
        "/traject/",
        "/traject/wachtlijst/",
        "/berichten/",
        "/berichten/mededelingen/",
        "/berichten/brieven/",
        f"/api/v1/clients/{kees.pk}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_headers(response, path)
    # An htmx request gets a fragment with the same headers.
    response = client.get("/clienten/", {"q": "Bakker"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and b"<html" not in response.content
    assert_headers(response, "/clienten/ (htmx)")


def test_an_api_call_with_a_token_is_not_stored(client, organisation):
    from halte.api.tests.helpers import Api

    api = Api(client, User.objects.get(username="planner"), scopes=["clients:read"])
    response = api.get("/clients", {"q": "Bakker"})
    assert response.status_code == 200
    assert_headers(response, "/api/v1/clients")
    refused = Api(client, token="wrong").get("/clients")
    assert refused.status_code == 401
    assert_headers(refused, "/api/v1/clients (refused)")


def test_a_view_of_its_own_cache_control_keeps_it_beside_no_store(client, organisation):
    """The admin marks its pages never_cache (private, no-cache); no-store is added."""
    client.force_login(User.objects.get(username="beheer"))
    response = client.get("/beheer/")
    directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache"} <= directives


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/halte.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "max-age" in response.headers.get("Cache-Control", "")


def test_the_permissions_policy_denies_powerful_features_but_allows_passkeys():
    features = dict(part.split("=") for part in PERMISSIONS_POLICY.split(", "))
    for denied in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid"):
        assert features[denied] == "()", denied
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"
    assert all(value in ("()", "(self)") for value in features.values())


def test_htmx_is_configured_for_the_policy(client):
    """No eval, no inline <script>/<style> of htmx's own, no page copies in storage."""
    import json
    from html import unescape

    page = client.get("/login/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert meta is not None
    assert json.loads(unescape(meta[1])) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
    }
    # Its indicator styles, which htmx would otherwise inject inline, are Halte's own.
    css = (Path(halte.__file__).parent / "static" / "css" / "halte.css").read_text()
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css

"""Calling the API in tests: through the Django test client, with a real token."""

import json

from halte.api.services import api_token_create
from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.clients.tests.pages import looks_since, named_clients  # noqa: F401

# Who makes the tokens of the tests (their audit entries are the system's).
SYSTEM = Actor.system("tests")


def token_for(user, *, scopes=(), name="test token") -> str:
    _, token = api_token_create(actor=SYSTEM, user=user, name=name, scopes=list(scopes))
    return token


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class Api:
    """A test client speaking JSON with one bearer token."""

    def __init__(self, client, user=None, *, scopes=(), token=None):
        self.client = client
        self.token = token or (token_for(user, scopes=scopes) if user is not None else None)

    def _headers(self, extra: dict) -> dict:
        headers = auth(self.token) if self.token else {}
        return headers | extra

    def get(self, path, params=None, **extra):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(extra))

    def post(self, path, data=None, *, raw=None, **extra):
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(
            f"/api/v1{path}", body, content_type="application/json", **self._headers(extra)
        )

    def patch(self, path, data=None, *, raw=None, **extra):
        body = raw if raw is not None else json.dumps(data)
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", **self._headers(extra)
        )


def audit_entries(after_seq: int = 0) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq"))


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]

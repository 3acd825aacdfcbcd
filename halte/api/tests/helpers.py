"""Calling the API in tests: through the Django test client, with a real token."""

import json

from halte.api.models import ApiToken, hash_token
from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.clients.tests.pages import looks_since, named_clients  # noqa: F401

# Who makes the tokens the tests make through the service (their entries are the system's).
SYSTEM = Actor.system("tests")


def token_for(user, *, scopes=(), name="test token") -> str:
    """A token for `user`, stored as the service stores it but without its audit
    entry, as a factory makes a row: the tests of the endpoints count the entries
    their calls write from before the token is made. The service's entry is tested in
    test_token_audit.py."""
    token = ApiToken.generate()
    ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(token), scopes=sorted(set(scopes))
    )
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

"""The JSON API root, mounted at /api/v1/ (API.md): auth, errors, and every app's router."""

from ninja import NinjaAPI

from halte.api.auth import BearerToken, Session
from halte.clients.api import router as clients_router
from halte.contact.api import router as contact_router
from halte.core.api import errors
from halte.core.api.errors import declare_retry_after
from halte.core.api.scopes import SCOPE_DESCRIPTIONS
from halte.journey.api import router as journey_router
from halte.outreach.announcement_api import router as announcements_router
from halte.outreach.api import router as outreach_router


def _description() -> str:
    scopes = "\n".join(f"- `{scope}`: {text}" for scope, text in SCOPE_DESCRIPTIONS.items())
    return (
        "The JSON API of Halte.\n\n"
        "**Authentication**: `Authorization: Bearer <token>`, made with "
        "`manage.py create_api_token --user USERNAME [--scopes a,b] [--name N]`; "
        "a logged-in browser session works too.\n\n"
        "**Scopes**: a token made without scopes may do whatever its user's role may do; "
        "scopes only narrow that:\n\n"
        f"{scopes}\n\n"
        "**Errors** all have one shape: "
        '`{"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}`. '
        "A 429 (a token limit) and a 503 (the database is busy; nothing was saved) "
        "say in `Retry-After` how many seconds to wait before trying again."
    )


class HalteAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        return declare_retry_after(super().get_openapi_schema(**kwargs))


api = HalteAPI(
    title="Halte API",
    version="1",
    description=_description(),
    urls_namespace="api",
    auth=[BearerToken(), Session()],
)
errors.install(api)

api.add_router("/clients", clients_router)
# Callers, telephony, interactions, commitments and /clients/{id}/timeline.
api.add_router("", contact_router)
# The care offer, referrals, the waiting list, care episodes and /clients/{id}/journey.
api.add_router("", journey_router)
# Announcements to a segment of clients: create, preview, schedule, status.
api.add_router("", announcements_router)
# A client's messages and one message (the outbox).
api.add_router("", outreach_router)

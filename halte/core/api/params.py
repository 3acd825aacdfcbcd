"""What every router shares: path and query parameters, and the messages for ids in
a body that name nothing (or nothing the user may see)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query

from halte.core.api.types import MAX_ID

UNKNOWN_CLIENT = _("There is no such client, or you may not see them.")
UNKNOWN_RELATION = _("The client has no such relation.")
UNKNOWN_USER = _("There is no such person.")
UNKNOWN_TEAM = _("There is no such team.")


def id_path(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def limit_query():
    return Query(settings.API_DEFAULT_LIMIT, ge=1, le=settings.API_MAX_LIMIT)


def cursor_query():
    return Query(None, max_length=300, description="`next` of the previous page.")

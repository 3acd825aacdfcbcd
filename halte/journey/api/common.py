"""What the journey endpoints share: path and query parameters, If-Match, the API's
field names in the services' errors, pages, and looking up what a body names."""

from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header

from halte.audit.context import Actor
from halte.core.api.errors import ApiError
from halte.core.api.pagination import MAX_PAGE, decode_cursor, encode_cursor
from halte.core.api.params import UNKNOWN_TEAM, UNKNOWN_USER
from halte.core.models import Team, User
from halte.core.roles import Capability
from halte.core.validation import Errors
from halte.journey import queries
from halte.journey.models import CareProduct

PART = queries.PART
WAITING_PART = "waiting_list"
UNKNOWN_PRODUCT = _("There is no such care product.")
UNKNOWN_CARE_OFFICE = _("There is no such care office.")
INVALID_IF_MATCH = _('If-Match must be the version you read, e.g. "3".')


IF_MATCH = Header(
    None,
    alias="If-Match",
    max_length=100,
    description="The `version` you read; when it is stale the answer is 409 and nothing changes.",
)


def expected_version(if_match: str | None) -> int | None:
    """'3', '"3"' or 'W/"3"' -> 3; absent or '*' -> None (no check)."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise ApiError(400, INVALID_IF_MATCH, {"If-Match": [INVALID_IF_MATCH]})
    return int(value)


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


@contextmanager
def api_fields(**names: str):
    """The services name model fields (owner, held_by, ...); the API names its own."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        fields: dict[str, list] = {}
        for name, messages in error.message_dict.items():
            fields.setdefault(names.get(name, name), []).extend(messages)
        raise ValidationError(fields) from None


def page_of(rows, *, query: str, limit: int, cursor: str | None):
    """A page of `rows` (a queryset) and the cursor of the next page."""
    page, size = 1, limit
    if cursor:
        page, size = decode_cursor(cursor, query=query, max_size=settings.API_MAX_LIMIT)
    start = (page - 1) * size
    found = list(rows[start : start + size + 1])
    more = len(found) > size and page < MAX_PAGE
    return found[:size], encode_cursor(query=query, page=page + 1, size=size) if more else None


# Looking up what a body names: unknown is 422 on the field, never 404 or 500.


def user_named(errors: Errors, field: str, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        errors.add(field, UNKNOWN_USER)
    return user


def team_named(errors: Errors, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        errors.add("team_id", UNKNOWN_TEAM)
    return team


def product_named(errors: Errors, field: str, code: str | None) -> CareProduct | None:
    if code is None:
        return None
    product = CareProduct.objects.filter(code=code).first()
    if product is None:
        errors.add(field, UNKNOWN_PRODUCT)
    return product


def referral_detail(actor: Actor, referral_id: int, capability=Capability.VIEW_JOURNEY):
    return queries.referral_for_user(actor, referral_id, capability=capability)

"""One error shape for the whole API (API.md):

    {"error": {"code": "...", "message": "...", "fields": {"field": ["..."]}}}

Every exception an endpoint may meet is turned into it here, so bad input is a 4xx
and never a 500.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from halte.core.errors import RETRY_AFTER_SECONDS, Conflict, is_database_busy
from halte.core.validation import REQUIRED, TOO_LONG


class ErrorCode(StrEnum):
    MALFORMED_JSON = "malformed_json"
    BAD_REQUEST = "bad_request"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    INVALID = "invalid"
    RATE_LIMITED = "rate_limited"
    SERVICE_UNAVAILABLE = "service_unavailable"


class ApiError(HttpError):
    """An error whose message is ours (translated), not ninja's default text."""

    def __init__(
        self, status_code: int, message, fields: dict | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(status_code, message)
        self.fields = fields or {}
        self.headers = headers or {}  # such as a 429's Retry-After


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorDetail


MESSAGES = {
    ErrorCode.MALFORMED_JSON: _("The request body is not valid JSON."),
    ErrorCode.BAD_REQUEST: _("The request is not valid."),
    ErrorCode.UNAUTHENTICATED: _("Authentication required: send Authorization: Bearer <token>."),
    ErrorCode.FORBIDDEN: _("Your role or token may not do this."),
    ErrorCode.NOT_FOUND: _("Not found."),
    ErrorCode.METHOD_NOT_ALLOWED: _("This method is not allowed here."),
    ErrorCode.CONFLICT: _("The record was changed by someone else; reload it and try again."),
    ErrorCode.POSSIBLE_DUPLICATE: _(
        "This person may already be a client (see candidates). To add them all the same, "
        'send the request again with "duplicates_checked": true.'
    ),
    ErrorCode.TOO_LARGE: _("The request body is too large."),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: _(
        "Send the request body as JSON, with the header Content-Type: application/json."
    ),
    ErrorCode.INVALID: _("Some values are not valid."),
    ErrorCode.RATE_LIMITED: _("Too many requests; try again later."),
    ErrorCode.SERVICE_UNAVAILABLE: _(
        "The database is busy; nothing was saved. Try again after Retry-After seconds."
    ),
}
_CODE_BY_STATUS = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.INVALID,
    429: ErrorCode.RATE_LIMITED,
}

# Pydantic's messages are English only; the common ones get ours.
ENTER_OBJECT = _("Enter an object.")
ENTER_LIST = _("Enter a list.")
ENTER_TEXT = _("Enter text.")
ENTER_WHOLE_NUMBER = _("Enter a whole number.")
ENTER_BOOLEAN = _("Enter true or false.")
ENTER_DATE = _("Enter a valid date (YYYY-MM-DD).")
UNKNOWN_FIELD = _("Unknown field.")
NULL_CHARACTER = _("Null characters are not allowed.")
UNKNOWN_VALUE = _("Unknown value; expected %(expected)s.")
OUT_OF_RANGE = _("Enter a value from %(ge)s to %(le)s.")
_PYDANTIC_MESSAGES = {
    "missing": REQUIRED,
    "extra_forbidden": UNKNOWN_FIELD,
    "model_type": ENTER_OBJECT,
    "model_attributes_type": ENTER_OBJECT,
    "dict_type": ENTER_OBJECT,
    "list_type": ENTER_LIST,
    "string_type": ENTER_TEXT,
    "int_type": ENTER_WHOLE_NUMBER,
    "int_parsing": ENTER_WHOLE_NUMBER,
    "int_from_float": ENTER_WHOLE_NUMBER,
    "bool_type": ENTER_BOOLEAN,
    "bool_parsing": ENTER_BOOLEAN,
    "date_type": ENTER_DATE,
    "date_parsing": ENTER_DATE,
    "date_from_datetime_parsing": ENTER_DATE,
    "date_from_datetime_inexact": ENTER_DATE,
    "null_character": NULL_CHARACTER,
}

# Service errors name model fields; the API nests the address.
_API_FIELD_NAMES = {
    name: f"address.{name}"
    for name in ("street", "house_number", "house_number_suffix", "postcode", "city")
} | {"team": "team_id"}


def error_body(code: ErrorCode, message=None, fields: dict | None = None) -> dict:
    return {
        "error": {
            "code": code.value,
            "message": str(message or MESSAGES[code]),
            "fields": {
                name: [str(m) for m in messages] for name, messages in (fields or {}).items()
            },
        }
    }


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The `response=` entries for the error statuses an endpoint can answer. An
    endpoint that reads a body (413: it can be too large) also refuses one that is
    not JSON (415); one that authenticates (401) can also meet the token limits: 429.
    Every endpoint can meet a database too busy to answer in time: 503."""
    if 413 in statuses:
        statuses = (*statuses, 415)
    if 401 in statuses:
        statuses = (*statuses, 429)
    return dict.fromkeys((*statuses, 503), ErrorOut)


# The answers that tell the caller when to try again (a token limit, a busy database).
RETRY_AFTER_STATUSES = (429, 503)
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}


def declare_retry_after(document: dict) -> dict:
    """Adds the Retry-After header to the 429 and 503 answers of an OpenAPI document:
    ninja's `response=` declares bodies only."""
    for path in document["paths"].values():
        for operation in path.values():
            for status in RETRY_AFTER_STATUSES:
                response = operation["responses"].get(status)
                if response is not None:
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER_HEADER
    return document


class NotJson(ValueError):
    """A request body sent with another Content-Type than JSON."""


class JsonParser(Parser):
    """Reads a body only when it says it is JSON (application/json, or a JSON-based
    type such as application/merge-patch+json): a form post or plain text is
    refused with 415 rather than guessed at."""

    def parse_body(self, request):
        kind = request.content_type or ""
        if kind != "application/json" and not (
            kind.startswith("application/") and kind.endswith("+json")
        ):
            raise NotJson(kind)
        return super().parse_body(request)


def _pydantic_message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "string_too_long":
        return TOO_LONG % {"max": ctx.get("max_length", 0)}
    if kind in ("enum", "literal_error"):
        return UNKNOWN_VALUE % {"expected": ctx.get("expected", "")}
    if kind in ("greater_than_equal", "less_than_equal") and "ge" in ctx and "le" in ctx:
        return OUT_OF_RANGE % ctx
    message = _PYDANTIC_MESSAGES.get(kind)
    return str(message) if message is not None else error.get("msg", "")


def _field_name(loc) -> str:
    """('body', 'payload', 'phones', 0, 'label') -> 'phones.0.label'."""
    source, rest = loc[0], list(loc[1:])
    if source == "body" and rest:
        rest = rest[1:]  # the endpoint's parameter name, not part of the document
    return ".".join(str(part) for part in rest) or source


def _api_field(name: str) -> str:
    return _API_FIELD_NAMES.get(name, name)


def _conflict_message(exc: Conflict):
    """The service's own message when it is translatable (gettext_lazy), else ours."""
    message = exc.args[0] if exc.args else None
    return message if isinstance(message, Promise) else None


def install(api) -> None:
    """Register the handlers that turn exceptions into the error shape, and the
    parser that refuses a body that is not JSON."""
    api.parser = JsonParser()

    def respond(request, status: int, code: ErrorCode, message=None, fields=None):
        return api.create_response(request, error_body(code, message, fields), status=status)

    def on_schema_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        sources = set()
        for error in exc.errors:
            sources.add(error["loc"][0])
            fields.setdefault(_field_name(error["loc"]), []).append(_pydantic_message(error))
        if "path" in sources:
            return respond(request, 404, ErrorCode.NOT_FOUND)
        if sources & {"query", "header"}:
            return respond(request, 400, ErrorCode.BAD_REQUEST, fields=fields)
        return respond(request, 422, ErrorCode.INVALID, fields=fields)

    def on_service_error(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {_api_field(name): messages for name, messages in exc.message_dict.items()}
            return respond(request, 422, ErrorCode.INVALID, fields=fields)
        return respond(request, 422, ErrorCode.INVALID, " ".join(exc.messages))

    def on_http_error(request, exc: HttpError):
        # ninja's own errors: its texts are English only, so each status gets ours.
        if isinstance(exc.__cause__, NotJson):  # ninja wraps the parser's error in a 400
            return respond(request, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE)
        code = _CODE_BY_STATUS.get(exc.status_code, ErrorCode.BAD_REQUEST)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
            code = ErrorCode.MALFORMED_JSON  # the body parser failed
        if isinstance(exc, ApiError):
            response = respond(request, exc.status_code, code, exc.message, exc.fields)
            for name, value in exc.headers.items():
                response[name] = value
        else:
            response = respond(request, exc.status_code, code)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response

    def on_database_error(request, exc: OperationalError):
        if not is_database_busy(exc):
            raise exc
        response = respond(request, 503, ErrorCode.SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(OperationalError, on_database_error)
    api.add_exception_handler(DjangoValidationError, on_service_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(
        Http404, lambda request, exc: respond(request, 404, ErrorCode.NOT_FOUND)
    )
    api.add_exception_handler(
        PermissionDenied, lambda request, exc: respond(request, 403, ErrorCode.FORBIDDEN)
    )
    api.add_exception_handler(
        Conflict,
        lambda request, exc: respond(request, 409, ErrorCode.CONFLICT, _conflict_message(exc)),
    )
    # A unique constraint hit by a concurrent write: nothing was saved, try again.
    api.add_exception_handler(
        IntegrityError, lambda request, exc: respond(request, 409, ErrorCode.CONFLICT)
    )
    api.add_exception_handler(
        RequestDataTooBig, lambda request, exc: respond(request, 413, ErrorCode.TOO_LARGE)
    )

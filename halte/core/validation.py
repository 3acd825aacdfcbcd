"""Collecting validation errors per field, so a form or an endpoint shows them all at once."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REQUIRED = _("This field is required.")
TOO_LONG = _("Ensure this value has at most %(max)d characters.")
UNKNOWN_CHOICE = _("Unknown value %(value)r.")


class Errors:
    """Collects messages per field, then raises them together."""

    def __init__(self):
        self.by_field: dict[str, list] = {}

    def add(self, field: str, message) -> None:
        self.by_field.setdefault(field, []).append(message)

    def capture(self, field: str, func, *args):
        try:
            return func(*args)
        except ValidationError as error:
            for message in error.messages:
                self.add(field, message)
            return None

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def max_length(model, field: str) -> int | None:
    return model._meta.get_field(field).max_length


def check_text(errors: Errors, model, field: str, value, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors.add(field, _("Enter text."))
        return ""
    if required and not text:
        errors.add(field, REQUIRED)
    limit = max_length(model, field)
    if limit and len(text) > limit:
        errors.add(field, TOO_LONG % {"max": limit})
    return text


def check_choice(errors: Errors, field: str, value, choices) -> str:
    if value not in choices.values:
        errors.add(field, UNKNOWN_CHOICE % {"value": value})
    return value

"""Form pieces shared by the pages: Dutch dates, and service errors onto form fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from halte.core.validation import DateRange

# Dutch notation first (12-03-1941); ISO as well, which is what pasted dates often are.
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
INVALID_DATE = _("Enter a date as dd-mm-yyyy, for example 12-03-1941.")


class DutchDateField(forms.DateField):
    """A date typed the Dutch way, within `bounds` (halte.core.validation), so a date
    that means nothing (the year 9999) never reaches a service or the database.
    `bounds=None`: the service checks the range with messages of its own."""

    def __init__(self, *, bounds: DateRange | None, **kwargs):
        self.bounds = bounds
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d-%m-%Y",
                attrs={
                    "placeholder": _("dd-mm-yyyy"),
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "size": 10,
                },
            ),
        )
        kwargs.setdefault("error_messages", {"invalid": INVALID_DATE})
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and self.bounds and (problem := self.bounds.problem(value)):
            raise ValidationError(problem, code="out_of_range")


def add_service_errors(form: forms.Form, error: ValidationError, field_map=None) -> None:
    """Put a service's ValidationError on the form: per field where the form has that
    field (after `field_map` renames), otherwise as an error of the whole form."""
    field_map = field_map or {}
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, messages in by_field.items():
        target = field_map.get(field, field)
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)

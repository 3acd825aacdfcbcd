import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from halte.audit.models import Action, Outcome

DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
# Dates the log can hold: far outside them, a day's start in local time no longer fits
# a datetime (a 500 instead of an answer).
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
DATE_OUT_OF_RANGE = _("Enter a date between 01-01-2000 and 31-12-2099.")
PERIOD_REVERSED = _("The end of the period lies before its start.")
INVALID_DATE = _("Enter a date as dd-mm-yyyy, for example 31-12-2026.")
INVALID_NUMBER = _("Enter a client number: digits only, for example 100234.")
UNKNOWN_CHOICE = _("Choose one of the options in the list.")
INVALID_CURSOR = _("This link to older entries is not valid; start again from the newest.")
# Client numbers and the page cursor are stored as 32- and 64-bit integers.
MAX_CLIENT_NUMBER = 2**31 - 1
MAX_SEQ = 2**63 - 1


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"placeholder": _("dd-mm-yyyy"), "inputmode": "numeric"}),
        error_messages={"invalid": INVALID_DATE},
    )


def _choice_field(label, choices, everything):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", everything), *choices],
        error_messages={"invalid_choice": UNKNOWN_CHOICE},
    )


class AuditFilterForm(forms.Form):
    person = forms.CharField(
        label=_("Staff member"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("name or username")}),
    )
    client_number = forms.IntegerField(
        label=_("Client number"),
        required=False,
        min_value=1,
        max_value=MAX_CLIENT_NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": INVALID_NUMBER,
            "min_value": INVALID_NUMBER,
            "max_value": INVALID_NUMBER,
        },
    )
    since = _date_field(_("From"))
    until = _date_field(_("Up to and including"))
    action = _choice_field(_("Action"), Action.choices, _("All actions"))
    outcome = _choice_field(_("Outcome"), Outcome.choices, _("All outcomes"))
    before = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SEQ,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": INVALID_CURSOR,
            "min_value": INVALID_CURSOR,
            "max_value": INVALID_CURSOR,
        },
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("since", "until"):
            day = cleaned.get(name)
            if day and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, DATE_OUT_OF_RANGE)
                cleaned.pop(name, None)
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", PERIOD_REVERSED)
        return cleaned

from django import forms
from django.utils.translation import gettext_lazy as _

WRONG_CODE = _(
    "This code is not right. Type the code your authenticator app shows now, "
    "or one of your recovery codes."
)
WRONG_ENROLMENT_CODE = _(
    "This code is not right. Check that the app shows Halte and type the code it shows now."
)
TOO_MANY_TRIES = _("Too many wrong codes. Wait %(seconds)s seconds and try again.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

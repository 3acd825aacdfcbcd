from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    client_number = forms.IntegerField(label=_("Client number"), required=False, min_value=1)
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    since = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd-mm-jjjj"}),
    )
    until = forms.DateField(
        label=_("Up to and including"),
        required=False,
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd-mm-jjjj"}),
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period lies before its start."))
        return cleaned

"""Forms for the client pages. They parse shapes (text, dates, choices); the services
in clients.services own the meaning and their errors are put back on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from halte.clients.models import (
    AddressForm,
    ClientStatus,
    ContactChannel,
    MessageCopy,
    PhoneLabel,
    PreferenceKind,
    RelationKind,
    Salutation,
)
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.core import language
from halte.core import phone as phone_codec
from halte.core.forms import DutchDateField
from halte.core.models import Team
from halte.core.roles import ClientScope, client_scope

CLIENT_PHONE_ROWS = 4
RELATION_PHONE_ROWS = 3
TEXT = forms.TextInput


def _text(label, *, required=False, **attrs):
    # No max_length here: the services check lengths and say so in one voice.
    return forms.CharField(label=label, required=required, strip=False, widget=TEXT(attrs=attrs))


class PhoneRowsMixin:
    """Rows of (number, label) fields: phone_1, phone_label_1, ..."""

    phone_rows = 0

    def add_phone_fields(self):
        for row in range(1, self.phone_rows + 1):
            self.fields[f"phone_{row}"] = forms.CharField(
                label=_("Phone number %(row)d") % {"row": row},
                required=False,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            )
            self.fields[f"phone_label_{row}"] = forms.ChoiceField(
                label=_("Kind of number %(row)d") % {"row": row},
                choices=PhoneLabel.choices,
                initial=PhoneLabel.MOBILE,
            )

    def phone_field_rows(self):
        return [
            (self[f"phone_{row}"], self[f"phone_label_{row}"])
            for row in range(1, self.phone_rows + 1)
        ]

    @staticmethod
    def phone_initial(phones) -> dict:
        initial = {}
        for row, phone in enumerate(phones, start=1):
            initial[f"phone_{row}"] = phone.display
            initial[f"phone_label_{row}"] = phone.label
        return initial

    def clean_phone_rows(self):
        """Point a bad number at its own row; the service checks the whole list again."""
        for row in range(1, self.phone_rows + 1):
            number = self.cleaned_data.get(f"phone_{row}", "").strip()
            if number and phone_codec.try_normalize(number) is None:
                self.add_error(f"phone_{row}", phone_codec.INVALID_PHONE)

    def phones(self) -> list[tuple[str, str]]:
        rows = []
        for row in range(1, self.phone_rows + 1):
            number = self.cleaned_data.get(f"phone_{row}", "").strip()
            if number:
                rows.append((number, self.cleaned_data.get(f"phone_label_{row}")))
        return rows


NO_PREFERENCE = _("No preference")
CLIENT_CHANNEL_CHOICES = [("", NO_PREFERENCE), *ContactChannel.choices]
# A relation has no postal address here, so no letter.
RELATION_CHANNEL_CHOICES = [
    ("", NO_PREFERENCE),
    *((value, label) for value, label in ContactChannel.choices if value != ContactChannel.LETTER),
]


def _relation_languages():
    return [("", _("The client's language")), *language.choices()]


def _team_queryset(user):
    teams = Team.objects.select_related("location")
    if client_scope(user) == ClientScope.OWN_TEAMS:
        return teams.filter(id__in=user.team_ids())
    return teams


# The client fields a form hands to the services as they are; postcode, team, phones
# and BSN get their own handling.
PLAIN_FIELDS = (
    "given_names",
    "name_prefix",
    "family_name",
    "preferred_name",
    "salutation",
    "address_form",
    "date_of_birth",
    "email",
    "street",
    "house_number",
    "house_number_suffix",
    "city",
    "language",
    "interpreter_needed",
    "status",
    "contact_channel",
    "journey_messages",
    "announcements",
)


class ClientForm(PhoneRowsMixin, forms.Form):
    phone_rows = CLIENT_PHONE_ROWS

    given_names = _text(_("Given names"), required=True, autocomplete="off")
    name_prefix = _text(_("Name prefix (tussenvoegsel)"), size=8)
    family_name = _text(_("Family name"), required=True)
    preferred_name = _text(_("Preferred name"))
    salutation = forms.ChoiceField(
        label=_("Salutation"), choices=Salutation.choices, initial=Salutation.NEUTRAL
    )
    address_form = forms.ChoiceField(
        label=_("Form of address"), choices=AddressForm.choices, initial=AddressForm.FORMAL
    )
    date_of_birth = DutchDateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("As dd-mm-yyyy, for example 12-03-1941."),
    )
    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        widget=TEXT(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = _text(_("Email"), type="email", autocomplete="off")
    street = _text(_("Street"))
    house_number = _text(_("House number"), inputmode="numeric", size=6)
    house_number_suffix = _text(_("Suffix"), size=6)
    postcode = _text(_("Postcode"), size=8)
    city = _text(_("City"))
    language = forms.ChoiceField(label=_("Language"), choices=language.choices, initial="nl")
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ClientStatus.choices, initial=ClientStatus.PROSPECT
    )
    contact_channel = forms.ChoiceField(
        label=_("Preferred channel"),
        choices=CLIENT_CHANNEL_CHOICES,
        required=False,
        help_text=_(
            "Without a preference Halte uses the first that can: email, a text message to a "
            "mobile number, a letter."
        ),
    )
    journey_messages = forms.BooleanField(
        label=_("Messages about the care"), required=False, initial=True
    )
    announcements = forms.BooleanField(label=_("News and announcements"), required=False)
    team = forms.ModelChoiceField(
        label=_("Care team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team yet"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Sent by the "create anyway" button of a duplicates warning: the fingerprint of
    # what was checked (clients.duplicates), so only a changed name, birth date or
    # number is checked again.
    duplicates_checked = forms.CharField(
        label=_("Checked for duplicates"), required=False, max_length=64, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, show_bsn: bool, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_phone_fields()
        self.fields["team"].queryset = _team_queryset(user)
        if client_scope(user) == ClientScope.OWN_TEAMS:
            # A client outside the user's own teams would vanish from their view; the
            # services refuse it too (the API's path), with the same message.
            team = self.fields["team"]
            team.required = True
            team.error_messages["required"] = TEAM_OUTSIDE_OWN
            team.error_messages["invalid_choice"] = TEAM_OUTSIDE_OWN
        if not show_bsn:
            del self.fields["bsn"]
        elif editing:
            self.fields["bsn"].label = _("New BSN")
            self.fields["bsn"].help_text = _("Leave empty to keep the current BSN.")
        if editing:
            del self.fields["duplicates_checked"]
        else:
            del self.fields["version"]

    def clean(self):
        cleaned = super().clean()
        self.clean_phone_rows()
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in (*PLAIN_FIELDS, "postcode", "team")}
        fields["phones"] = self.phones()
        if data.get("bsn", "").strip():
            fields["bsn"] = data["bsn"]
        return fields

    @classmethod
    def initial_for(cls, client) -> dict:
        initial = {name: getattr(client, name) for name in (*PLAIN_FIELDS, "version")}
        initial["postcode"] = client.postcode_display
        initial["team"] = client.team_id
        initial.update(cls.phone_initial(client.phones.all()))
        return initial


class WhatMattersForm(forms.Form):
    what_matters = forms.CharField(
        label=_("What matters to me"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In the client's own words: what makes a good day, what must not go wrong."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_fields(self) -> dict:
        return {"what_matters": self.cleaned_data["what_matters"]}


RELATION_FIELDS = (
    "name",
    "kind",
    "email",
    "may_receive_information",
    "may_act_on_behalf",
    "emergency_contact",
    "message_copy",
    "contact_channel",
    "language",
)


class RelationForm(PhoneRowsMixin, forms.Form):
    phone_rows = RELATION_PHONE_ROWS

    name = _text(_("Name"), required=True)
    kind = forms.ChoiceField(label=_("Relation to the client"), choices=RelationKind.choices)
    email = _text(_("Email"), type="email", autocomplete="off")
    may_receive_information = forms.BooleanField(label=_("May receive information"), required=False)
    may_act_on_behalf = forms.BooleanField(
        label=_("May act on behalf of the client"), required=False
    )
    emergency_contact = forms.BooleanField(label=_("Emergency contact"), required=False)
    message_copy = forms.ChoiceField(
        label=_("Receives the client's messages"),
        choices=MessageCopy.choices,
        required=False,
        help_text=_("Only a relation who may receive information."),
    )
    contact_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=RELATION_CHANNEL_CHOICES, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=_relation_languages, required=False, initial=""
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_phone_fields()

    def clean(self):
        cleaned = super().clean()
        self.clean_phone_rows()
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in RELATION_FIELDS}
        fields["phones"] = self.phones()
        return fields

    @classmethod
    def initial_for(cls, relation) -> dict:
        initial = {name: getattr(relation, name) for name in RELATION_FIELDS}
        initial.update(cls.phone_initial(relation.phones.all()))
        return initial


class PreferenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PreferenceKind.choices)
    text = forms.CharField(
        label=_("Preference"), strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    noted_on = DutchDateField(
        label=_("Noted on"), required=False, help_text=_("Leave empty for today.")
    )


class CareNoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), strip=False, widget=forms.Textarea(attrs={"rows": 6}))

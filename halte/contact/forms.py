"""Forms for the workplace pages. They parse shapes (text, choices, Dutch date and
time); the services in contact.services own the meaning, and their errors are put
back on these fields (see FIELD_MAP)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halte.clients.models import PhoneLabel, Salutation
from halte.clients.validation import TEAM_OUTSIDE_OWN
from halte.contact.models import (
    AttemptOutcome,
    Channel,
    CommitmentKind,
    Direction,
    InteractionOutcome,
)
from halte.core import phone as phone_codec
from halte.core.models import Team, User
from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope, client_scope

# Dutch notation first (23-11-2026 14:30); ISO as well, as a browser's picker sends it.
DATETIME_INPUT_FORMATS = [
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H.%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
]
INVALID_DATETIME = _("Enter a date and time as dd-mm-yyyy hh:mm, for example 24-11-2026 14:30.")

OWNER_ME = "me"
OWNER_COLLEAGUE = "colleague"
OWNER_TEAM = "team"

# Where the promise service's errors land on the promise form.
COMMITMENT_FIELD_MAP = {"owner_user": "owner", "owner_team": "owner", "relation_id": "relation"}
CONTACT_FIELD_MAP = {"relation_id": "relation"}


class DutchDateTimeField(forms.DateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(
                format="%d-%m-%Y %H:%M",
                attrs={"placeholder": _("dd-mm-yyyy hh:mm"), "autocomplete": "off", "size": 16},
            ),
        )
        kwargs.setdefault("error_messages", {"invalid": INVALID_DATETIME})
        super().__init__(**kwargs)


class NumberLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("In any notation, for example 06-12345678 or +31 (0)6 1234 5678."),
    )

    def clean_number(self) -> str:
        normalized = phone_codec.try_normalize(self.cleaned_data["number"])
        if normalized is None:
            raise forms.ValidationError(phone_codec.INVALID_PHONE)
        return normalized


def _teams_for(user):
    teams = Team.objects.select_related("location")
    if client_scope(user) == ClientScope.OWN_TEAMS:
        return teams.filter(id__in=user.team_ids())
    return teams


class NewContactForm(forms.Form):
    """The few details an agent takes down from an unknown caller."""

    given_names = forms.CharField(label=_("Given names"), strip=False)
    name_prefix = forms.CharField(label=_("Name prefix (tussenvoegsel)"), required=False)
    family_name = forms.CharField(label=_("Family name"), strip=False)
    salutation = forms.ChoiceField(
        label=_("Salutation"), choices=Salutation.choices, initial=Salutation.NEUTRAL
    )
    number = forms.CharField(
        label=_("Phone number"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    team = forms.ModelChoiceField(
        label=_("Care team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team yet"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _teams_for(user)
        if client_scope(user) == ClientScope.OWN_TEAMS:
            # A client outside the user's own teams would vanish from their view (the
            # services refuse it too, with the same message).
            team = self.fields["team"]
            team.required = True
            team.error_messages["required"] = TEAM_OUTSIDE_OWN
            team.error_messages["invalid_choice"] = TEAM_OUTSIDE_OWN

    def clean_number(self) -> str:
        number = self.cleaned_data["number"]
        if phone_codec.try_normalize(number) is None:
            raise forms.ValidationError(phone_codec.INVALID_PHONE)
        return number

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name] for name in ("given_names", "name_prefix", "family_name", "salutation")
        }
        fields["phones"] = [(data["number"], PhoneLabel.MOBILE)]
        fields["team"] = data["team"]
        return fields


class _RelationChoiceMixin:
    """A select of the client's relations (empty: the client themselves)."""

    def set_relations(self, client, empty_label):
        choices = [("", empty_label)] + [
            (str(r.pk), f"{r.name} ({r.get_kind_display()})") for r in client.relations.all()
        ]
        self.fields["relation"].choices = choices
        self._relations = {str(r.pk): r for r in client.relations.all()}

    def clean_relation(self):
        return self._relations.get(self.cleaned_data.get("relation") or "")


class _ContactForm(_RelationChoiceMixin, forms.Form):
    """What every contact records: with whom, about what, and how it ended."""

    topic = forms.CharField(label=_("Topic"), required=False, strip=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=InteractionOutcome.choices,
        help_text=_("Follow-up needed: after saving, you record the promise straight away."),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_relations(client, _("The client"))

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class InteractionForm(_ContactForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    relation = forms.ChoiceField(label=_("With"), required=False)

    field_order = ["channel", "direction", "relation", "topic", "summary", "outcome"]


class CompleteCallForm(_ContactForm):
    """Writing up the call's draft record on the client's card."""

    relation = forms.ChoiceField(label=_("Who called"), required=False)

    field_order = ["relation", "topic", "summary", "outcome"]


def _colleagues(client):
    """Those who may keep a promise for this client: everyone who makes promises and
    sees all clients, and the members of the client's team who make them."""
    roles = [role for role, caps in CAPABILITIES.items() if Capability.MAKE_COMMITMENT in caps]
    everywhere = [role for role in roles if CLIENT_SCOPES[role] == ClientScope.ALL]
    may_see = Q(role__in=everywhere)
    if client.team_id is not None:
        may_see |= Q(teams=client.team_id)
    return (
        User.objects.filter(may_see, is_active=True, role__in=roles)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CommitmentForm(_RelationChoiceMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of promise"), choices=CommitmentKind.choices, initial=CommitmentKind.CALLBACK
    )
    description = forms.CharField(
        label=_("What was promised"), strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    relation = forms.ChoiceField(label=_("Promised to"), required=False)
    callback_number = forms.CharField(
        label=_("Number to call back"),
        required=False,
        help_text=_("For a callback: the number they called from, unless they want another."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    owner = forms.ChoiceField(
        label=_("Who keeps the promise"),
        choices=[
            (OWNER_ME, _("Me")),
            (OWNER_COLLEAGUE, _("A colleague")),
            (OWNER_TEAM, _("A team")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    colleague = forms.ModelChoiceField(
        label=_("Colleague"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label="—"
    )
    due_at = DutchDateTimeField(
        label=_("Due"),
        required=False,
        help_text=_("Leave empty to use the service standard for this kind of promise."),
    )

    def __init__(self, *args, client, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.set_relations(client, _("The client"))
        self.fields["colleague"].queryset = _colleagues(client)
        self.fields["team"].queryset = Team.objects.select_related("location")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        owner_user = owner_team = None
        if data["owner"] == OWNER_ME:
            owner_user = self.user
        elif data["owner"] == OWNER_COLLEAGUE:
            owner_user = data["colleague"]
        elif data["owner"] == OWNER_TEAM:
            owner_team = data["team"]
        return {
            "kind": data["kind"],
            "description": data["description"],
            "relation": data["relation"],
            "callback_number": data["callback_number"].strip(),
            "owner_user": owner_user,
            "owner_team": owner_team,
            "due_at": data["due_at"],
        }


class AttemptForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What happened"), choices=AttemptOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False, strip=False)


class CompleteCommitmentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    summary = forms.CharField(
        label=_("What was done"), strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InteractionOutcome.choices)


class CallWithoutClientForm(forms.Form):
    """Writing up a call that belongs to no client (yet): about what, and how it ended."""

    topic = forms.CharField(label=_("Topic"), required=False, strip=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InteractionOutcome.choices)

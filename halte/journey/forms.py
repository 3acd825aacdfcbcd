"""Forms for the journey pages. They parse shapes (choices, Dutch dates, hours); the
services in journey.services own the meaning, and their errors are put back on these
fields. Every form that changes a record carries the version the user saw, so a
stale form is refused by the service before anything is written."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.contact.forms import DutchDateTimeField
from halte.contact.models import Channel
from halte.core import validation
from halte.core.forms import DutchDateField
from halte.core.models import Team, User
from halte.core.roles import CAPABILITIES, CLIENT_SCOPES, Capability, ClientScope, client_scope
from halte.journey.models import (
    NEEDS_REASON,
    OTHER_STATUSES,
    WLZ_STATUSES,
    CareOffice,
    CareProduct,
    EndReason,
    IntakeMode,
    IntakeOutcome,
    Priority,
    ReferralSource,
    Stage,
    Urgency,
    WaitingStatus,
)

# Where the services' errors land on these forms.
FIELD_MAP = {"referrer_id": "referrer"}

# What a select shows before anything is chosen: a prompt that says what to choose where
# a choice is needed, a dash where none is (rather than Django's "---------").
CHOOSE_CARE = _("Choose the care")
CHOOSE_TEAM = _("Choose a team")
CHOOSE_COLLEAGUE = _("Choose a colleague")
NONE_CHOSEN = "—"


def _roles_with(capability: Capability, scope: ClientScope | None = None) -> list[str]:
    return [
        role
        for role, capabilities in CAPABILITIES.items()
        if capability in capabilities and (scope is None or CLIENT_SCOPES[role] == scope)
    ]


def _staff():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def planners():
    return _staff().filter(role__in=_roles_with(Capability.PLAN_JOURNEY))


def intake_staff(client):
    """Who may hold this client's intake: they hold intakes and may see the client."""
    everyone = Q(role__in=_roles_with(Capability.RECORD_INTAKE, ClientScope.ALL))
    own_team = Q(
        role__in=_roles_with(Capability.RECORD_INTAKE, ClientScope.OWN_TEAMS),
        teams=client.team_id,
    )
    return _staff().filter(everyone | own_team).distinct()


def care_staff(team_ids):
    """Care professionals of these teams: who may be a fixed contact person."""
    return (
        _staff()
        .filter(role__in=_roles_with(Capability.VIEW_CARE_NOTES), teams__in=team_ids)
        .distinct()
    )


def care_staff_by_team(team_ids) -> dict[int, list]:
    """Team id -> its care professionals, for several teams in one query."""
    members = (
        User.teams.through.objects.filter(team_id__in=team_ids, user__in=care_staff(team_ids))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    by_team: dict[int, list] = {}
    for member in members:
        by_team.setdefault(member.team_id, []).append(member.user)
    return by_team


def teams_for(user):
    teams = Team.objects.order_by("name")
    if client_scope(user) == ClientScope.OWN_TEAMS:
        return teams.filter(pk__in=user.team_ids())
    return teams


def status_choices(product: CareProduct):
    allowed = WLZ_STATUSES if product.is_wlz else OTHER_STATUSES
    return [(value, label) for value, label in WaitingStatus.choices if value in allowed]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class HoursField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Hours per week"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 5}))
        super().__init__(**kwargs)


# Referral


class ReferralForm(forms.Form):
    source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    referrer = forms.ChoiceField(label=_("Referrer"), required=False)
    product = forms.ModelChoiceField(
        label=_("Care asked for"), queryset=CareProduct.objects.none(), empty_label=CHOOSE_CARE
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), empty_label=CHOOSE_TEAM
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.REGULAR
    )
    received_at = DutchDateTimeField(label=_("Received at"), bounds=validation.PAST_MOMENT)
    question = forms.CharField(
        label=_("Care question"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
    )

    def __init__(self, *args, client, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "team": client.team_id,
                "received_at": timezone.localtime().replace(second=0, microsecond=0),
            },
        )
        super().__init__(*args, **kwargs)
        relations = list(client.relations.all())
        self._relations = {str(r.pk): r for r in relations}
        self.fields["referrer"].choices = [("", _("Not a relation of the client"))] + [
            (str(r.pk), f"{r.name} ({r.get_kind_display()})") for r in relations
        ]
        self.fields["product"].queryset = CareProduct.objects.filter(active=True)
        self.fields["team"].queryset = teams_for(user)
        self.fields["owner"].queryset = planners()

    def clean_referrer(self):
        return self._relations.get(self.cleaned_data.get("referrer") or "")

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class AssignForm(VersionForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), empty_label=CHOOSE_COLLEAGUE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = planners()


class TakeOnForm(VersionForm):
    """Assign to me: only the version."""


class ContactedForm(VersionForm):
    """First contact made: only the version."""


class CloseForm(VersionForm):
    stage = forms.ChoiceField(label=_("How it ends"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"), strip=False, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            (value, label)
            for value, label in Stage.choices
            if value in NEEDS_REASON and referral.can_move_to(value)
        ]


# Intake


class IntakePlanForm(VersionForm):
    planned_at = DutchDateTimeField(label=_("Date and time"), bounds=validation.PLANNED_MOMENT)
    held_by = forms.ModelChoiceField(
        label=_("Held by"), queryset=User.objects.none(), empty_label=CHOOSE_COLLEAGUE
    )
    mode = forms.ChoiceField(label=_("How"), choices=IntakeMode.choices)
    relatives_present = forms.MultipleChoiceField(
        label=_("Relatives present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        client = referral.client
        self.fields["held_by"].queryset = intake_staff(client)
        relations = list(client.relations.all())
        self._relations = {str(r.pk): r for r in relations}
        self.fields["relatives_present"].choices = [
            (str(r.pk), f"{r.name} ({r.get_kind_display()})") for r in relations
        ]
        if not relations:
            self.fields["relatives_present"].help_text = _("No relations recorded.")

    def clean_relatives_present(self):
        return [self._relations[pk] for pk in self.cleaned_data["relatives_present"]]


class IntakeRecordForm(VersionForm):
    held_at = DutchDateTimeField(label=_("Held at"), bounds=validation.PAST_MOMENT)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=IntakeOutcome.choices)
    indicated_product = forms.ModelChoiceField(
        label=_("Indicated care"),
        queryset=CareProduct.objects.none(),
        required=False,
        empty_label=NONE_CHOSEN,
    )
    hours_per_week = HoursField()
    summary = forms.CharField(
        label=_("Conclusion"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreements = forms.CharField(
        label=_("Agreements"),
        required=False,
        help_text=_("One per line; each becomes a promise for whoever held the intake."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicated_product"].queryset = CareProduct.objects.filter(active=True)


# Waiting list


class WaitingPlaceForm(VersionForm):
    status = forms.ChoiceField(label=_("Waiting status"))
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    care_office = forms.ModelChoiceField(
        label=_("Care office"),
        queryset=CareOffice.objects.none(),
        required=False,
        empty_label=NONE_CHOSEN,
    )
    bridging_care = forms.CharField(
        label=_("Bridging care"),
        required=False,
        help_text=_("Care given while the client waits."),
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(product)
        if product.is_wlz:
            self.fields["care_office"].queryset = CareOffice.objects.all()
        else:
            del self.fields["care_office"]


class WaitingChangeForm(VersionForm):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    status = forms.ChoiceField(label=_("Waiting status"))
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)

    def __init__(self, *args, entry, **kwargs):
        kwargs.setdefault(
            "initial",
            {"priority": entry.priority, "status": entry.status, "version": entry.version},
        )
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(entry.product)


class WaitingUpdateForm(VersionForm):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    summary = forms.CharField(
        label=_("What was told"), strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class BridgingForm(VersionForm):
    text = forms.CharField(
        label=_("Bridging care"),
        required=False,
        strip=False,
        help_text=_("Leave empty when the client no longer gets bridging care."),
    )


# Care


class CareStartForm(VersionForm):
    starts_on = DutchDateField(label=_("Care starts on"), bounds=validation.CARE_DAY)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), empty_label=CHOOSE_TEAM
    )
    contact_person = forms.ModelChoiceField(
        label=_("Fixed contact person"),
        queryset=User.objects.none(),
        empty_label=CHOOSE_COLLEAGUE,
    )
    hours_per_week = HoursField(help_text=_("Leave empty to use the hours of the intake."))

    def __init__(self, *args, referral, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = teams_for(user)
        self.fields["team"].queryset = teams
        self.fields["contact_person"].queryset = care_staff(teams.values("pk"))


class ContactPersonForm(VersionForm):
    contact_person = forms.ModelChoiceField(
        label=_("New fixed contact person"),
        queryset=User.objects.none(),
        empty_label=CHOOSE_COLLEAGUE,
    )

    def __init__(self, *args, episode, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contact_person"]
        field.queryset = care_staff([episode.team_id])
        if staff is not None:
            # Read already (for every care on the client page): shown without a query.
            field.choices = [("", field.empty_label), *((u.pk, str(u)) for u in staff)]


class CareEndForm(VersionForm):
    ended_on = DutchDateField(label=_("Care ended on"), bounds=validation.CARE_DAY)
    reason = forms.ChoiceField(label=_("Reason for ending"), choices=EndReason.choices)


# The waiting-list page


class QueueChoiceForm(forms.Form):
    """Filters of the waiting lists: a product and a team open one list; either alone
    narrows the overview."""

    product = forms.ModelChoiceField(
        label=_("Care"),
        queryset=CareProduct.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All care"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )

    def __init__(self, *args, products, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["team"].queryset = teams

"""The announcement forms: they parse shapes; halte.outreach.announcements checks the
meaning (placeholders, segment), and its errors are put back on these fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.contact.forms import DutchDateTimeField
from halte.core import language as languages
from halte.core import validation
from halte.journey.models import CareProduct
from halte.outreach import announcements, placeholders
from halte.outreach.announcements import JourneyStage
from halte.outreach.models import Trigger

# Further languages beside Dutch and English, one slot each.
OTHER_SLOTS = 2
SEND_AT_PAST = _("Choose a moment in the future, or send now.")
CONFIRM_REQUIRED = _("Tick that you checked the recipients and the text.")


def _placeholder_help() -> str:
    names = ", ".join(f"{{{{ {name} }}}}" for name in placeholders.allowed(Trigger.ANNOUNCEMENT))
    return _("You may use: %(names)s.") % {"names": names}


class AnnouncementForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For staff only: the list of announcements shows it."),
    )
    nl_subject = forms.CharField(label=_("Subject (Dutch)"), max_length=200)
    nl_body = forms.CharField(
        label=_("Text (Dutch)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    en_subject = forms.CharField(label=_("Subject (English)"), max_length=200, required=False)
    en_body = forms.CharField(
        label=_("Text (English)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    teams = forms.MultipleChoiceField(
        label=_("Teams"), required=False, widget=forms.CheckboxSelectMultiple
    )
    postcode_from = forms.CharField(
        label=_("Postcodes from"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "placeholder": "3811"}),
    )
    postcode_to = forms.CharField(
        label=_("Postcodes to"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "placeholder": "3818"}),
    )
    products = forms.MultipleChoiceField(
        label=_("Care products"), required=False, widget=forms.CheckboxSelectMultiple
    )
    stages = forms.MultipleChoiceField(
        label=_("Journey stage"),
        required=False,
        choices=JourneyStage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Client's language"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: every language."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["nl_body"].help_text = _placeholder_help()
        self.fields["teams"].choices = [(t.pk, t.name) for t in announcements.teams_for(user)]
        self.fields["products"].choices = [
            (p.pk, p.name) for p in CareProduct.objects.filter(active=True).order_by("name")
        ]
        every = languages.choices()
        self.fields["languages"].choices = every
        others = [("", "—")] + [(c, n) for c, n in every if c not in ("nl", "en")]
        for slot in range(1, OTHER_SLOTS + 1):
            self.fields[f"other{slot}_language"] = forms.ChoiceField(
                label=_("Other language"), required=False, choices=others
            )
            self.fields[f"other{slot}_subject"] = forms.CharField(
                label=_("Subject"), max_length=200, required=False
            )
            self.fields[f"other{slot}_body"] = forms.CharField(
                label=_("Text"),
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @classmethod
    def initial_for(cls, announcement) -> dict:
        texts, segment = announcement.texts, announcement.segment
        initial = {
            "title": announcement.title,
            "teams": [str(pk) for pk in segment.get("teams", [])],
            "postcode_from": segment.get("postcode_from", ""),
            "postcode_to": segment.get("postcode_to", ""),
            "products": [str(pk) for pk in segment.get("products", [])],
            "stages": segment.get("stages", []),
            "languages": segment.get("languages", []),
        }
        for code in ("nl", "en"):
            initial[f"{code}_subject"] = texts.get(code, {}).get("subject", "")
            initial[f"{code}_body"] = texts.get(code, {}).get("body", "")
        others = [code for code in texts if code not in ("nl", "en")]
        for slot, code in enumerate(others[:OTHER_SLOTS], start=1):
            initial[f"other{slot}_language"] = code
            initial[f"other{slot}_subject"] = texts[code].get("subject", "")
            initial[f"other{slot}_body"] = texts[code].get("body", "")
        return initial

    def other_slots(self):
        return [
            (self[f"other{slot}_language"], self[f"other{slot}_subject"], self[f"other{slot}_body"])
            for slot in range(1, OTHER_SLOTS + 1)
        ]

    def _texts(self) -> tuple[dict, dict]:
        """The texts by language, and which form field holds each language's."""
        data = self.cleaned_data
        texts, where = {}, {}
        for code in ("nl", "en"):
            texts[code] = {
                "subject": data.get(f"{code}_subject", ""),
                "body": data.get(f"{code}_body", ""),
            }
            where[code] = code
        for slot in range(1, OTHER_SLOTS + 1):
            code = data.get(f"other{slot}_language")
            if code:
                texts[code] = {
                    "subject": data.get(f"other{slot}_subject", ""),
                    "body": data.get(f"other{slot}_body", ""),
                }
                where[code] = f"other{slot}"
        return texts, where

    def values(self) -> dict:
        texts, _where = self._texts()
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "texts": texts,
            "segment": {
                name: data.get(name) or ([] if name not in ("postcode_from", "postcode_to") else "")
                for name in announcements.empty_segment()
            },
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        _texts, where = self._texts()
        try:
            announcements.validate(user=self.user, **self.values())
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(self._field_for(name, where), message)
        return cleaned

    def _field_for(self, name: str, where: dict) -> str | None:
        """'texts.nl.body' -> 'nl_body'; 'texts.xx' -> that slot's language field."""
        if not name.startswith("texts."):
            return name if name in self.fields else None
        parts = name.split(".")
        prefix = where.get(parts[1])
        if prefix is None:
            return None
        if len(parts) == 2:
            return f"{prefix}_language"
        return f"{prefix}_{parts[2]}"


class SendForm(forms.Form):
    """Send now, or at a moment; either way after ticking that it was checked."""

    when = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Send now")), ("later", _("Send at"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    send_at = DutchDateTimeField(
        label=_("Date and time"), required=False, bounds=validation.PLANNED_MOMENT
    )
    confirmed = forms.BooleanField(
        label=_("I checked the recipients and the text in each language."),
        error_messages={"required": CONFIRM_REQUIRED},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later":
            send_at = cleaned.get("send_at")
            if send_at is None and "send_at" not in self.errors:
                self.add_error("send_at", _("Enter the date and time to send at."))
            elif send_at is not None and send_at <= timezone.now():
                self.add_error("send_at", SEND_AT_PAST)
        return cleaned

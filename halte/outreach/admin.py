"""Message templates and the triggers' switches at /beheer/, for administrators.

A template is checked by the model's clean (an unknown placeholder is refused); its
preview shows it as an example client, or as a real client by client number (see
halte.outreach.previews for who may, and why). The outbox and the announcements are
client data and are not registered here."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from halte.audit.context import actor_from_request
from halte.audit.models import Purpose
from halte.clients.models import AddressForm
from halte.core import language
from halte.core.admin import RefusesHiddenCharacters
from halte.outreach import previews
from halte.outreach.models import MessageTemplate, Trigger, TriggerSetting

# The triggers an organisation switches on or off: those of a client's journey. An
# announcement is sent by a person on purpose, so it has no switch.
SWITCHED = [value for value in Trigger.values if value != Trigger.ANNOUNCEMENT]

ADDRESS_FORMS = [("", _("Both (u and je)")), *AddressForm.choices]


class MessageTemplateForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=capfirst(_("language")),
        choices=language.choices,
        help_text=_(
            "To add a language, write its templates. A recipient whose language has no "
            "template receives the Dutch one."
        ),
    )
    address_form = forms.ChoiceField(
        label=capfirst(_("form of address")), choices=ADDRESS_FORMS, required=False
    )

    class Meta:
        model = MessageTemplate
        fields = ["trigger", "channel", "language", "address_form", "active", "subject", "body"]
        widgets = {
            "subject": forms.TextInput(attrs={"size": 80}),
            "body": forms.Textarea(attrs={"rows": 16, "cols": 80}),
        }


class PreviewForm(forms.Form):
    client = forms.IntegerField(label=_("Client number"), min_value=1)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(RefusesHiddenCharacters, admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = [
        "trigger",
        "channel",
        "language",
        "address_form",
        "subject",
        "active",
        "updated_at",
    ]
    list_display_links = ["trigger", "channel"]
    list_filter = ["trigger", "channel", "language", "active"]
    search_fields = ["subject", "body"]
    fieldsets = [
        (None, {"fields": ["trigger", "channel", "language", "address_form", "active"]}),
        (_("Text"), {"fields": ["subject", "body"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The placeholders this trigger allows, listed beside the text. A new template's
        # trigger is not chosen yet (unless the link gave it): then every trigger's.
        trigger = obj.trigger if obj else request.GET.get("trigger")
        if trigger not in Trigger.values:
            trigger = None
        form.base_fields["body"].help_text = render_to_string(
            "admin/outreach/messagetemplate/placeholders.html",
            {"groups": previews.placeholder_help(trigger)},
        )
        form.base_fields["subject"].help_text = _(
            "Email and letter (the letter's “Betreft”); a text message has none. The "
            "same placeholders as the text."
        )
        return form

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="outreach_messagetemplate_preview",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request, object_id):
        template = self.get_object(request, unquote(object_id))
        if template is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, template):
            raise PermissionDenied
        form = PreviewForm(request.GET if "client" in request.GET else None)
        preview = None
        if form.is_valid():
            client = previews.find_client(form.cleaned_data["client"])
            if client is None:
                form.add_error("client", _("No client has this client number."))
            else:
                actor = actor_from_request(request, purpose=Purpose.ADMINISTRATION)
                preview = previews.as_client(actor, template, client)
        if preview is None:
            preview = previews.as_example(template)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": template,
            "title": _("Preview: %(template)s") % {"template": template},
            "form": form,
            "preview": preview,
        }
        return TemplateResponse(request, "admin/outreach/messagetemplate/preview.html", context)


@admin.register(TriggerSetting)
class TriggerSettingAdmin(admin.ModelAdmin):
    """Which triggers the organisation sends on; one row per trigger."""

    list_display = ["trigger", "enabled"]
    list_display_links = None
    list_editable = ["enabled"]
    ordering = ["id"]

    def get_readonly_fields(self, request, obj=None):
        return ["trigger"] if obj else []

    def has_add_permission(self, request):
        # A trigger without a row sends; a row is added only for one that has none.
        missing = set(SWITCHED) - set(TriggerSetting.objects.values_list("trigger", flat=True))
        return bool(missing) and super().has_add_permission(request)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "trigger":
            kwargs["choices"] = [
                (value, label) for value, label in Trigger.choices if value in SWITCHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deleting would switch the trigger on again unseen; switch it off instead.
        return False

"""The message templates: the defaults Halte starts with, rendering for a real client,
and editing them at /beheer/ with a preview on a real client."""

import datetime
import importlib
import itertools

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from halte.audit.models import AuditEntry
from halte.clients.tests.factories import ClientFactory
from halte.outreach import compose, defaults, placeholders
from halte.outreach.compose import Occasion
from halte.outreach.models import (
    Message,
    MessageChannel,
    MessageTemplate,
    Trigger,
    TriggerSetting,
)

pytestmark = pytest.mark.django_db

VARIANTS = {("nl", "u"), ("nl", "je"), ("en", "")}
CHANNELS = set(MessageChannel.values)
CHANGELIST = "/beheer/outreach/messagetemplate/"

# Long but real values: what a text message must still fit with.
LONG_VALUES = {
    "name": "mevrouw Van den Berg-Oosterhuis de Vries",
    "client_name": "Hendrika Johanna van den Berg-Oosterhuis",
    "organisation": "Zorggroep De Halte Amersfoort en Omstreken",
    "team": "Wijkteam Amersfoort-Schothorst-Zuid",
    "team_phone": "033 461 23 45",
    "product": "Wijkverpleging met persoonlijke verzorging",
    "intake_date": "woensdag 30 september 2026",
    "intake_time": "10:30",
    "intake_with": "Alexandra van der Heijden-Bakker",
    "intake_mode": "via een videogesprek",
    "position": "1234",
    "expected_start": "september 2027",
    "contact_person": "Alexandra van der Heijden-Bakker",
    "previous_contact_person": "Maximiliaan de Groot-Janssen",
    "start_date": "woensdag 30 september 2026",
    "end_date": "woensdag 30 september 2026",
}

# GSM 03.38: the characters a text message carries at 160 to a message; the extension
# characters take two. Anything else turns the message into UCS-2 (70 a message).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    if any(char not in GSM_BASIC | GSM_EXTENSION for char in text):
        raise AssertionError(f"Not plain GSM text (would be sent as UCS-2): {text!r}")
    septets = sum(2 if char in GSM_EXTENSION else 1 for char in text)
    return 1 if septets <= 160 else -(-septets // 153)


def _key(template) -> tuple:
    return (template.trigger, template.channel, template.language, template.address_form)


# --- The defaults -------------------------------------------------------------------


@pytest.mark.parametrize("row", defaults.rows(), ids=lambda row: "-".join(_key_of(row)))
def test_every_default_template_passes_the_models_checks(row):
    placeholders.check_text(row["trigger"], row["subject"])
    placeholders.check_text(row["trigger"], row["body"])
    MessageTemplate(**row).full_clean(validate_unique=False, validate_constraints=False)


def _key_of(row) -> tuple:
    return (row["trigger"], row["channel"], row["language"], row["address_form"] or "both")


def test_every_journey_trigger_and_channel_has_dutch_u_and_je_and_english():
    have = set(
        MessageTemplate.objects.filter(active=True).values_list(
            "trigger", "channel", "language", "address_form"
        )
    )
    journey = set(Trigger.values) - {Trigger.ANNOUNCEMENT}
    wanted = {
        (trigger, channel, language, form)
        for trigger, channel, (language, form) in itertools.product(journey, CHANNELS, VARIANTS)
    }
    assert wanted <= have, sorted(wanted - have)
    assert not MessageTemplate.objects.filter(trigger=Trigger.ANNOUNCEMENT).exists()
    assert set(TriggerSetting.objects.filter(enabled=True).values_list("trigger", flat=True)) == (
        journey
    )


def test_a_migrated_database_holds_exactly_the_defaults():
    """The migration's frozen copy and defaults.py agree: a change to the defaults
    needs a migration that brings existing databases along."""
    fields = ("trigger", "channel", "language", "address_form", "subject", "body")
    in_database = set(MessageTemplate.objects.values_list(*fields))
    assert in_database == {tuple(row[name] for name in fields) for row in defaults.rows()}


def test_text_messages_fit_two_messages_with_long_values_and_have_no_subject():
    for row in defaults.rows():
        if row["channel"] != MessageChannel.SMS:
            assert row["subject"], _key_of(row)
            continue
        assert row["subject"] == ""
        text = placeholders.fill(row["body"], LONG_VALUES)
        assert "{{" not in text
        assert sms_segments(text) <= 2, (_key_of(row), len(text))


def test_letters_say_what_the_email_says():
    by_key = {_key_of(row): row for row in defaults.rows()}
    for (trigger, channel, language, form), row in by_key.items():
        if channel == MessageChannel.LETTER:
            email = by_key[(trigger, MessageChannel.EMAIL, language, form)]
            assert (row["subject"], row["body"]) == (email["subject"], email["body"])


def test_every_text_says_whom_to_call():
    for row in defaults.rows():
        assert "{{ team_phone }}" in row["body"], _key_of(row)


def test_install_puts_back_what_is_missing_and_keeps_what_was_rewritten():
    rewritten = MessageTemplate.objects.get(
        trigger=Trigger.CARE_ENDED, channel="email", language="nl", address_form="u"
    )
    rewritten.body = "Beste {{ name }}, bedankt. Bel {{ team_phone }}."
    rewritten.save()
    MessageTemplate.objects.exclude(pk=rewritten.pk).delete()
    TriggerSetting.objects.all().delete()

    assert defaults.install() == len(defaults.rows()) - 1
    assert defaults.install() == 0
    rewritten.refresh_from_db()
    assert rewritten.body.startswith("Beste {{ name }}, bedankt.")
    assert TriggerSetting.objects.count() == len(defaults.TRIGGERS)


def test_the_migration_takes_back_exactly_what_it_added():
    migration = importlib.import_module("halte.outreach.migrations.0004_default_templates")
    rewritten = MessageTemplate.objects.get(
        trigger=Trigger.CARE_STARTED, channel="sms", language="nl", address_form="je"
    )
    rewritten.body = "Hoi {{ name }}, je zorg begint. Bel {{ team_phone }}."
    rewritten.save()
    german = MessageTemplate.objects.create(
        trigger=Trigger.CARE_ENDED,
        channel="email",
        language="de",
        subject="Vielen Dank",
        body="Liebe(r) {{ name }}, vielen Dank. {{ team_phone }}",
    )
    TriggerSetting.objects.filter(trigger=Trigger.CARE_ENDED).update(enabled=False)

    migration.remove_defaults(apps, None)
    assert set(MessageTemplate.objects.values_list("pk", flat=True)) == {rewritten.pk, german.pk}
    assert list(TriggerSetting.objects.values_list("trigger", "enabled")) == [
        (Trigger.CARE_ENDED, False)
    ]

    migration.add_defaults(apps, None)
    assert MessageTemplate.objects.count() == len(defaults.rows()) + 1
    rewritten.refresh_from_db()
    assert rewritten.body.startswith("Hoi {{ name }}")
    assert TriggerSetting.objects.get(trigger=Trigger.CARE_ENDED).enabled is False


# --- Rendering for a real client ----------------------------------------------------


def _riek(**fields):
    values = {
        "given_names": "Hendrika",
        "name_prefix": "van den",
        "family_name": "Berg",
        "preferred_name": "Riek",
        "salutation": "mrs",
        "email": "riek@example.org",
        "contact_channel": "email",
        **fields,
    }
    return ClientFactory(**values)


def _care_started(client) -> Message:
    (message,) = compose.compose(
        Occasion(
            trigger=Trigger.CARE_STARTED,
            client_id=client.pk,
            key=f"episode:{client.pk}",
            details={"contact_person": "Sanne de Wit", "start_date": datetime.date(2026, 12, 7)},
        )
    )
    return message


def test_a_client_addressed_with_je_is_called_by_their_preferred_name(teams):
    message = _care_started(_riek(address_form="je", team=teams["noord"]))
    assert message.template.address_form == "je"
    assert message.subject == "Je zorg begint: dit is je vaste contactpersoon"
    assert message.body.startswith("Beste Riek,\n\nOp maandag 7 december 2026 begint Wijkteam")
    assert "Je vaste contactpersoon is Sanne de Wit." in message.body
    assert "mevrouw" not in message.body


def test_a_client_addressed_with_u_is_called_by_their_formal_name(teams):
    message = _care_started(_riek(address_form="u", team=teams["noord"]))
    assert message.template.address_form == "u"
    assert message.body.startswith("Beste mevrouw Van den Berg,\n\n")
    assert "voor Hendrika van den Berg." in message.body
    assert "Riek" not in message.body
    assert message.body.endswith("Met vriendelijke groet,\nWijkteam Noord\nZorggroep De Halte")


def test_a_client_in_a_language_without_templates_gets_the_dutch_one(teams):
    message = _care_started(_riek(address_form="je", language="tr", team=teams["noord"]))
    assert (message.language, message.template.address_form) == ("nl", "je")
    assert message.body.startswith("Beste Riek,")


def test_a_language_an_administrator_adds_is_used_for_its_clients(teams):
    MessageTemplate.objects.create(
        trigger=Trigger.CARE_STARTED,
        channel="email",
        language="de",
        subject="Ihre Pflege beginnt",
        body="Hallo {{ name }}, Ihre Kontaktperson ist {{ contact_person }}. {{ team_phone }}",
    )
    message = _care_started(_riek(address_form="je", language="de", team=teams["noord"]))
    assert message.language == "de"
    assert message.body.startswith("Hallo Riek, Ihre Kontaktperson ist Sanne de Wit.")


def test_an_english_message_uses_the_english_salutation(teams):
    message = _care_started(_riek(address_form="u", language="en", team=teams["noord"]))
    assert message.body.startswith("Dear Mrs Van den Berg,")


# --- The admin ----------------------------------------------------------------------


def _template(trigger=Trigger.CARE_STARTED, channel="email", language="nl", address_form="je"):
    return MessageTemplate.objects.get(
        trigger=trigger, channel=channel, language=language, address_form=address_form
    )


def _posted(template, **changes) -> dict:
    fields = ("trigger", "channel", "language", "address_form", "subject", "body")
    data = {name: getattr(template, name) for name in fields}
    data["active"] = "on"
    return {**data, **changes}


def test_the_admin_lists_and_filters_the_templates(client, personas, django_assert_max_num_queries):
    client.force_login(personas["administrator"])
    with django_assert_max_num_queries(12):
        page = client.get(CHANGELIST, {"trigger": "care_started", "channel": "sms"})
    assert page.status_code == 200
    listed = page.context["cl"].result_list
    assert {_key(template)[2:] for template in listed} == VARIANTS
    assert {template.channel for template in listed} == {"sms"}


def test_the_admin_refuses_an_unknown_placeholder_with_a_dutch_message(client, personas):
    template = _template()
    before = template.body
    client.force_login(personas["administrator"])
    response = client.post(
        f"{CHANGELIST}{template.pk}/change/",
        _posted(template, body="Beste {{ naam }}, je BSN is {{ bsn }}. Bel {{ team_phone }}."),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Onbekende placeholder(s): {{ bsn }}, {{ naam }}." in errors["body"][0]
    assert "{{ contact_person }}" not in errors["body"][0]  # the allowed ones: by name
    assert "contact_person" in errors["body"][0]
    template.refresh_from_db()
    assert template.body == before


def test_the_admin_refuses_braces_that_are_no_placeholder(client, personas):
    client.force_login(personas["administrator"])
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "trigger": "care_ended",
            "channel": "email",
            "language": "de",
            "address_form": "",
            "active": "on",
            "subject": "Danke {% if name %}",
            "body": "Liebe {{ name }}, danke.",
        },
    )
    assert response.status_code == 200
    assert "subject" in response.context["adminform"].form.errors
    assert not MessageTemplate.objects.filter(language="de").exists()


def test_the_admin_refuses_hidden_characters_in_a_template(client, personas):
    # A template's text goes out to clients; line breaks belong in its body only.
    template = _template()
    before = (template.subject, template.body)
    client.force_login(personas["administrator"])
    response = client.post(
        f"{CHANGELIST}{template.pk}/change/",
        _posted(template, subject="Uw zorg\nBcc: iemand", body="Beste\n{{ name }}\u202e."),
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "op één regel" in errors["subject"][0]
    assert "leesrichting weg (positie 17)" in errors["body"][0]
    template.refresh_from_db()
    assert (template.subject, template.body) == before


def test_an_administrator_adds_a_language_by_writing_its_templates(client, personas):
    client.force_login(personas["administrator"])
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "trigger": "care_ended",
            "channel": "sms",
            "language": "pl",
            "address_form": "",
            "active": "on",
            "subject": "",
            "body": "Szanowna {{ name }}, dziekujemy. Tel. {{ team_phone }}",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert compose.template_for("care_ended", "sms", "pl", "u").language == "pl"


def test_the_admin_refuses_an_unknown_language_and_a_subject_on_a_text_message(client, personas):
    client.force_login(personas["administrator"])
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "trigger": "care_ended",
            "channel": "sms",
            "language": "xx",
            "address_form": "",
            "active": "on",
            "subject": "Onderwerp",
            "body": "Beste {{ name }}.",
        },
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"language", "subject"}


def test_the_placeholders_of_the_trigger_are_listed_beside_the_text(client, personas):
    client.force_login(personas["administrator"])
    page = client.get(f"{CHANGELIST}{_template().pk}/change/").content.decode()
    assert "{{ contact_person }}" in page
    assert "{{ team_phone }}" in page
    assert "{{ intake_time }}" not in page
    new = client.get(f"{CHANGELIST}add/").content.decode()
    assert "{{ intake_time }}" in new
    assert "{{ previous_contact_person }}" in new


def _preview_url(template) -> str:
    return f"{CHANGELIST}{template.pk}/preview/"


def test_the_preview_shows_a_real_client_and_writes_an_audit_entry(
    client, personas, teams, django_assert_max_num_queries
):
    riek = _riek(address_form="u", team=teams["noord"])
    url = _preview_url(_template())
    client.force_login(personas["administrator"])
    client.get(url, {"client": _riek().client_number})  # the audit chain's first link
    before = AuditEntry.objects.count()
    with django_assert_max_num_queries(15):
        page = client.get(url, {"client": riek.client_number})
    assert page.status_code == 200
    preview = page.context["preview"]
    # A 'je' template shows the name it would use: the preferred one.
    assert preview.subject == "Je zorg begint: dit is je vaste contactpersoon"
    assert preview.body.startswith("Beste Riek,\n\nOp ")
    assert "begint Wijkteam Noord met je zorg" in preview.body
    assert "Beste Riek," in page.content.decode()

    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("seq")
    assert (entry.client_id, entry.part, entry.action) == (riek.pk, "message_preview", "read")
    assert (entry.username, entry.role, entry.purpose) == (
        "admin",
        "administrator",
        "administration",
    )


def test_the_preview_of_a_formal_template_uses_the_formal_name(client, personas, teams):
    riek = _riek(address_form="je", team=teams["noord"])
    client.force_login(personas["administrator"])
    page = client.get(_preview_url(_template(address_form="u")), {"client": riek.client_number})
    assert page.context["preview"].body.startswith("Beste mevrouw Van den Berg,")


def test_a_preview_is_in_the_templates_language_throughout(client, personas, teams):
    riek = _riek(address_form="u", team=teams["noord"])
    client.force_login(personas["administrator"])
    template = _template(trigger=Trigger.INTAKE_PLANNED, language="en", address_form="")
    page = client.get(_preview_url(template), {"client": riek.client_number})
    body = page.context["preview"].body
    assert body.startswith("Dear Mrs Van den Berg,")
    assert "The meeting is at your home." in body
    dutch = _template(trigger=Trigger.INTAKE_PLANNED, address_form="je")
    page = client.get(_preview_url(dutch), {"client": riek.client_number})
    assert "Het gesprek is thuis." in page.context["preview"].body


def test_the_preview_without_a_client_shows_an_example_and_audits_nothing(client, personas):
    client.force_login(personas["administrator"])
    before = AuditEntry.objects.count()
    page = client.get(_preview_url(_template(address_form="u")))
    assert page.status_code == 200
    assert page.context["preview"].client is None
    assert page.context["preview"].body.startswith("Beste mevrouw Van Dijk,")
    missing = client.get(_preview_url(_template()), {"client": "999999"})
    assert "Er is geen cliënt met dit cliëntnummer." in missing.content.decode()
    assert missing.context["preview"].client is None
    assert AuditEntry.objects.count() == before


def test_the_change_form_links_to_the_preview(client, personas):
    template = _template()
    client.force_login(personas["administrator"])
    page = client.get(f"{CHANGELIST}{template.pk}/change/").content.decode()
    assert f'href="{_preview_url(template)}"' in page


@pytest.mark.parametrize(
    "persona",
    ["front_office", "planner", "nurse_noord", "team_lead", "manager", "privacy_officer"],
)
def test_nobody_but_the_administrator_gets_the_templates_admin(client, personas, persona):
    riek = _riek()
    template = _template()
    client.force_login(personas[persona])
    before = AuditEntry.objects.count()
    for url in (
        CHANGELIST,
        f"{CHANGELIST}{template.pk}/change/",
        f"{_preview_url(template)}?client={riek.client_number}",
        "/beheer/outreach/triggersetting/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/beheer/login/" in response["Location"]
    response = client.post(f"{CHANGELIST}{template.pk}/change/", _posted(template, body="x"))
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before


def test_the_outbox_stays_out_of_the_admin(client, personas):
    client.force_login(personas["administrator"])
    index = client.get("/beheer/").content.decode()
    assert "/beheer/outreach/messagetemplate/" in index
    assert client.get("/beheer/outreach/message/").status_code == 404
    assert client.get("/beheer/outreach/announcement/").status_code == 404


def test_an_administrator_switches_a_trigger_off_and_nothing_is_sent(client, personas, teams):
    setting = TriggerSetting.objects.get(trigger=Trigger.CARE_STARTED)
    client.force_login(personas["administrator"])
    listing = client.get("/beheer/outreach/triggersetting/")
    assert listing.status_code == 200
    assert not listing.context["has_add_permission"]
    # The list's checkboxes: everything stays on but care_started.
    settings = list(listing.context["cl"].result_list)
    data = {
        "form-TOTAL_FORMS": len(settings),
        "form-INITIAL_FORMS": len(settings),
        "_save": "Opslaan",
    }
    for number, row in enumerate(settings):
        data[f"form-{number}-id"] = row.pk
        if row.pk != setting.pk:
            data[f"form-{number}-enabled"] = "on"
    response = client.post("/beheer/outreach/triggersetting/", data)
    assert response.status_code == 302
    assert TriggerSetting.objects.filter(enabled=False).count() == 1
    setting.refresh_from_db()
    assert setting.enabled is False
    riek = _riek(team=teams["noord"])
    assert compose.compose(Occasion(Trigger.CARE_STARTED, riek.pk, "episode:1")) == []
    assert client.post(f"/beheer/outreach/triggersetting/{setting.pk}/delete/").status_code == 403


def test_the_model_refuses_an_unknown_placeholder_whoever_saves(db):
    template = MessageTemplate(
        trigger=Trigger.REFERRAL_RECEIVED, channel="email", language="nl", body="{{ position }}"
    )
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "body" in refused.value.message_dict

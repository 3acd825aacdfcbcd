"""Templates for the outreach tests: short texts that show which variant was used."""

from halte.outreach.models import MessageChannel, MessageTemplate, Trigger

TEXT = {
    ("nl", "u"): (
        "Bericht voor {{ name }}",
        "Beste {{ name }}, [nl-u] {{ team }} {{ team_phone }}",
    ),
    ("nl", "je"): (
        "Bericht voor {{ name }}",
        "Hoi {{ name }}, [nl-je] {{ team }} {{ team_phone }}",
    ),
    ("en", ""): ("Message for {{ name }}", "Dear {{ name }}, [en] {{ team }} {{ team_phone }}"),
}
EXTRA = {
    Trigger.CARE_STARTED: " contact={{ contact_person }} start={{ start_date }}",
    Trigger.INTAKE_PLANNED: " intake={{ intake_date }} {{ intake_time }} {{ intake_mode }}",
    Trigger.INTAKE_REMINDER: " reminder={{ intake_date }} {{ intake_time }}",
    Trigger.WAITING_LIST_UPDATE: " pos={{ position }} exp={{ expected_start }}",
    Trigger.CONTACT_PERSON_CHANGED: " new={{ contact_person }} old={{ previous_contact_person }}",
    Trigger.REFERRAL_RECEIVED: " product={{ product }}",
}


def install_templates(channels=(MessageChannel.EMAIL, MessageChannel.SMS, MessageChannel.LETTER)):
    for trigger in Trigger.values:
        for channel in channels:
            for (language, form), (subject, body) in TEXT.items():
                MessageTemplate.objects.update_or_create(
                    trigger=trigger,
                    channel=channel,
                    language=language,
                    address_form=form,
                    defaults={
                        "subject": "" if channel == MessageChannel.SMS else subject,
                        "body": body + EXTRA.get(trigger, ""),
                        "active": True,
                    },
                )

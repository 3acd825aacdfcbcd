"""The default message templates and trigger settings (issue 11).

The texts are a frozen copy of halte/outreach/defaults.py as it was when this
migration was written, not an import of it: a migration must do the same on a new
database years from now, whatever the app's code has become by then (texts
rewritten, the module moved or gone). A later change to the defaults comes with its
own migration; the tests compare a freshly migrated database with defaults.py.

Forward adds each variant (trigger, channel, language, form of address) that does not
exist yet, and a trigger setting (on) for each trigger that has none. Backward takes
away exactly those rows as they were added: a template an administrator has since
rewritten, or a trigger they switched off, is their work and stays.
"""

from django.db import migrations

# Letters use the email's text (their subject is the letter's "Betreft"); a text
# message has its own short text and no subject.
TEXTS = {
    "referral_received": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Wij hebben de aanmelding ontvangen",
            "body": (
                "Beste {{ name }},",
                (
                    "Wij hebben de aanmelding van {{ client_name }} voor {{ product }} goed "
                    "ontvangen. Dank u wel voor uw vertrouwen."
                ),
                (
                    "Wat gebeurt er nu?\n"
                    "Binnen een paar werkdagen belt een planner van ons. Samen maken we een "
                    "afspraak voor een eerste gesprek. Dat heet een intake. In dat gesprek "
                    "kijken we welke zorg nodig is en wat belangrijk is."
                ),
                (
                    "Heeft u vragen? Of wordt het thuis moeilijker? Bel ons gerust op "
                    "{{ team_phone }}."
                ),
                (
                    "Met vriendelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, wij hebben de aanmelding voor {{ product }} ontvangen. "
                "Binnen een paar werkdagen belt een planner om een intake te plannen. "
                "Vragen? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "We hebben je aanmelding ontvangen",
            "body": (
                "Beste {{ name }},",
                (
                    "We hebben je aanmelding voor {{ product }} goed ontvangen. Dank je wel voor "
                    "je vertrouwen."
                ),
                (
                    "Wat gebeurt er nu?\n"
                    "Binnen een paar werkdagen belt een planner van ons je op. Samen maken "
                    "jullie een afspraak voor een eerste gesprek. Dat heet een intake. In dat "
                    "gesprek kijken we samen welke zorg je nodig hebt en wat voor jou belangrijk "
                    "is."
                ),
                (
                    "Heb je vragen? Of wordt het thuis moeilijker? Bel ons gerust op "
                    "{{ team_phone }}."
                ),
                (
                    "Hartelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, we hebben je aanmelding voor {{ product }} ontvangen. "
                "Binnen een paar werkdagen belt een planner je om een intake te plannen. "
                "Vragen? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "We have received the referral",
            "body": (
                "Dear {{ name }},",
                (
                    "We have received the referral of {{ client_name }} for {{ product }}. Thank "
                    "you for your trust in us."
                ),
                (
                    "What happens next?\n"
                    "Within a few working days, one of our planners will call. Together we will "
                    "plan a first meeting. We call this an intake. In this meeting we look at "
                    "what care is needed and what matters most."
                ),
                (
                    "Do you have questions? Or are things getting harder at home? Please call us "
                    "on {{ team_phone }}."
                ),
                (
                    "Kind regards,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, we have received the referral for {{ product }}. Within a "
                "few working days a planner will call to plan an intake. Questions? Call "
                "{{ team_phone }}. {{ organisation }}"
            ),
        },
    ],
    "intake_planned": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Afspraak voor de intake op {{ intake_date }}",
            "body": (
                "Beste {{ name }},",
                (
                    "Hierbij bevestigen wij de afspraak voor de intake van {{ client_name }}. In "
                    "dit gesprek bespreken we welke zorg nodig is en wat belangrijk is."
                ),
                (
                    "Datum: {{ intake_date }}\n"
                    "Tijd: {{ intake_time }} uur\n"
                    "Gesprek met: {{ intake_with }}"
                ),
                "Het gesprek is {{ intake_mode }}.",
                (
                    "Wat kunt u alvast klaarleggen?\n"
                    "- een overzicht van de medicijnen (dit krijgt u bij de apotheek)\n"
                    "- de zorgpas van de zorgverzekering\n"
                    "- de naam en het telefoonnummer van de huisarts"
                ),
                (
                    "Wilt u dat er iemand bij het gesprek is? Dat mag. Bijvoorbeeld een partner, "
                    "een kind of een buur."
                ),
                "Past de afspraak niet? Of heeft u vragen? Bel ons dan op {{ team_phone }}.",
                (
                    "Met vriendelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, hierbij bevestigen wij de intake op {{ intake_date }} om "
                "{{ intake_time }} uur, {{ intake_mode }}. Leg een overzicht van de "
                "medicijnen klaar. Past het niet? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Je afspraak voor de intake op {{ intake_date }}",
            "body": (
                "Beste {{ name }},",
                (
                    "Hierbij bevestigen we je afspraak voor de intake. In dit gesprek bespreken "
                    "we welke zorg je nodig hebt en wat voor jou belangrijk is."
                ),
                (
                    "Datum: {{ intake_date }}\n"
                    "Tijd: {{ intake_time }} uur\n"
                    "Gesprek met: {{ intake_with }}"
                ),
                "Het gesprek is {{ intake_mode }}.",
                (
                    "Wat kun je alvast klaarleggen?\n"
                    "- een overzicht van je medicijnen (dit krijg je bij de apotheek)\n"
                    "- je zorgpas van de zorgverzekering\n"
                    "- de naam en het telefoonnummer van je huisarts"
                ),
                (
                    "Wil je dat er iemand bij het gesprek is? Dat mag. Bijvoorbeeld je partner, "
                    "een familielid of een buur."
                ),
                "Past de afspraak niet? Of heb je vragen? Bel ons dan op {{ team_phone }}.",
                (
                    "Hartelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, hierbij bevestigen we je intake op {{ intake_date }} om "
                "{{ intake_time }} uur, {{ intake_mode }}. Leg een overzicht van je "
                "medicijnen klaar. Past het niet? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "Appointment for the intake on {{ intake_date }}",
            "body": (
                "Dear {{ name }},",
                (
                    "We confirm the appointment for the intake of {{ client_name }}. In this "
                    "meeting we talk about what care is needed and what matters most."
                ),
                (
                    "Date: {{ intake_date }}\n"
                    "Time: {{ intake_time }}\n"
                    "Meeting with: {{ intake_with }}"
                ),
                "The meeting is {{ intake_mode }}.",
                (
                    "What can you get ready?\n"
                    "- a list of the medicines (the pharmacy can give you one)\n"
                    "- the health insurance card\n"
                    "- the name and phone number of the GP (family doctor)"
                ),
                (
                    "Would you like someone to join the meeting? That is fine. For example a "
                    "partner, a child or a neighbour."
                ),
                (
                    "Does the appointment not suit you? Or do you have questions? Please call us "
                    "on {{ team_phone }}."
                ),
                (
                    "Kind regards,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, we confirm the intake on {{ intake_date }} at "
                "{{ intake_time }}, {{ intake_mode }}. Please have a list of the medicines "
                "ready. Does it not suit you? Call {{ team_phone }}. {{ organisation }}"
            ),
        },
    ],
    "intake_reminder": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Herinnering: morgen de intake om {{ intake_time }} uur",
            "body": (
                "Beste {{ name }},",
                "Een korte herinnering: morgen is de intake van {{ client_name }}.",
                (
                    "Datum: {{ intake_date }}\n"
                    "Tijd: {{ intake_time }} uur\n"
                    "Gesprek met: {{ intake_with }}"
                ),
                "Het gesprek is {{ intake_mode }}.",
                "Legt u alvast het overzicht van de medicijnen en de zorgpas klaar?",
                (
                    "Kan het morgen toch niet? Bel ons dan zo snel mogelijk op {{ team_phone }}. "
                    "Dan maken we samen een nieuwe afspraak."
                ),
                (
                    "Met vriendelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, een herinnering: morgen, {{ intake_date }}, om "
                "{{ intake_time }} uur is de intake, {{ intake_mode }}. Kan het toch niet? "
                "Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Herinnering: morgen je intake om {{ intake_time }} uur",
            "body": (
                "Beste {{ name }},",
                "Een korte herinnering: morgen is je intake.",
                (
                    "Datum: {{ intake_date }}\n"
                    "Tijd: {{ intake_time }} uur\n"
                    "Gesprek met: {{ intake_with }}"
                ),
                "Het gesprek is {{ intake_mode }}.",
                "Leg je alvast het overzicht van je medicijnen en je zorgpas klaar?",
                (
                    "Kan het morgen toch niet? Bel ons dan zo snel mogelijk op {{ team_phone }}. "
                    "Dan maken we samen een nieuwe afspraak."
                ),
                (
                    "Hartelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, een herinnering: morgen, {{ intake_date }}, om "
                "{{ intake_time }} uur is je intake, {{ intake_mode }}. Kan het toch niet? "
                "Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "Reminder: the intake is tomorrow at {{ intake_time }}",
            "body": (
                "Dear {{ name }},",
                "A short reminder: the intake of {{ client_name }} is tomorrow.",
                (
                    "Date: {{ intake_date }}\n"
                    "Time: {{ intake_time }}\n"
                    "Meeting with: {{ intake_with }}"
                ),
                "The meeting is {{ intake_mode }}.",
                "Could you get the list of the medicines and the health insurance card ready?",
                (
                    "Does tomorrow not work after all? Please call us as soon as you can on "
                    "{{ team_phone }}. Then we will plan a new appointment together."
                ),
                (
                    "Kind regards,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, a reminder: the intake is tomorrow, {{ intake_date }}, at "
                "{{ intake_time }}, {{ intake_mode }}. Does it not work after all? Call "
                "{{ team_phone }}. {{ organisation }}"
            ),
        },
    ],
    "waiting_list_update": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Nieuws over de wachtlijst",
            "body": (
                "Beste {{ name }},",
                (
                    "Wij laten u graag weten hoe het staat met de wachtlijst. {{ client_name }} "
                    "wacht op {{ product }}. Dit is de stand van nu:"
                ),
                (
                    "Plaats op de wachtlijst: {{ position }}\n"
                    "Verwachte start: {{ expected_start }}"
                ),
                (
                    "Dit is een schatting. Het kan sneller gaan, maar het kan ook langer duren. "
                    "U krijgt van ons regelmatig een nieuw bericht."
                ),
                (
                    "Gaat het thuis minder goed? Wacht dan niet en bel ons op {{ team_phone }}. "
                    "Dan kijken we samen wat er kan. Is het dringend? Bel dan de huisarts. Bij "
                    "levensgevaar belt u 112."
                ),
                (
                    "Met vriendelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, nieuws over de wachtlijst voor {{ product }}. Plaats: "
                "{{ position }}. Verwachte start: {{ expected_start }}. Dit is een "
                "schatting. Gaat het minder goed? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Nieuws over de wachtlijst",
            "body": (
                "Beste {{ name }},",
                (
                    "We laten je graag weten hoe het staat met de wachtlijst. Je wacht op "
                    "{{ product }}. Dit is de stand van nu:"
                ),
                (
                    "Plaats op de wachtlijst: {{ position }}\n"
                    "Verwachte start: {{ expected_start }}"
                ),
                (
                    "Dit is een schatting. Het kan sneller gaan, maar het kan ook langer duren. "
                    "Je krijgt van ons regelmatig een nieuw bericht."
                ),
                (
                    "Gaat het thuis minder goed? Wacht dan niet en bel ons op {{ team_phone }}. "
                    "Dan kijken we samen wat er kan. Is het dringend? Bel dan je huisarts. Bij "
                    "levensgevaar bel je 112."
                ),
                (
                    "Hartelijke groet,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, nieuws over de wachtlijst voor {{ product }}. Plaats: "
                "{{ position }}. Verwachte start: {{ expected_start }}. Dit is een "
                "schatting. Gaat het minder goed? Bel {{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "News about the waiting list",
            "body": (
                "Dear {{ name }},",
                (
                    "We would like to tell you how things stand on the waiting list. "
                    "{{ client_name }} is waiting for {{ product }}. This is where things are "
                    "now:"
                ),
                (
                    "Place on the waiting list: {{ position }}\n"
                    "Expected start: {{ expected_start }}"
                ),
                (
                    "This is an estimate. It may go faster, but it may also take longer. You "
                    "will hear from us again regularly."
                ),
                (
                    "Are things getting worse at home? Do not wait, and call us on "
                    "{{ team_phone }}. Then we will look together at what we can do. Is it "
                    "urgent? Then call the GP (family doctor). If a life is in danger, call 112."
                ),
                (
                    "Kind regards,\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, news about the waiting list for {{ product }}. Place: "
                "{{ position }}. Expected start: {{ expected_start }}. This is an estimate. "
                "Things getting worse? Call {{ team_phone }}. {{ organisation }}"
            ),
        },
    ],
    "care_started": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "De zorg begint: dit is de vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                (
                    "Op {{ start_date }} begint {{ team }} met de zorg voor {{ client_name }}. "
                    "Wij zijn blij dat we kunnen helpen."
                ),
                (
                    "De vaste contactpersoon is {{ contact_person }}. Met alle vragen over de "
                    "zorg kunt u bij {{ contact_person }} terecht. Zo hoeft u uw verhaal niet "
                    "steeds opnieuw te vertellen."
                ),
                (
                    "U bereikt {{ contact_person }} en het team op {{ team_phone }}. Is "
                    "{{ contact_person }} er niet? Dan helpt een collega van het team u verder."
                ),
                (
                    "Met vriendelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, op {{ start_date }} begint {{ team }} met de zorg. De "
                "vaste contactpersoon is {{ contact_person }}. U bereikt het team op "
                "{{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Je zorg begint: dit is je vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                (
                    "Op {{ start_date }} begint {{ team }} met je zorg. We zijn blij dat we je "
                    "kunnen helpen."
                ),
                (
                    "Je vaste contactpersoon is {{ contact_person }}. Met al je vragen over de "
                    "zorg kun je bij {{ contact_person }} terecht. Zo hoef je je verhaal niet "
                    "steeds opnieuw te vertellen."
                ),
                (
                    "Je bereikt {{ contact_person }} en het team op {{ team_phone }}. Is "
                    "{{ contact_person }} er niet? Dan helpt een collega van het team je verder."
                ),
                (
                    "Hartelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, op {{ start_date }} begint {{ team }} met je zorg. Je "
                "vaste contactpersoon is {{ contact_person }}. Je bereikt het team op "
                "{{ team_phone }}. {{ organisation }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "Care begins: this is the fixed contact person",
            "body": (
                "Dear {{ name }},",
                (
                    "On {{ start_date }}, {{ team }} will begin the care for {{ client_name }}. "
                    "We are glad that we can help."
                ),
                (
                    "The fixed contact person is {{ contact_person }}. You can go to "
                    "{{ contact_person }} with all questions about the care. That way you do not "
                    "have to tell your story again and again."
                ),
                (
                    "You can reach {{ contact_person }} and the team on {{ team_phone }}. Is "
                    "{{ contact_person }} not there? Then a colleague from the team will help "
                    "you."
                ),
                (
                    "Kind regards,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, on {{ start_date }} {{ team }} will begin the care. The "
                "fixed contact person is {{ contact_person }}. You can reach the team on "
                "{{ team_phone }}. {{ organisation }}"
            ),
        },
    ],
    "contact_person_changed": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Nieuwe vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                (
                    "Er is iets veranderd in de zorg voor {{ client_name }}. Vanaf nu is "
                    "{{ contact_person }} de vaste contactpersoon."
                ),
                (
                    "Tot nu toe was dat {{ previous_contact_person }}. "
                    "{{ previous_contact_person }} vertelt {{ contact_person }} alles wat "
                    "belangrijk is. Zo gaat de zorg goed verder."
                ),
                "Een nieuw gezicht is soms even wennen. Dank u wel voor uw geduld.",
                "Heeft u vragen? Bel het team op {{ team_phone }}.",
                (
                    "Met vriendelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, de zorg voor {{ client_name }} heeft een nieuwe vaste "
                "contactpersoon: {{ contact_person }}. {{ previous_contact_person }} draagt "
                "alles goed over. Vragen? Bel {{ team_phone }}. {{ team }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Je nieuwe vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                (
                    "Er is iets veranderd in je zorg. Vanaf nu is {{ contact_person }} je vaste "
                    "contactpersoon."
                ),
                (
                    "Tot nu toe was dat {{ previous_contact_person }}. "
                    "{{ previous_contact_person }} vertelt {{ contact_person }} alles wat "
                    "belangrijk is. Zo gaat je zorg goed verder."
                ),
                "Een nieuw gezicht is soms even wennen. Dank je wel voor je geduld.",
                "Heb je vragen? Bel het team op {{ team_phone }}.",
                (
                    "Hartelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, je hebt een nieuwe vaste contactpersoon: "
                "{{ contact_person }}. {{ previous_contact_person }} draagt alles goed over. "
                "Dank je voor je geduld. Vragen? Bel {{ team_phone }}. {{ team }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "New fixed contact person",
            "body": (
                "Dear {{ name }},",
                (
                    "Something has changed in the care for {{ client_name }}. From now on, "
                    "{{ contact_person }} is the fixed contact person."
                ),
                (
                    "Until now this was {{ previous_contact_person }}. "
                    "{{ previous_contact_person }} will tell {{ contact_person }} everything "
                    "that matters. That way the care goes on well."
                ),
                "A new face can take some getting used to. Thank you for your patience.",
                "Do you have questions? Please call the team on {{ team_phone }}.",
                (
                    "Kind regards,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, the care for {{ client_name }} has a new fixed contact "
                "person: {{ contact_person }}. {{ previous_contact_person }} will hand "
                "everything over. Questions? Call {{ team_phone }}. {{ team }}"
            ),
        },
    ],
    "care_ended": [
        {
            "language": "nl",
            "address_form": "u",
            "subject": "Dank u wel",
            "body": (
                "Beste {{ name }},",
                "Op {{ end_date }} is de zorg voor {{ client_name }} gestopt.",
                (
                    "Wij willen u graag bedanken voor het vertrouwen en voor de goede contacten. "
                    "Wij vonden het fijn om te mogen helpen."
                ),
                (
                    "Heeft u later weer zorg nodig? Of heeft u nog een vraag? Bel ons gerust op "
                    "{{ team_phone }}."
                ),
                "Wij wensen u het beste.",
                (
                    "Met vriendelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, de zorg voor {{ client_name }} is gestopt op "
                "{{ end_date }}. Dank u wel voor het vertrouwen. Later weer zorg nodig of "
                "een vraag? Bel {{ team_phone }}. {{ team }}"
            ),
        },
        {
            "language": "nl",
            "address_form": "je",
            "subject": "Dank je wel",
            "body": (
                "Beste {{ name }},",
                "Op {{ end_date }} is je zorg bij ons gestopt.",
                (
                    "We willen je graag bedanken voor je vertrouwen en voor de goede contacten. "
                    "We vonden het fijn om je te mogen helpen."
                ),
                (
                    "Heb je later weer zorg nodig? Of heb je nog een vraag? Bel ons gerust op "
                    "{{ team_phone }}."
                ),
                "We wensen je het beste.",
                (
                    "Hartelijke groet,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Beste {{ name }}, je zorg bij ons is gestopt op {{ end_date }}. Dank je wel "
                "voor je vertrouwen. Later weer zorg nodig of een vraag? Bel "
                "{{ team_phone }}. {{ team }}"
            ),
        },
        {
            "language": "en",
            "address_form": "",
            "subject": "Thank you",
            "body": (
                "Dear {{ name }},",
                "On {{ end_date }}, the care for {{ client_name }} came to an end.",
                (
                    "We would like to thank you for your trust and for the good contact. We were "
                    "glad that we could help."
                ),
                (
                    "Do you need care again later? Or do you have a question? Please call us on "
                    "{{ team_phone }}."
                ),
                "We wish you all the best.",
                (
                    "Kind regards,\n"
                    "{{ team }}\n"
                    "{{ organisation }}"
                ),
            ),
            "sms": (
                "Dear {{ name }}, the care for {{ client_name }} came to an end on "
                "{{ end_date }}. Thank you for your trust. Need care again, or a question? "
                "Call {{ team_phone }}. {{ team }}"
            ),
        },
    ],
}

KEY = ("trigger", "channel", "language", "address_form")


def rows():
    for trigger, variants in TEXTS.items():
        for text in variants:
            variant = {
                "trigger": trigger,
                "language": text["language"],
                "address_form": text["address_form"],
            }
            body = "\n\n".join(text["body"])
            for channel in ("email", "letter"):
                yield {**variant, "channel": channel, "subject": text["subject"], "body": body}
            yield {**variant, "channel": "sms", "subject": "", "body": text["sms"]}


def add_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    TriggerSetting = apps.get_model("outreach", "TriggerSetting")
    existing = set(MessageTemplate.objects.values_list(*KEY))
    MessageTemplate.objects.bulk_create(
        MessageTemplate(**row, active=True)
        for row in rows()
        if tuple(row[name] for name in KEY) not in existing
    )
    configured = set(TriggerSetting.objects.values_list("trigger", flat=True))
    TriggerSetting.objects.bulk_create(
        TriggerSetting(trigger=trigger, enabled=True)
        for trigger in TEXTS
        if trigger not in configured
    )


def remove_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    TriggerSetting = apps.get_model("outreach", "TriggerSetting")
    for row in rows():
        MessageTemplate.objects.filter(**row, active=True).delete()
    TriggerSetting.objects.filter(trigger__in=list(TEXTS), enabled=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0002_letter_batch")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]

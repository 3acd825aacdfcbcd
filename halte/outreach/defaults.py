"""The message templates Halte starts with: every trigger of a client's journey, by
email, letter and text message, in Dutch (formal 'u' and informal 'je') and English.

Written at language level B1: short sentences, common words, one message per text,
what happens next and whom to call. Who reads them decides how they are written:

- The 'je' texts only reach clients: a relative is always addressed formally
  (halte.outreach.recipients).
- The 'u' and English texts reach clients and relatives who receive the client's
  messages, so they name the client ({{ client_name }}) where it matters whose care
  it is, and speak to the reader ("Heeft u vragen?") only about what the reader does.

Letters use the email's text; their subject is the letter's "Betreft". A text
message has no subject and fits in two messages (306 characters, plain letters).

Migration 0004_default_templates holds a frozen copy of these texts: it must install
the same rows on a new database years from now, whatever this module becomes. When
these texts change, add a migration that changes existing installations too (the
tests compare a freshly migrated database with this module).
"""

from halte.outreach.models import MessageChannel, MessageTemplate, Trigger, TriggerSetting

# Every variant a trigger has: (language, address form).
VARIANTS = [("nl", "u"), ("nl", "je"), ("en", "")]

# The triggers with default templates: an announcement's text is written per
# announcement, so it has none.
TRIGGERS = [
    Trigger.REFERRAL_RECEIVED,
    Trigger.INTAKE_PLANNED,
    Trigger.INTAKE_REMINDER,
    Trigger.WAITING_LIST_UPDATE,
    Trigger.CARE_STARTED,
    Trigger.CONTACT_PERSON_CHANGED,
    Trigger.CARE_ENDED,
]

_NL_U_BYE = "Met vriendelijke groet,\n{{ organisation }}"
_NL_U_BYE_TEAM = "Met vriendelijke groet,\n{{ team }}\n{{ organisation }}"
_NL_JE_BYE = "Hartelijke groet,\n{{ organisation }}"
_NL_JE_BYE_TEAM = "Hartelijke groet,\n{{ team }}\n{{ organisation }}"
_EN_BYE = "Kind regards,\n{{ organisation }}"
_EN_BYE_TEAM = "Kind regards,\n{{ team }}\n{{ organisation }}"

_NL_INTAKE_WHEN = (
    "Datum: {{ intake_date }}\nTijd: {{ intake_time }} uur\nGesprek met: {{ intake_with }}"
)
_EN_INTAKE_WHEN = (
    "Date: {{ intake_date }}\nTime: {{ intake_time }}\nMeeting with: {{ intake_with }}"
)

# TEXTS[trigger][(language, address form)]: the subject and the paragraphs of the
# email and the letter, and the text message.
TEXTS = {
    Trigger.REFERRAL_RECEIVED: {
        ("nl", "u"): {
            "subject": "Wij hebben de aanmelding ontvangen",
            "body": (
                "Beste {{ name }},",
                "Wij hebben de aanmelding van {{ client_name }} voor {{ product }} goed "
                "ontvangen. Dank u wel voor uw vertrouwen.",
                "Wat gebeurt er nu?\n"
                "Binnen een paar werkdagen belt een planner van ons. Samen maken we een "
                "afspraak voor een eerste gesprek. Dat heet een intake. In dat gesprek "
                "kijken we welke zorg nodig is en wat belangrijk is.",
                "Heeft u vragen? Of wordt het thuis moeilijker? Bel ons gerust op "
                "{{ team_phone }}.",
                _NL_U_BYE,
            ),
            "sms": "Beste {{ name }}, wij hebben de aanmelding voor {{ product }} ontvangen. "
            "Binnen een paar werkdagen belt een planner om een intake te plannen. "
            "Vragen? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("nl", "je"): {
            "subject": "We hebben je aanmelding ontvangen",
            "body": (
                "Beste {{ name }},",
                "We hebben je aanmelding voor {{ product }} goed ontvangen. Dank je wel "
                "voor je vertrouwen.",
                "Wat gebeurt er nu?\n"
                "Binnen een paar werkdagen belt een planner van ons je op. Samen maken "
                "jullie een afspraak voor een eerste gesprek. Dat heet een intake. In dat "
                "gesprek kijken we samen welke zorg je nodig hebt en wat voor jou "
                "belangrijk is.",
                "Heb je vragen? Of wordt het thuis moeilijker? Bel ons gerust op {{ team_phone }}.",
                _NL_JE_BYE,
            ),
            "sms": "Beste {{ name }}, we hebben je aanmelding voor {{ product }} ontvangen. "
            "Binnen een paar werkdagen belt een planner je om een intake te plannen. "
            "Vragen? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("en", ""): {
            "subject": "We have received the referral",
            "body": (
                "Dear {{ name }},",
                "We have received the referral of {{ client_name }} for {{ product }}. "
                "Thank you for your trust in us.",
                "What happens next?\n"
                "Within a few working days, one of our planners will call. Together we "
                "will plan a first meeting. We call this an intake. In this meeting we "
                "look at what care is needed and what matters most.",
                "Do you have questions? Or are things getting harder at home? Please call "
                "us on {{ team_phone }}.",
                _EN_BYE,
            ),
            "sms": "Dear {{ name }}, we have received the referral for {{ product }}. "
            "Within a few working days a planner will call to plan an intake. "
            "Questions? Call {{ team_phone }}. {{ organisation }}",
        },
    },
    Trigger.INTAKE_PLANNED: {
        ("nl", "u"): {
            "subject": "Afspraak voor de intake op {{ intake_date }}",
            "body": (
                "Beste {{ name }},",
                "Hierbij bevestigen wij de afspraak voor de intake van {{ client_name }}. "
                "In dit gesprek bespreken we welke zorg nodig is en wat belangrijk is.",
                _NL_INTAKE_WHEN,
                "Het gesprek is {{ intake_mode }}.",
                "Wat kunt u alvast klaarleggen?\n"
                "- een overzicht van de medicijnen (dit krijgt u bij de apotheek)\n"
                "- de zorgpas van de zorgverzekering\n"
                "- de naam en het telefoonnummer van de huisarts",
                "Wilt u dat er iemand bij het gesprek is? Dat mag. Bijvoorbeeld een "
                "partner, een kind of een buur.",
                "Past de afspraak niet? Of heeft u vragen? Bel ons dan op {{ team_phone }}.",
                _NL_U_BYE,
            ),
            "sms": "Beste {{ name }}, hierbij bevestigen wij de intake op {{ intake_date }} "
            "om {{ intake_time }} uur, {{ intake_mode }}. Leg een overzicht van de "
            "medicijnen klaar. Past het niet? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("nl", "je"): {
            "subject": "Je afspraak voor de intake op {{ intake_date }}",
            "body": (
                "Beste {{ name }},",
                "Hierbij bevestigen we je afspraak voor de intake. In dit gesprek "
                "bespreken we welke zorg je nodig hebt en wat voor jou belangrijk is.",
                _NL_INTAKE_WHEN,
                "Het gesprek is {{ intake_mode }}.",
                "Wat kun je alvast klaarleggen?\n"
                "- een overzicht van je medicijnen (dit krijg je bij de apotheek)\n"
                "- je zorgpas van de zorgverzekering\n"
                "- de naam en het telefoonnummer van je huisarts",
                "Wil je dat er iemand bij het gesprek is? Dat mag. Bijvoorbeeld je "
                "partner, een familielid of een buur.",
                "Past de afspraak niet? Of heb je vragen? Bel ons dan op {{ team_phone }}.",
                _NL_JE_BYE,
            ),
            "sms": "Beste {{ name }}, hierbij bevestigen we je intake op {{ intake_date }} "
            "om {{ intake_time }} uur, {{ intake_mode }}. Leg een overzicht van je "
            "medicijnen klaar. Past het niet? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("en", ""): {
            "subject": "Appointment for the intake on {{ intake_date }}",
            "body": (
                "Dear {{ name }},",
                "We confirm the appointment for the intake of {{ client_name }}. In this "
                "meeting we talk about what care is needed and what matters most.",
                _EN_INTAKE_WHEN,
                "The meeting is {{ intake_mode }}.",
                "What can you get ready?\n"
                "- a list of the medicines (the pharmacy can give you one)\n"
                "- the health insurance card\n"
                "- the name and phone number of the GP (family doctor)",
                "Would you like someone to join the meeting? That is fine. For example a "
                "partner, a child or a neighbour.",
                "Does the appointment not suit you? Or do you have questions? Please call "
                "us on {{ team_phone }}.",
                _EN_BYE,
            ),
            "sms": "Dear {{ name }}, we confirm the intake on {{ intake_date }} at "
            "{{ intake_time }}, {{ intake_mode }}. Please have a list of the medicines "
            "ready. Does it not suit you? Call {{ team_phone }}. {{ organisation }}",
        },
    },
    Trigger.INTAKE_REMINDER: {
        ("nl", "u"): {
            "subject": "Herinnering: morgen de intake om {{ intake_time }} uur",
            "body": (
                "Beste {{ name }},",
                "Een korte herinnering: morgen is de intake van {{ client_name }}.",
                _NL_INTAKE_WHEN,
                "Het gesprek is {{ intake_mode }}.",
                "Legt u alvast het overzicht van de medicijnen en de zorgpas klaar?",
                "Kan het morgen toch niet? Bel ons dan zo snel mogelijk op "
                "{{ team_phone }}. Dan maken we samen een nieuwe afspraak.",
                _NL_U_BYE,
            ),
            "sms": "Beste {{ name }}, een herinnering: morgen, {{ intake_date }}, om "
            "{{ intake_time }} uur is de intake, {{ intake_mode }}. Kan het toch niet? "
            "Bel {{ team_phone }}. {{ organisation }}",
        },
        ("nl", "je"): {
            "subject": "Herinnering: morgen je intake om {{ intake_time }} uur",
            "body": (
                "Beste {{ name }},",
                "Een korte herinnering: morgen is je intake.",
                _NL_INTAKE_WHEN,
                "Het gesprek is {{ intake_mode }}.",
                "Leg je alvast het overzicht van je medicijnen en je zorgpas klaar?",
                "Kan het morgen toch niet? Bel ons dan zo snel mogelijk op "
                "{{ team_phone }}. Dan maken we samen een nieuwe afspraak.",
                _NL_JE_BYE,
            ),
            "sms": "Beste {{ name }}, een herinnering: morgen, {{ intake_date }}, om "
            "{{ intake_time }} uur is je intake, {{ intake_mode }}. Kan het toch niet? "
            "Bel {{ team_phone }}. {{ organisation }}",
        },
        ("en", ""): {
            "subject": "Reminder: the intake is tomorrow at {{ intake_time }}",
            "body": (
                "Dear {{ name }},",
                "A short reminder: the intake of {{ client_name }} is tomorrow.",
                _EN_INTAKE_WHEN,
                "The meeting is {{ intake_mode }}.",
                "Could you get the list of the medicines and the health insurance card ready?",
                "Does tomorrow not work after all? Please call us as soon as you can on "
                "{{ team_phone }}. Then we will plan a new appointment together.",
                _EN_BYE,
            ),
            "sms": "Dear {{ name }}, a reminder: the intake is tomorrow, {{ intake_date }}, "
            "at {{ intake_time }}, {{ intake_mode }}. Does it not work after all? "
            "Call {{ team_phone }}. {{ organisation }}",
        },
    },
    Trigger.WAITING_LIST_UPDATE: {
        ("nl", "u"): {
            "subject": "Nieuws over de wachtlijst",
            "body": (
                "Beste {{ name }},",
                "Wij laten u graag weten hoe het staat met de wachtlijst. "
                "{{ client_name }} wacht op {{ product }}. Dit is de stand van nu:",
                "Plaats op de wachtlijst: {{ position }}\nVerwachte start: {{ expected_start }}",
                "Dit is een schatting. Het kan sneller gaan, maar het kan ook langer "
                "duren. U krijgt van ons regelmatig een nieuw bericht.",
                "Gaat het thuis minder goed? Wacht dan niet en bel ons op "
                "{{ team_phone }}. Dan kijken we samen wat er kan. Is het dringend? Bel "
                "dan de huisarts. Bij levensgevaar belt u 112.",
                _NL_U_BYE,
            ),
            "sms": "Beste {{ name }}, nieuws over de wachtlijst voor {{ product }}. "
            "Plaats: {{ position }}. Verwachte start: {{ expected_start }}. Dit is een "
            "schatting. Gaat het minder goed? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("nl", "je"): {
            "subject": "Nieuws over de wachtlijst",
            "body": (
                "Beste {{ name }},",
                "We laten je graag weten hoe het staat met de wachtlijst. Je wacht op "
                "{{ product }}. Dit is de stand van nu:",
                "Plaats op de wachtlijst: {{ position }}\nVerwachte start: {{ expected_start }}",
                "Dit is een schatting. Het kan sneller gaan, maar het kan ook langer "
                "duren. Je krijgt van ons regelmatig een nieuw bericht.",
                "Gaat het thuis minder goed? Wacht dan niet en bel ons op "
                "{{ team_phone }}. Dan kijken we samen wat er kan. Is het dringend? Bel "
                "dan je huisarts. Bij levensgevaar bel je 112.",
                _NL_JE_BYE,
            ),
            "sms": "Beste {{ name }}, nieuws over de wachtlijst voor {{ product }}. "
            "Plaats: {{ position }}. Verwachte start: {{ expected_start }}. Dit is een "
            "schatting. Gaat het minder goed? Bel {{ team_phone }}. {{ organisation }}",
        },
        ("en", ""): {
            "subject": "News about the waiting list",
            "body": (
                "Dear {{ name }},",
                "We would like to tell you how things stand on the waiting list. "
                "{{ client_name }} is waiting for {{ product }}. This is where things "
                "are now:",
                "Place on the waiting list: {{ position }}\nExpected start: {{ expected_start }}",
                "This is an estimate. It may go faster, but it may also take longer. You "
                "will hear from us again regularly.",
                "Are things getting worse at home? Do not wait, and call us on "
                "{{ team_phone }}. Then we will look together at what we can do. Is it "
                "urgent? Then call the GP (family doctor). If a life is in danger, call "
                "112.",
                _EN_BYE,
            ),
            "sms": "Dear {{ name }}, news about the waiting list for {{ product }}. "
            "Place: {{ position }}. Expected start: {{ expected_start }}. This is an "
            "estimate. Things getting worse? Call {{ team_phone }}. {{ organisation }}",
        },
    },
    Trigger.CARE_STARTED: {
        ("nl", "u"): {
            "subject": "De zorg begint: dit is de vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                "Op {{ start_date }} begint {{ team }} met de zorg voor "
                "{{ client_name }}. Wij zijn blij dat we kunnen helpen.",
                "De vaste contactpersoon is {{ contact_person }}. Met alle vragen over "
                "de zorg kunt u bij {{ contact_person }} terecht. Zo hoeft u uw verhaal "
                "niet steeds opnieuw te vertellen.",
                "U bereikt {{ contact_person }} en het team op {{ team_phone }}. Is "
                "{{ contact_person }} er niet? Dan helpt een collega van het team u "
                "verder.",
                _NL_U_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, op {{ start_date }} begint {{ team }} met de zorg. "
            "De vaste contactpersoon is {{ contact_person }}. U bereikt het team op "
            "{{ team_phone }}. {{ organisation }}",
        },
        ("nl", "je"): {
            "subject": "Je zorg begint: dit is je vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                "Op {{ start_date }} begint {{ team }} met je zorg. We zijn blij dat we "
                "je kunnen helpen.",
                "Je vaste contactpersoon is {{ contact_person }}. Met al je vragen over "
                "de zorg kun je bij {{ contact_person }} terecht. Zo hoef je je verhaal "
                "niet steeds opnieuw te vertellen.",
                "Je bereikt {{ contact_person }} en het team op {{ team_phone }}. Is "
                "{{ contact_person }} er niet? Dan helpt een collega van het team je "
                "verder.",
                _NL_JE_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, op {{ start_date }} begint {{ team }} met je zorg. "
            "Je vaste contactpersoon is {{ contact_person }}. Je bereikt het team op "
            "{{ team_phone }}. {{ organisation }}",
        },
        ("en", ""): {
            "subject": "Care begins: this is the fixed contact person",
            "body": (
                "Dear {{ name }},",
                "On {{ start_date }}, {{ team }} will begin the care for "
                "{{ client_name }}. We are glad that we can help.",
                "The fixed contact person is {{ contact_person }}. You can go to "
                "{{ contact_person }} with all questions about the care. That way you do "
                "not have to tell your story again and again.",
                "You can reach {{ contact_person }} and the team on {{ team_phone }}. Is "
                "{{ contact_person }} not there? Then a colleague from the team will "
                "help you.",
                _EN_BYE_TEAM,
            ),
            "sms": "Dear {{ name }}, on {{ start_date }} {{ team }} will begin the care. "
            "The fixed contact person is {{ contact_person }}. You can reach the team "
            "on {{ team_phone }}. {{ organisation }}",
        },
    },
    Trigger.CONTACT_PERSON_CHANGED: {
        ("nl", "u"): {
            "subject": "Nieuwe vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                "Er is iets veranderd in de zorg voor {{ client_name }}. Vanaf nu is "
                "{{ contact_person }} de vaste contactpersoon.",
                "Tot nu toe was dat {{ previous_contact_person }}. "
                "{{ previous_contact_person }} vertelt {{ contact_person }} alles wat "
                "belangrijk is. Zo gaat de zorg goed verder.",
                "Een nieuw gezicht is soms even wennen. Dank u wel voor uw geduld.",
                "Heeft u vragen? Bel het team op {{ team_phone }}.",
                _NL_U_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, de zorg voor {{ client_name }} heeft een nieuwe vaste "
            "contactpersoon: {{ contact_person }}. {{ previous_contact_person }} draagt "
            "alles goed over. Vragen? Bel {{ team_phone }}. {{ team }}",
        },
        ("nl", "je"): {
            "subject": "Je nieuwe vaste contactpersoon",
            "body": (
                "Beste {{ name }},",
                "Er is iets veranderd in je zorg. Vanaf nu is {{ contact_person }} je "
                "vaste contactpersoon.",
                "Tot nu toe was dat {{ previous_contact_person }}. "
                "{{ previous_contact_person }} vertelt {{ contact_person }} alles wat "
                "belangrijk is. Zo gaat je zorg goed verder.",
                "Een nieuw gezicht is soms even wennen. Dank je wel voor je geduld.",
                "Heb je vragen? Bel het team op {{ team_phone }}.",
                _NL_JE_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, je hebt een nieuwe vaste contactpersoon: "
            "{{ contact_person }}. {{ previous_contact_person }} draagt alles goed over. "
            "Dank je voor je geduld. Vragen? Bel {{ team_phone }}. {{ team }}",
        },
        ("en", ""): {
            "subject": "New fixed contact person",
            "body": (
                "Dear {{ name }},",
                "Something has changed in the care for {{ client_name }}. From now on, "
                "{{ contact_person }} is the fixed contact person.",
                "Until now this was {{ previous_contact_person }}. "
                "{{ previous_contact_person }} will tell {{ contact_person }} everything "
                "that matters. That way the care goes on well.",
                "A new face can take some getting used to. Thank you for your patience.",
                "Do you have questions? Please call the team on {{ team_phone }}.",
                _EN_BYE_TEAM,
            ),
            "sms": "Dear {{ name }}, the care for {{ client_name }} has a new fixed contact "
            "person: {{ contact_person }}. {{ previous_contact_person }} will hand "
            "everything over. Questions? Call {{ team_phone }}. {{ team }}",
        },
    },
    Trigger.CARE_ENDED: {
        ("nl", "u"): {
            "subject": "Dank u wel",
            "body": (
                "Beste {{ name }},",
                "Op {{ end_date }} is de zorg voor {{ client_name }} gestopt.",
                "Wij willen u graag bedanken voor het vertrouwen en voor de goede "
                "contacten. Wij vonden het fijn om te mogen helpen.",
                "Heeft u later weer zorg nodig? Of heeft u nog een vraag? Bel ons "
                "gerust op {{ team_phone }}.",
                "Wij wensen u het beste.",
                _NL_U_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, de zorg voor {{ client_name }} is gestopt op "
            "{{ end_date }}. Dank u wel voor het vertrouwen. Later weer zorg nodig of een "
            "vraag? Bel {{ team_phone }}. {{ team }}",
        },
        ("nl", "je"): {
            "subject": "Dank je wel",
            "body": (
                "Beste {{ name }},",
                "Op {{ end_date }} is je zorg bij ons gestopt.",
                "We willen je graag bedanken voor je vertrouwen en voor de goede "
                "contacten. We vonden het fijn om je te mogen helpen.",
                "Heb je later weer zorg nodig? Of heb je nog een vraag? Bel ons gerust "
                "op {{ team_phone }}.",
                "We wensen je het beste.",
                _NL_JE_BYE_TEAM,
            ),
            "sms": "Beste {{ name }}, je zorg bij ons is gestopt op {{ end_date }}. Dank je "
            "wel voor je vertrouwen. Later weer zorg nodig of een vraag? Bel "
            "{{ team_phone }}. {{ team }}",
        },
        ("en", ""): {
            "subject": "Thank you",
            "body": (
                "Dear {{ name }},",
                "On {{ end_date }}, the care for {{ client_name }} came to an end.",
                "We would like to thank you for your trust and for the good contact. We "
                "were glad that we could help.",
                "Do you need care again later? Or do you have a question? Please call us "
                "on {{ team_phone }}.",
                "We wish you all the best.",
                _EN_BYE_TEAM,
            ),
            "sms": "Dear {{ name }}, the care for {{ client_name }} came to an end on "
            "{{ end_date }}. Thank you for your trust. Need care again, or a question? "
            "Call {{ team_phone }}. {{ team }}",
        },
    },
}


def rows() -> list[dict]:
    """Every default template as the fields of a MessageTemplate row."""
    result = []
    for trigger in TRIGGERS:
        for (language, address_form), text in TEXTS[trigger].items():
            variant = {"trigger": str(trigger), "language": language, "address_form": address_form}
            body = "\n\n".join(text["body"])
            for channel in (MessageChannel.EMAIL, MessageChannel.LETTER):
                result.append(
                    {**variant, "channel": str(channel), "subject": text["subject"], "body": body}
                )
            result.append(
                {**variant, "channel": str(MessageChannel.SMS), "subject": "", "body": text["sms"]}
            )
    return result


def install() -> int:
    """Add the default templates and trigger settings that are missing; returns how
    many templates were added. A variant that exists is left as it is (an
    administrator may have rewritten it). For tests that start from an emptied
    database and for the demo."""
    added = 0
    for row in rows():
        key = {name: row[name] for name in ("trigger", "channel", "language", "address_form")}
        _template, created = MessageTemplate.objects.get_or_create(
            **key, defaults={"subject": row["subject"], "body": row["body"]}
        )
        added += created
    for trigger in TRIGGERS:
        TriggerSetting.objects.get_or_create(trigger=trigger, defaults={"enabled": True})
    return added

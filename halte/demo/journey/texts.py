"""Dutch texts for the demo journeys (halte.demo.journey.seeder): care questions, reasons a
referral ended, intake conclusions and bridging care. Demo content, not UI strings.

A text about someone ("meneer", "de dochter") is `(text, needs)` and goes only to a
client it fits (halte.demo.fit); every list keeps texts that fit anyone."""

# Care questions by product code, as a GP, hospital, relative or client puts them.
QUESTIONS = {
    "wijkverpleging": [
        "Hulp bij het aantrekken van steunkousen, 's ochtends en 's avonds.",
        "Wondzorg na ontslag uit het ziekenhuis; open wond aan het linker onderbeen.",
        ("Ondersteuning bij de medicatie: vergeet haar pillen in te nemen.", "woman"),
        ("Ondersteuning bij de medicatie: vergeet zijn pillen in te nemen.", "man"),
        "Hulp bij wassen en aankleden na een val; loopt sindsdien met een rollator.",
        ("Insuline spuiten, twee keer per dag; de dochter kan het niet meer opvangen.", "daughter"),
        ("Stomazorg na een darmoperatie; meneer wil het zelf leren.", "man"),
        ("Stomazorg na een darmoperatie; mevrouw wil het zelf leren.", "woman"),
        "Controle van bloeddruk en gewicht bij hartfalen; benauwd bij inspanning.",
    ],
    "specialistische-thuiszorg": [
        "Pijnbestrijding met een pompje (palliatief); de familie wil thuis blijven zorgen.",
        ("Sondevoeding thuis na opname; uitleg en begeleiding voor de partner nodig.", "partner"),
        "Antibiotica per infuus thuis, drie keer per dag, zes weken lang.",
        "Zorg rond een centrale lijn (PICC) tijdens de chemokuur.",
    ],
    "huishoudelijke-hulp": [
        "Indicatie van de gemeente voor drie uur huishoudelijke hulp per week.",
        "Kan na de heupoperatie niet meer stofzuigen en de was doen.",
        (
            "De partner deed het huishouden en is opgenomen; meneer redt het niet alleen.",
            "man partner",
        ),
        "Hulp bij het schoonhouden van het huis; bukken en tillen lukken niet meer.",
    ],
    "dagbesteding": [
        "Dagbesteding twee dagen per week; de mantelzorger raakt overbelast.",
        (
            "Meneer zit de hele dag alleen thuis en wordt somber; structuur en gezelschap gewenst.",
            "man alone",
        ),
        (
            "Mevrouw zit de hele dag alleen thuis en wordt somber; structuur en gezelschap "
            "gewenst.",
            "woman alone",
        ),
        ("Beginnende dementie; de dochter zoekt een ontmoetingscentrum in de buurt.", "daughter"),
        "Beginnende dementie; de familie zoekt een ontmoetingscentrum in de buurt.",
        (
            "Na het overlijden van haar man weinig contacten; graag dagbesteding met een maaltijd.",
            "woman alone",
        ),
    ],
    "ggz-begeleiding": [
        "Begeleiding bij post en geldzaken; raakt het overzicht kwijt.",
        "Na opname in de GGZ-kliniek hulp bij de dagstructuur thuis.",
        "Angstklachten, komt de deur niet meer uit; de huisarts vraagt ambulante begeleiding.",
        "Somberheid en vereenzaming; praktische begeleiding en contact met de buurt gewenst.",
    ],
    "verpleeghuiszorg": [
        "Wlz-indicatie (VV5) afgegeven; thuis wonen is niet meer veilig.",
        (
            "Dwaalt 's nachts; de partner kan de zorg niet meer aan. Wlz-indicatie afgegeven.",
            "partner",
        ),
        "Na een CVA blijvend 24-uurszorg nodig; voorkeur voor een locatie in de buurt.",
        "Volledig pakket thuis (Wlz) zolang het kan, daarna opname; op de wachtlijst gewenst.",
    ],
}

CLOSED_REASONS = {
    "declined": [
        "Geen zorgvraag die bij ons past: de vraag is huishoudelijk en loopt via de Wmo.",
        "De zorg kan door de mantelzorgers en de huisarts worden opgevangen; geen indicatie.",
        "Voldoet niet aan de voorwaarden voor wijkverpleging: geen verpleegkundige zorg nodig.",
        "Zorgvraag te zwaar voor thuis; geadviseerd een Wlz-indicatie aan te vragen.",
    ],
    "withdrawn": [
        ("Cliënt ziet af van zorg: de dochter gaat de zorg zelf doen.", "daughter"),
        "De familie kiest voor een andere aanbieder met een kortere wachttijd.",
        "Cliënt is hersteld en heeft geen zorg meer nodig.",
        "Cliënt is opgenomen in het ziekenhuis; aanmelding ingetrokken.",
        ("Cliënt is verhuisd naar haar dochter in Zwolle.", "woman daughter"),
        ("Cliënt is verhuisd naar zijn dochter in Zwolle.", "man daughter"),
    ],
    "referred_elsewhere": [
        "Doorverwezen naar het sociaal wijkteam voor begeleiding.",
        "Specialistische zorg nodig; doorverwezen naar het transferpunt van het ziekenhuis.",
        "Past beter bij de GGZ-instelling in de regio; warme overdracht gedaan.",
        "Woont buiten ons werkgebied; doorverwezen naar de thuiszorg in Zeist.",
    ],
}

INTAKE_SUMMARIES = {
    "care_needed": [
        "Hulp bij de ADL 's ochtends en 's avonds; de mantelzorg blijft betrokken.",
        "Wondzorg drie keer per week; evaluatie na zes weken.",
        ("Medicatie aanreiken en toezicht; de dochter regelt de apotheek.", "daughter"),
        "Ondersteuning thuis nodig; doelen samen opgesteld en vastgelegd in het zorgplan.",
        "Begeleiding twee dagdelen per week; na drie maanden evalueren.",
    ],
    "no_care_needed": [
        "Redt zich met hulpmiddelen; geen zorg nodig. Tips voor valpreventie gegeven.",
        "Mantelzorg is voldoende; informatie over respijtzorg meegegeven.",
    ],
    "refer_elsewhere": [
        "De vraag ligt bij de gemeente (Wmo); doorverwezen naar het sociaal wijkteam.",
        "Specialistische GGZ nodig; met de huisarts afgestemd.",
    ],
}

BRIDGING_CARE = [
    "Wijkverpleging twee keer per week ter overbrugging.",
    ("De dochter en de buurvrouw vangen op; respijtzorg één dag per week.", "daughter"),
    "Tijdelijk thuiszorg van een andere aanbieder.",
    "Logeeropvang één weekend per maand.",
    "Personenalarmering en dagelijks telefonisch contact met het team.",
]

PRIORITY_REASONS = [
    "de mantelzorger is overbelast",
    "opnieuw gevallen, situatie thuis onveilig",
    "situatie thuis stabiel met overbruggingszorg",
]

# Wlz waiting lists are reported per care office; the teams' towns fall under these.
CARE_OFFICES = [
    ("ZK-UTR", "Zorgkantoor Utrecht"),
    ("ZK-AMF", "Zorgkantoor Amersfoort"),
    ("ZK-GOOI", "Zorgkantoor 't Gooi"),
]
CARE_OFFICE_OF_CITY = {
    "Utrecht": "ZK-UTR",
    "Nieuwegein": "ZK-UTR",
    "Amersfoort": "ZK-AMF",
    "Leusden": "ZK-AMF",
}

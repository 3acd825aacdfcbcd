"""The well-known demo clients and staff that the README, the tests and demos refer to.

Their numbers are fixed and kept out of the random pool, so a search for the
daughter's number finds her mother and nobody else.
"""

from datetime import UTC, date, datetime

from halte.clients.models import (
    Client,
    ClientStatus,
    PhoneLabel,
    Preference,
    PreferenceKind,
    Relation,
    RelationKind,
    Salutation,
)
from halte.core import bsn as bsn_codec
from halte.core.roles import Role
from halte.demo.clients.generate import Draft, row
from halte.demo.fit import FEMALE

HENDRIKA_BSN = "111222333"  # passes the 11-proef; a demo number, not a real person's
HENDRIKA_HOME = "+31334612345"  # 033 461 23 45
MARIEKE_MOBILE = "+31612345678"  # 06 12345678: Hendrika's daughter
BAKKER_HOME = "+31302345678"  # 030 234 56 78: shared by Kees and Jo Bakker
MULLER_MOBILE = "+31687650001"
RIET_HOME = "+31334940021"
YILMAZ_SON_MOBILE = "+31648220315"
GP_DE_LINDE = "+31334700100"
FIXED_PHONES = {
    HENDRIKA_HOME,
    MARIEKE_MOBILE,
    BAKKER_HOME,
    MULLER_MOBILE,
    RIET_HOME,
    YILMAZ_SON_MOBILE,
    GP_DE_LINDE,
}

# One login per role: (role, username, first name, last name, team key or None).
# The front office sees every client; its team only says whose team promises it
# answers for (the workplace's team queue).
LOGINS = [
    (Role.FRONT_OFFICE, "kcc", "Sanne", "de Jong", "amersfoort-zuid"),
    (Role.PLANNER, "planner", "Youssef", "Amrani", None),
    (Role.CARE_PROFESSIONAL, "wijkverpleegkundige", "Femke", "Visser", "amersfoort-zuid"),
    (Role.TEAM_LEAD, "teamleider", "Jeroen", "Smit", "amersfoort-zuid"),
    (Role.MANAGER, "manager", "Ellen", "Mulder", None),
    (Role.PRIVACY_OFFICER, "privacy", "Karin", "de Graaf", None),
    (Role.ADMINISTRATOR, "beheer", "Tom", "Kuipers", None),
]


def _client(number: int, team, **fields) -> Client:
    fields.setdefault("salutation", Salutation.MRS)
    client = Client(client_number=number, team=team, status=ClientStatus.IN_CARE, **fields)
    client.refresh_search_name()
    return client


def _pref(kind: str, text: str, noted_on: date, noted_by_id) -> dict:
    return row(Preference, kind=kind, text=text, noted_on=noted_on, noted_by_id=noted_by_id)


def fixed_drafts(first_number: int, teams: dict, nurse_id: int | None) -> list[Draft]:
    """The fixed clients, numbered from first_number, in this order."""
    n = iter(range(first_number, first_number + 100))
    hendrika = _client(
        next(n),
        teams["amersfoort-zuid"],
        given_names="Hendrika Johanna",
        preferred_name="Riek",
        name_prefix="van den",
        family_name="Berg",
        date_of_birth=date(1938, 3, 14),
        street="Utrechtseweg",
        house_number=112,
        postcode="3818EB",
        city="Amersfoort",
        what_matters=(
            "Ik wil zo lang mogelijk thuis blijven wonen, met mijn kat Minoes. "
            "Marieke komt elke zondag; zij moet alles weten wat ik vergeet te vertellen."
        ),
        what_matters_updated_at=datetime(2026, 9, 2, 10, 15, tzinfo=UTC),
        bsn_encrypted=bsn_codec.encrypt(HENDRIKA_BSN),
        bsn_hash=bsn_codec.lookup_hash(HENDRIKA_BSN),
    )
    kees = _client(
        next(n),
        teams["utrecht-overvecht"],
        given_names="Cornelis",
        preferred_name="Kees",
        family_name="Bakker",
        salutation=Salutation.MR,
        date_of_birth=date(1941, 7, 2),
        street="Zambesidreef",
        house_number=45,
        postcode="3562BD",
        city="Utrecht",
        what_matters="Ik wil bij Jo blijven. We zijn achtenvijftig jaar getrouwd.",
    )
    jo = _client(
        next(n),
        teams["utrecht-overvecht"],
        given_names="Johanna",
        preferred_name="Jo",
        family_name="Bakker",
        date_of_birth=date(1943, 11, 20),
        street="Zambesidreef",
        house_number=45,
        postcode="3562BD",
        city="Utrecht",
        what_matters="Kees vergeet steeds meer. Ik wil weten wie er komt en wanneer.",
    )
    muller = _client(
        next(n),
        teams["utrecht-zuilen"],
        given_names="Hans-Jürgen",
        family_name="Müller",
        salutation=Salutation.MR,
        date_of_birth=date(1947, 5, 9),
        street="Marnixlaan",
        house_number=8,
        house_number_suffix="bis",
        postcode="3552HB",
        city="Utrecht",
        language="de",
        what_matters="Ik ben in Keulen geboren, maar Utrecht is mijn thuis.",
    )
    riet = _client(
        next(n),
        teams["leusden"],
        given_names="Adrianus",
        preferred_name="Janus",
        name_prefix="van 't",
        family_name="Riet",
        salutation=Salutation.MR,
        date_of_birth=date(1932, 1, 23),
        street="Hamersveldseweg",
        house_number=3,
        postcode="3833GL",
        city="Leusden",
        what_matters="Mijn moestuin. Zolang ik die kan bijhouden, gaat het goed met me.",
    )
    yilmaz = _client(
        next(n),
        teams["nieuwegein"],
        given_names="Ayşe",
        family_name="Yılmaz",  # noqa: RUF001 - the Turkish dotless i is the point
        date_of_birth=date(1952, 6, 30),
        street="Batauweg",
        house_number=17,
        postcode="3435GA",
        city="Nieuwegein",
        language="tr",
        interpreter_needed=True,
        what_matters="Mijn kleinkinderen om me heen, en dat ik mijn gebed kan doen.",
    )
    de_wit = _client(
        next(n),
        teams["amersfoort-noord"],
        given_names="Geertruida",
        preferred_name="Truus",
        name_prefix="de",
        family_name="Wit",
        date_of_birth=date(1929, 10, 4),
        street="Kruiskamp",
        house_number=210,
        postcode="3815AK",
        city="Amersfoort",
    )
    de_wit.status = ClientStatus.DECEASED

    today = date(2026, 10, 1)
    drafts = [
        Draft(
            hendrika,
            phones=[(HENDRIKA_HOME, PhoneLabel.HOME)],
            relations=[
                (
                    row(
                        Relation,
                        name="Marieke de Vries",
                        kind=RelationKind.CHILD,
                        email="marieke.devries@ziggo.nl",
                        may_receive_information=True,
                        may_act_on_behalf=True,
                        emergency_contact=True,
                    ),
                    [(MARIEKE_MOBILE, PhoneLabel.MOBILE)],
                ),
                (
                    row(
                        Relation,
                        name="Huisartsenpraktijk De Linde (dr. A. Bakker)",
                        kind=RelationKind.GP,
                        may_receive_information=True,
                    ),
                    [(GP_DE_LINDE, PhoneLabel.WORK)],
                ),
            ],
            preferences=[
                _pref(PreferenceKind.LIKE, "Koffie met een koekje om tien uur", today, nurse_id),
                _pref(PreferenceKind.DISLIKE, "Haast", today, nurse_id),
                _pref(
                    PreferenceKind.DAILY_RHYTHM,
                    "Middagslaapje tussen 13 en 14 uur",
                    today,
                    nurse_id,
                ),
                _pref(
                    PreferenceKind.CULTURE_RELIGION,
                    "Protestants; bidt voor het eten",
                    today,
                    nurse_id,
                ),
                _pref(
                    PreferenceKind.COMMUNICATION,
                    "Slechthorend links: aan de rechterkant aanspreken",
                    today,
                    nurse_id,
                ),
            ],
        ),
        Draft(
            kees,
            phones=[(BAKKER_HOME, PhoneLabel.HOME)],
            relations=[
                (
                    row(
                        Relation,
                        name="Jo Bakker",
                        kind=RelationKind.PARTNER,
                        may_receive_information=True,
                        may_act_on_behalf=True,
                        emergency_contact=True,
                    ),
                    [(BAKKER_HOME, PhoneLabel.HOME)],
                ),
            ],
        ),
        Draft(
            jo,
            phones=[(BAKKER_HOME, PhoneLabel.HOME)],
            relations=[
                (
                    row(
                        Relation,
                        name="Kees Bakker",
                        kind=RelationKind.PARTNER,
                        may_receive_information=True,
                        emergency_contact=True,
                    ),
                    [(BAKKER_HOME, PhoneLabel.HOME)],
                ),
            ],
        ),
        Draft(
            muller,
            phones=[(MULLER_MOBILE, PhoneLabel.MOBILE)],
            preferences=[
                _pref(
                    PreferenceKind.COMMUNICATION,
                    "Spreekt Duits; verstaat Nederlands goed",
                    today,
                    nurse_id,
                ),
            ],
        ),
        Draft(riet, phones=[(RIET_HOME, PhoneLabel.HOME)]),
        Draft(
            yilmaz,
            relations=[
                (
                    row(
                        Relation,
                        name="Mehmet Yılmaz",  # noqa: RUF001 - Turkish spelling
                        kind=RelationKind.CHILD,
                        may_receive_information=True,
                        may_act_on_behalf=True,
                        emergency_contact=True,
                    ),
                    [(YILMAZ_SON_MOBILE, PhoneLabel.MOBILE)],
                ),
            ],
            preferences=[
                _pref(
                    PreferenceKind.CULTURE_RELIGION,
                    "Islamitisch; geen varkensvlees (helal)",
                    today,
                    nurse_id,
                ),
            ],
        ),
        Draft(de_wit),
    ]
    for draft in drafts:
        for relation, _ in draft.relations:
            if relation["name"] in _FAMILY_FEMALE:
                relation[FEMALE] = _FAMILY_FEMALE[relation["name"]]
    return drafts


# Who of the fixed clients' family is a woman, for the texts that speak of them.
_FAMILY_FEMALE = {
    "Marieke de Vries": True,
    "Jo Bakker": True,
    "Kees Bakker": False,
    "Mehmet Yılmaz": False,  # noqa: RUF001 - Turkish spelling
}


# Open promises to the fixed clients, due around the time of seeding so the workplace
# of `kcc` shows one overdue, one about to expire and some later: (index of the client
# in fixed_drafts, kind, description, owner username or None, owner team key or None,
# minutes from now until due). Negative minutes: overdue.
FIXED_PROMISES = [
    (0, "callback", "Marieke terugbellen over de nieuwe tijden van de wondzorg", "kcc", None, -25),
    (0, "visit", "Huisbezoek: steunkousen en wondje linker onderbeen", None, "amersfoort-zuid", 30),
    (1, "callback", "Jo Bakker terugbellen over dagbesteding voor Kees", "kcc", None, 20),
    (3, "send_information", "Folder over de eigen bijdrage in het Duits sturen", "kcc", None, 1440),
    (4, "visit", "Langsgaan om de valpreventie te bespreken", None, "leusden", 2 * 1440),
    (5, "callback", "Mehmet terugbellen; tolk Turks inplannen", None, "nieuwegein", -90),
]

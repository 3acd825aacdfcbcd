"""Pools of names, addresses and numbers, built once per run from Faker and texts.py.

Seeding a million clients cannot call Faker per field per client (it would take
hours); so Faker fills these pools once, and the generator draws from them with one
seeded `random.Random`, which keeps a run reproducible with `--seed`.
"""

import random
from dataclasses import dataclass

from faker import Faker
from faker.providers.person.nl_NL import Provider as NL_PERSON

from halte.core.text import NAME_PREFIXES
from halte.demo.clients import texts

# Words that start a Dutch surname's tussenvoegsel as Faker writes them.
_PREFIX_WORDS = NAME_PREFIXES | {"'t", "'s", "d'", "die", "uit"}
# Postcode letter pairs never issued (see core.postcode); and letters we draw from.
_FORBIDDEN_POSTCODE_LETTERS = {"SA", "SD", "SS"}
_POSTCODE_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


@dataclass(frozen=True)
class Area:
    """A district a team works in: its town, postcode numbers and landline area code."""

    key: str
    team: str
    location: str
    city: str
    postcode_numbers: tuple[int, ...]
    area_code: str  # without the trunk 0: "33" for Amersfoort


AREAS = [
    Area(
        "amersfoort-noord",
        "Wijkteam Amersfoort-Noord",
        "Amersfoort",
        "Amersfoort",
        (3813, 3814, 3815, 3816, 3824, 3825),
        "33",
    ),
    Area(
        "amersfoort-zuid",
        "Wijkteam Amersfoort-Zuid",
        "Amersfoort",
        "Amersfoort",
        (3811, 3812, 3817, 3818, 3819, 3822),
        "33",
    ),
    Area("leusden", "Wijkteam Leusden", "Amersfoort", "Leusden", (3831, 3832, 3833), "33"),
    Area(
        "utrecht-overvecht",
        "Wijkteam Utrecht-Overvecht",
        "Utrecht",
        "Utrecht",
        (3561, 3562, 3563, 3564),
        "30",
    ),
    Area(
        "utrecht-zuilen",
        "Wijkteam Utrecht-Zuilen",
        "Utrecht",
        "Utrecht",
        (3551, 3552, 3553, 3554),
        "30",
    ),
    Area(
        "nieuwegein",
        "Wijkteam Nieuwegein",
        "Utrecht",
        "Nieuwegein",
        (3431, 3432, 3433, 3434, 3435, 3437),
        "30",
    ),
]


def split_surname(name: str) -> tuple[str, str] | None:
    """'van 't Riet' -> ("van 't", "Riet"); None for names no Dutch client carries
    (Faker's list holds medieval nobles such as 'Gepa van Bourgondië')."""
    if "," in name:
        return None
    words = name.split()
    prefix = []
    while len(words) > 1 and words[0].lower() in _PREFIX_WORDS:
        prefix.append(words.pop(0).lower())
    family = " ".join(words)
    if " " in family:
        return None
    return " ".join(prefix), family


def dutch_surnames() -> list[tuple[str, str]]:
    pairs = [split_surname(name) for name in sorted(set(NL_PERSON.last_names))]
    return [pair for pair in pairs if pair]


def _unique(values) -> list[str]:
    return sorted(set(values))


class Pools:
    """Everything the generator draws from; built in well under a second."""

    def __init__(self, seed: int):
        nl = Faker("nl_NL")
        nl.seed_instance(seed)
        self.dutch_surnames = dutch_surnames()
        self.young_first_names = _unique(nl.first_name() for _ in range(400))
        self.foreign = {}
        for language, locale in (
            ("tr", "tr_TR"),
            ("pl", "pl_PL"),
            ("en", "en_GB"),
            ("de", "de_DE"),
        ):
            fake = Faker(locale)
            fake.seed_instance(seed)
            self.foreign[language] = (
                _unique(fake.last_name() for _ in range(300)),
                _unique(fake.first_name_female() for _ in range(150)),
                _unique(fake.first_name_male() for _ in range(150)),
            )
        self.foreign["ar"] = (texts.MOROCCAN_FAMILY, texts.MOROCCAN_FEMALE, texts.MOROCCAN_MALE)
        self.foreign["zh"] = (
            ["Chan", "Wong", "Cheung", "Lam", "Ng", "Li", "Leung", "Tang"],
            ["Mei Ling", "Siu Wah", "Yuk Lan", "Lai Fong"],
            ["Kwok Wai", "Chi Keung", "Wing Hong", "Man Kit"],
        )
        self.frisian_surnames = [
            ("", n)
            for n in (
                "Hoekstra",
                "Dijkstra",
                "Bosma",
                "Wiersma",
                "Postma",
                "Zijlstra",
                "Terpstra",
                "Hiemstra",
            )
        ]
        # Real streets per area, plus some from Faker so a million clients do not
        # all live on fifteen streets; each street lies in one postcode number.
        self.streets = {}
        for area in AREAS:
            names = texts.STREETS_BY_AREA[area.key] + _unique(nl.street_name() for _ in range(40))
            self.streets[area.key] = [
                (name, area.postcode_numbers[i % len(area.postcode_numbers)])
                for i, name in enumerate(names)
            ]


class Numbers:
    """Valid Dutch phone numbers in E.164, never one of the fixed demo numbers.

    Faker's nl_NL phone_number() yields numbers phonenumbers rejects, so these are
    built from the numbering plan: mobile 06-1 to 06-5 plus 7 digits; a landline is
    a two-digit area code (030, 033) plus 7 digits not starting with 0 or 1.
    """

    def __init__(self, rng: random.Random, reserved: set[str]):
        self.rng = rng
        self.reserved = reserved

    def _fresh(self, make) -> str:
        while True:
            number = make()
            if number not in self.reserved:
                return number

    def mobile(self) -> str:
        return self._fresh(lambda: f"+316{self.rng.randint(10_000_000, 59_999_999)}")

    def landline(self, area_code: str) -> str:
        return self._fresh(lambda: f"+31{area_code}{self.rng.randint(2_000_000, 8_999_999)}")


def postcode(rng: random.Random, number: int) -> str:
    while True:
        letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
        if letters not in _FORBIDDEN_POSTCODE_LETTERS:
            return f"{number}{letters}"

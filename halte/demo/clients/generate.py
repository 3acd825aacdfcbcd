"""One random, believable client with everything around them, as unsaved model objects.

The seeder saves drafts in batches; nothing here touches the database.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

from halte.clients.models import (
    AddressForm,
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
from halte.core.text import fold
from halte.demo.clients import texts
from halte.demo.clients.people import AREAS, Area, Numbers, Pools, postcode
from halte.demo.fit import FEMALE, facts_of, fitting, pick
from halte.demo.hours import office_moment

# Mostly Dutch, with the languages Dutch home care meets most.
LANGUAGES = ["nl", "tr", "ar", "pl", "en", "de", "zh", "fy"]
LANGUAGE_WEIGHTS = [870, 30, 30, 20, 15, 10, 5, 20]
_NEEDS_INTERPRETER = {"tr": 0.45, "ar": 0.45, "pl": 0.4, "zh": 0.5, "en": 0.05, "de": 0.05}
_HOUSE_SUFFIXES = ["A", "B", "bis", "-2", "hs", "I", "II", "C"]
_STATUSES = [ClientStatus.IN_CARE, ClientStatus.ENDED, ClientStatus.DECEASED, ClientStatus.PROSPECT]
_STATUS_WEIGHTS = [78, 9, 6, 7]
_GP_PRACTICES_PER_AREA = 12


_PREFERENCE_KINDS = list(PreferenceKind.values)
_DEFAULTS: dict = {}


def row(model, **values) -> dict:
    """An unsaved row as a dict of column values, defaults filled in.

    A million clients bring some nine million relations, phones and preferences;
    building Model instances for them took longer than inserting them.
    """
    if model not in _DEFAULTS:
        _DEFAULTS[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
    return {**_DEFAULTS[model], **values}


@dataclass
class Draft:
    client: Client
    phones: list[tuple[str, str]] = field(default_factory=list)
    # Relation rows (partners and children may carry fit.FEMALE) with their phones.
    relations: list[tuple[dict, list[tuple[str, str]]]] = field(default_factory=list)
    preferences: list[dict] = field(default_factory=list)  # Preference rows
    female: bool | None = None  # None: as the salutation says (see fit.facts_of)


class Generator:
    def __init__(
        self,
        *,
        seed: int,
        teams: dict,
        staff_ids: list[int],
        reserved_phones: set[str],
        used_bsn_hashes: set[str],
        today: date,
    ):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, reproducible, not secrets
        self.faker = Faker("nl_NL")
        self.faker.seed_instance(seed)
        self.pools = Pools(seed)
        self.numbers = Numbers(self.rng, reserved_phones)
        self.teams = teams  # area key -> Team
        self.staff_ids = staff_ids
        self.used_bsn_hashes = used_bsn_hashes
        self.today = today
        # A practice's number is shared by all its patients, as in real life.
        self.gp_practices = {
            area.key: [
                (name, self.numbers.landline(area.area_code))
                for name in self.rng.sample(texts.GP_PRACTICES, _GP_PRACTICES_PER_AREA)
            ]
            for area in AREAS
        }

    # -- the client ---------------------------------------------------------------

    def draft(self, client_number: int) -> Draft:
        rng = self.rng
        area = rng.choice(AREAS)
        language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        female = rng.random() < 0.62
        born = self._birth_date()
        status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
        given, preferred = self._given_names(language, female, born.year)
        prefix, family = self._surname(language)
        street, postcode_number = rng.choice(self.pools.streets[area.key])
        client = Client(
            client_number=client_number,
            given_names=given,
            preferred_name=preferred,
            name_prefix=prefix,
            family_name=family,
            salutation=self._salutation(female),
            address_form=AddressForm.INFORMAL
            if born.year > 1960 and rng.random() < 0.5
            else AddressForm.FORMAL,
            date_of_birth=born,
            email=self._email(given, family) if rng.random() < 0.12 else "",
            street=street,
            house_number=rng.randint(1, 220),
            house_number_suffix=rng.choice(_HOUSE_SUFFIXES) if rng.random() < 0.06 else "",
            postcode=postcode(rng, postcode_number),
            city=area.city,
            language=language,
            interpreter_needed=rng.random() < _NEEDS_INTERPRETER.get(language, 0.0),
            status=status,
            team=None
            if status == ClientStatus.PROSPECT and rng.random() < 0.5
            else self.teams[area.key],
        )
        self._maybe_bsn(client)
        client.refresh_search_name()
        draft = Draft(client, female=female)
        self._own_phones(draft, area)
        self._relations(draft, area, female, born)
        # After the relations: what the client says may speak of them.
        self._what_matters(draft, status)
        self._preferences(draft, status)
        return draft

    def _birth_date(self) -> date:
        rng = self.rng
        if rng.random() < 0.95:
            year = int(rng.triangular(1925, 1966, 1938))
        else:  # younger clients: disability care, GGZ
            year = rng.randint(1966, 1995)
        return date(year, 1, 1) + timedelta(days=rng.randrange(365))

    def _given_names(self, language: str, female: bool, year: int) -> tuple[str, str]:
        rng = self.rng
        if language in self.pools.foreign:
            _, women, men = self.pools.foreign[language]
            return rng.choice(women if female else men), ""
        if year >= 1952:
            return rng.choice(texts.FEMALE_MIDDLE if female else texts.MALE_MIDDLE), ""
        given, roepnaam = rng.choice(texts.FEMALE_ELDERLY if female else texts.MALE_ELDERLY)
        # Not every file records the roepnaam, even when people use it.
        return given, roepnaam if rng.random() < 0.8 else ""

    def _surname(self, language: str) -> tuple[str, str]:
        rng = self.rng
        if language in self.pools.foreign:
            return "", rng.choice(self.pools.foreign[language][0])
        if language == "fy" and rng.random() < 0.6:
            return rng.choice(self.pools.frisian_surnames)
        return rng.choice(self.pools.dutch_surnames)

    def _salutation(self, female: bool) -> str:
        if self.rng.random() < 0.02:
            return Salutation.NEUTRAL
        return Salutation.MRS if female else Salutation.MR

    def _email(self, given: str, family: str) -> str:
        initial = fold(given)[:1]
        local = f"{initial}.{fold(family).replace(' ', '')}"
        return f"{local}{self.rng.randint(1, 99)}@{self.rng.choice(texts.EMAIL_DOMAINS)}"

    def _maybe_bsn(self, client: Client) -> None:
        # Prospects often have no BSN on file yet; others mostly do.
        if self.rng.random() >= (0.3 if client.status == ClientStatus.PROSPECT else 0.75):
            return
        number = self.faker.ssn()
        digest = bsn_codec.lookup_hash(number)
        if digest in self.used_bsn_hashes:
            return
        self.used_bsn_hashes.add(digest)
        client.bsn_encrypted, client.bsn_hash = bsn_codec.encrypt(number), digest

    def _what_matters(self, draft: Draft, status: str) -> None:
        rng, client = self.rng, draft.client
        if rng.random() >= (0.4 if status == ClientStatus.PROSPECT else 0.8):
            return
        facts = facts_of(draft)
        themes = rng.sample(sorted(texts.WHAT_MATTERS), rng.choice([1, 2, 2, 3]))
        sentences = [pick(rng, texts.WHAT_MATTERS[theme], facts) for theme in themes]
        pet = rng.choice(texts.PET_NAMES)
        client.what_matters = " ".join(sentences).replace("Minoes", pet).replace("Bobby", pet)
        days_ago = rng.randrange(2, 720)
        client.what_matters_updated_at = office_moment(rng, self.today - timedelta(days=days_ago))

    # -- around the client --------------------------------------------------------

    def _own_phones(self, draft: Draft, area: Area) -> None:
        if self.rng.random() < 0.65:
            draft.phones.append((self.numbers.landline(area.area_code), PhoneLabel.HOME))
        if self.rng.random() < 0.55:
            draft.phones.append((self.numbers.mobile(), PhoneLabel.MOBILE))

    def _relations(self, draft: Draft, area: Area, female: bool, born: date) -> None:
        rng = self.rng
        age = self.today.year - born.year
        if rng.random() < (0.45 if age < 85 else 0.25):
            self._partner(draft, female)
        for index in range(rng.choices([0, 1, 2, 3], [15, 30, 35, 20])[0]):
            self._child(draft, first=index == 0)
        if rng.random() < 0.9:
            practice, number = rng.choice(self.gp_practices[area.key])
            _, doctor = rng.choice(self.pools.dutch_surnames)
            name = f"Huisartsenpraktijk {practice} (dr. {rng.choice('ABCDEGHJKMPRSTW')}. {doctor})"
            self._add(draft, name, RelationKind.GP, [(number, PhoneLabel.WORK)], info=True)
        if rng.random() < 0.2:
            kind = rng.choice([RelationKind.INFORMAL_CARER, RelationKind.NEIGHBOUR])
            name = self._person_name(rng.random() < 0.7, generation="middle")
            phone = (
                (self.numbers.landline(area.area_code), PhoneLabel.HOME)
                if rng.random() < 0.3
                else (self.numbers.mobile(), PhoneLabel.MOBILE)
            )
            self._add(draft, name, kind, [phone], info=kind == RelationKind.INFORMAL_CARER)
        if rng.random() < 0.08:
            person = self._person_name(rng.random() < 0.8, generation="young")
            name = f"{person} (casemanager dementie)"
            self._add(
                draft,
                name,
                RelationKind.CASE_MANAGER,
                [(self.numbers.mobile(), PhoneLabel.WORK)],
                info=True,
            )
        if rng.random() < 0.04:
            name = f"mr. {self._person_name(rng.random() < 0.5, generation='middle')} (mentor)"
            self._add(
                draft,
                name,
                RelationKind.LEGAL_REPRESENTATIVE,
                [(self.numbers.landline(area.area_code), PhoneLabel.WORK)],
                info=True,
                act=True,
            )

    def _partner(self, draft: Draft, client_female: bool) -> None:
        rng = self.rng
        client = draft.client
        home = [number for number, label in draft.phones if label == PhoneLabel.HOME]
        phones = (
            [(home[0], PhoneLabel.HOME)] if home else [(self.numbers.mobile(), PhoneLabel.MOBILE)]
        )
        partner_female = not client_female if rng.random() < 0.96 else client_female
        given = self._given(partner_female, generation="elderly")
        surname = " ".join(p for p in [client.name_prefix, client.family_name] if p)
        if rng.random() < 0.3:
            surname = self._dutch_surname()
        partner = self._add(
            draft,
            f"{given} {surname}",
            RelationKind.PARTNER,
            phones,
            info=True,
            act=rng.random() < 0.5,
            emergency=True,
        )
        partner[FEMALE] = partner_female

    def _child(self, draft: Draft, *, first: bool) -> None:
        rng = self.rng
        client = draft.client
        female = rng.random() < 0.55
        surname = " ".join(p for p in [client.name_prefix, client.family_name] if p)
        if female and rng.random() < 0.5:
            surname = self._dutch_surname()  # the name she uses since she married
        name = f"{self._given(female, generation='middle')} {surname}"
        phones = [(self.numbers.mobile(), PhoneLabel.MOBILE)]
        relation = self._add(
            draft,
            name,
            RelationKind.CHILD,
            phones,
            info=True,
            act=first and rng.random() < 0.4,
            emergency=first,
        )
        relation[FEMALE] = female
        if rng.random() < 0.5:
            relation["email"] = self._email(name.split()[0], surname)

    def _add(
        self, draft: Draft, name: str, kind: str, phones, *, info=False, act=False, emergency=False
    ) -> dict:
        relation = row(
            Relation,
            name=name[:150],
            kind=kind,
            may_receive_information=info,
            may_act_on_behalf=act,
            emergency_contact=emergency,
        )
        draft.relations.append((relation, phones))
        return relation

    def _given(self, female: bool, *, generation: str) -> str:
        if generation == "elderly":
            pool = texts.FEMALE_ELDERLY if female else texts.MALE_ELDERLY
            given, roepnaam = self.rng.choice(pool)
            return roepnaam or given.split()[0]
        if generation == "middle":
            return self.rng.choice(texts.FEMALE_MIDDLE if female else texts.MALE_MIDDLE)
        return self.rng.choice(self.pools.young_first_names)

    def _dutch_surname(self) -> str:
        return " ".join(p for p in self.rng.choice(self.pools.dutch_surnames) if p)

    def _person_name(self, female: bool, *, generation: str) -> str:
        return f"{self._given(female, generation=generation)} {self._dutch_surname()}"

    def _preferences(self, draft: Draft, status: str) -> None:
        rng = self.rng
        language = draft.client.language
        facts = facts_of(draft)
        count = rng.randint(0, 2) if status == ClientStatus.PROSPECT else rng.randint(1, 6)
        for _ in range(count):
            kind = rng.choice(_PREFERENCE_KINDS)
            text = pick(rng, texts.PREFERENCES[kind], facts)
            if kind == PreferenceKind.CULTURE_RELIGION and language in texts.CULTURE_BY_LANGUAGE:
                text = rng.choice(texts.CULTURE_BY_LANGUAGE[language])
            if kind == PreferenceKind.COMMUNICATION and language in texts.COMMUNICATION_BY_LANGUAGE:
                text = fitting(texts.COMMUNICATION_BY_LANGUAGE[language], facts)[0]
            if any(p["text"] == text for p in draft.preferences):
                continue
            draft.preferences.append(
                row(
                    Preference,
                    kind=kind,
                    text=text,
                    noted_on=self.today - timedelta(days=rng.randrange(1, 1100)),
                    noted_by_id=rng.choice(self.staff_ids) if self.staff_ids else None,
                )
            )

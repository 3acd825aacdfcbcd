"""Loading the demo organisation: locations, teams, staff, fixed and random clients.

Seeding writes no audit entries: it is not a person using client data but the
installation of sample data, and NEN 7513 logs access by users. It also bypasses
the services (which audit) and writes rows in bulk (see _FastWriter), which is why it
fills `search_name` itself (refresh_search_name); the FTS5 triggers keep the index.
"""

import random
import time
from base64 import b32decode
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker
from tqdm import tqdm

from halte.clients.models import CareNote, Client, Phone, Preference, Relation
from halte.contact.models import (
    Commitment,
    CommitmentAttempt,
    Interaction,
    ServiceLevelPolicy,
)
from halte.core import phone as phone_codec
from halte.core.models import Location, Team, User
from halte.core.roles import Role
from halte.core.text import fold
from halte.demo.clients.generate import Draft, Generator, row
from halte.demo.clients.people import AREAS
from halte.demo.contact.seeder import ContactSeeder, Staff
from halte.demo.fixed import FIXED_PHONES, FIXED_PROMISES, LOGINS, fixed_drafts
from halte.demo.hours import office_moment
from halte.demo.journey.seeder import JourneySeeder, JourneyStaff
from halte.demo.journey.texts import CARE_OFFICES
from halte.journey.models import (
    CareEpisode,
    CareOffice,
    CareProduct,
    Intake,
    JourneyEvent,
    JourneyPolicy,
    Referral,
    WaitingListEntry,
)

# Printed with the logins and documented in the README; it only ever guards demo data.
DEMO_PASSWORD = "halte-demo-2026"  # noqa: S105
# The demo shows the second factor on one login: the privacy officer has an
# authenticator app with this fixed, documented secret (base32 of b"Halte-demo-TOTP-2026").
# Type it into an authenticator app, or print the code of the moment with
# `manage.py demo_totp_code privacy`.
DEMO_TOTP_LOGIN = "privacy"
DEMO_TOTP_SECRET = "JBQWY5DFFVSGK3LPFVKE6VCQFUZDAMRW"  # noqa: S105
STAFF_EMAIL_DOMAIN = "demo.halte.nl"
# 40 staff in all: the seven fixed logins plus these, by role.
EXTRA_STAFF = {
    Role.FRONT_OFFICE: 5,
    Role.PLANNER: 3,
    Role.CARE_PROFESSIONAL: 19,
    Role.TEAM_LEAD: 5,
    Role.MANAGER: 1,
}
_BATCH = 2000
_FIRST_CLIENT_NUMBER = 100001  # services number from max + 1, starting after 100000
_PHONE_SAMPLE = 500
# Front-office extensions, `kcc` first: 201, 202, ...
_FIRST_EXTENSION = 201


@dataclass
class SeedResult:
    created: bool
    clients: int
    seconds: float


class SeedError(Exception):
    pass


def demo_exists() -> bool:
    return (
        User.objects.filter(username=LOGINS[0][1]).exists()
        and Team.objects.filter(name=AREAS[0].team).exists()
    )


def logins() -> list[tuple[str, str, str]]:
    """(role label, username, team) for each fixed demo login."""
    users = {u.username: u for u in User.objects.filter(username__in=[r[1] for r in LOGINS])}
    rows = []
    for role, username, *_ in LOGINS:
        user = users.get(username)
        team = ", ".join(t.name for t in user.teams.all()) if user else ""
        rows.append((str(Role(role).label), username, team))
    return rows


def seed(*, clients: int, seed: int, progress: bool = True) -> SeedResult:
    """Load the demo organisation with `clients` clients, the fixed ones among them.

    Returns at once (created=False) when the demo organisation is already there.
    """
    if demo_exists():
        return SeedResult(False, Client.objects.count(), 0.0)
    started = time.monotonic()
    with transaction.atomic():
        teams = _organisation()
        staff = _staff(teams, seed)
        nurse = User.objects.get(username="wijkverpleegkundige")
        first = _next_client_number()
        drafts = fixed_drafts(first, teams, nurse.pk)
        _check_phones(drafts)
        journeys = journey_seeder(seed)
        journeys.plan_fixed(drafts)
        _FastWriter().save(drafts)
        _care_notes(drafts[0].client, nurse)
        contacts = _contact_seeder(seed)
        contacts.add_fixed(drafts, _fixed_promises(teams))
        contacts.write()
        journeys.write()
    used_hashes = set(Client.objects.exclude(bsn_hash=None).values_list("bsn_hash", flat=True))
    generator = Generator(
        seed=seed,
        teams=teams,
        staff_ids=[u.pk for u in staff],
        reserved_phones=set(FIXED_PHONES),
        used_bsn_hashes=used_hashes,
        today=date.today(),
    )
    count = max(0, clients - len(drafts))
    bar = tqdm(
        total=len(drafts) + count,
        initial=len(drafts),
        unit="client",
        disable=not progress,
        smoothing=0.1,
    )
    _random_clients(generator, contacts, journeys, first + len(drafts), count, bar)
    bar.close()
    contacts.finish()
    journeys.finish()
    _tidy_indexes()
    # The count the progress bar ended on: the clients this seed loaded, fixed and random.
    return SeedResult(True, len(drafts) + count, time.monotonic() - started)


def _organisation() -> dict[str, Team]:
    locations = {
        name: Location.objects.get_or_create(name=name)[0]
        for name in sorted({area.location for area in AREAS})
    }
    # Each team a phone number and mailbox of its own: the messages name them.
    return {
        area.key: Team.objects.get_or_create(
            name=area.team,
            defaults={
                "location": locations[area.location],
                "phone": f"+31{area.area_code}{4612340 + number}",
                "email": f"{area.key}@halte.example",
            },
        )[0]
        for number, area in enumerate(AREAS)
    }


def _staff(teams: dict[str, Team], seed: int) -> list[User]:
    """The fixed logins and the other staff; returns the care professionals and leads."""
    # One hash for all: hashing 40 times with PBKDF2 would take most of a demo start.
    password = make_password(DEMO_PASSWORD)
    fixed = []
    for role, username, first, last, team_key in LOGINS:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            email=f"{username}@{STAFF_EMAIL_DOMAIN}",
            password=password,
        )
        validate_password(DEMO_PASSWORD, user)
        fixed.append((user, team_key))
    faker = Faker("nl_NL")
    faker.seed_instance(seed)
    extra, usernames = [], {u.username for u, _ in fixed}
    for role, count in EXTRA_STAFF.items():
        for index in range(count):
            first, last = faker.first_name(), faker.last_name()
            username = f"{fold(first)}.{fold(last).replace(' ', '')}"
            while username in usernames:
                username += "1"
            usernames.add(username)
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                role=role,
                email=f"{username}@{STAFF_EMAIL_DOMAIN}",
                password=password,
            )
            extra.append((user, _team_for(role, index)))
    everyone = fixed + extra
    User.objects.bulk_create([user for user, _ in everyone])
    saved = {u.username: u for u in User.objects.filter(email__endswith=f"@{STAFF_EMAIL_DOMAIN}")}
    User.teams.through.objects.bulk_create(
        User.teams.through(user_id=saved[user.username].pk, team_id=teams[key].pk)
        for user, key in everyone
        if key
    )
    _give_extensions(saved)
    _give_demo_second_factor(saved[DEMO_TOTP_LOGIN])
    carers = (Role.CARE_PROFESSIONAL, Role.TEAM_LEAD)
    return [saved[u.username] for u, key in everyone if key and u.role in carers]


def _give_extensions(saved: dict[str, User]) -> None:
    """The front office answers the phone: `kcc` at 201, the others from 202."""
    desk = sorted(
        (u for u in saved.values() if u.role == Role.FRONT_OFFICE),
        key=lambda u: (u.username != LOGINS[0][1], u.username),
    )
    for offset, user in enumerate(desk):
        user.phone_extension = str(_FIRST_EXTENSION + offset)
    User.objects.bulk_update(desk, ["phone_extension"])


def _give_demo_second_factor(user: User) -> None:
    TOTPDevice.objects.create(
        user=user,
        name="Authenticator-app (demo)",
        key=b32decode(DEMO_TOTP_SECRET).hex(),
        confirmed=True,
    )


def _team_for(role: str, index: int) -> str | None:
    """Care professionals and the front office spread over all teams (a desk agent's
    team is whose team promises they answer for); each extra team lead gets one of
    the teams the fixed team lead (Amersfoort-Zuid) does not lead."""
    keys = [area.key for area in AREAS]
    if role in (Role.CARE_PROFESSIONAL, Role.FRONT_OFFICE):
        return keys[index % len(keys)]
    if role == Role.TEAM_LEAD:
        others = [key for key in keys if key != LOGINS[3][4]]
        return others[index % len(others)]
    return None


def _next_client_number() -> int:
    highest = Client.objects.aggregate(highest=Max("client_number"))["highest"]
    return max(highest or 0, _FIRST_CLIENT_NUMBER - 1) + 1


def _care_notes(client: Client, author: User) -> None:
    notes = CareNote.objects.bulk_create(
        [
            CareNote(
                client=client,
                author=author,
                text="Steunkousen aangetrokken. Mevrouw had goed geslapen en was opgewekt.",
            ),
            CareNote(
                client=client,
                author=author,
                text="Wondje aan linker onderbeen schoongemaakt en verbonden; morgen nakijken.",
            ),
        ]
    )
    # Written on the last two visits, in office hours, not at the moment of seeding.
    rng = random.Random(client.client_number)  # noqa: S311 - demo data
    today = timezone.localdate()
    for days_ago, note in zip((2, 1), notes, strict=True):
        written = office_moment(rng, today - timedelta(days=days_ago))
        CareNote.objects.filter(pk=note.pk).update(created_at=written, updated_at=written)


def _contact_seeder(seed: int) -> ContactSeeder:
    desk = User.objects.filter(role=Role.FRONT_OFFICE, email__endswith=f"@{STAFF_EMAIL_DOMAIN}")
    front_office = sorted(desk, key=lambda u: u.phone_extension)
    care: dict[int, list[int]] = {}
    members = User.teams.through.objects.filter(
        user__role__in=[Role.CARE_PROFESSIONAL, Role.TEAM_LEAD],
        user__email__endswith=f"@{STAFF_EMAIL_DOMAIN}",
    ).order_by("team_id", "user_id")
    for team_id, user_id in members.values_list("team_id", "user_id"):
        care.setdefault(team_id, []).append(user_id)
    staff = Staff(
        front_office=[u.pk for u in front_office],
        care=care,
        extensions={u.pk: u.phone_extension for u in front_office},
    )
    policy = ServiceLevelPolicy.current()
    return ContactSeeder(
        seed=seed,
        now=timezone.now(),
        staff=staff,
        warn_before=timedelta(minutes=policy.warn_before_minutes),
        due_at=policy.due_at,
    )


def journey_seeder(seed: int, **limits) -> JourneySeeder:
    """The journey seeder for the demo staff; `limits` (queue_limit, open_limit) lift
    the caps for the benchmark."""
    demo_staff = User.objects.filter(email__endswith=f"@{STAFF_EMAIL_DOMAIN}")
    users = list(demo_staff.order_by("pk"))
    care: dict[int, list[int]] = {}
    members = User.teams.through.objects.filter(
        user__in=demo_staff, user__role=Role.CARE_PROFESSIONAL
    ).order_by("team_id", "user_id")
    for team_id, user_id in members.values_list("team_id", "user_id"):
        care.setdefault(team_id, []).append(user_id)
    staff = JourneyStaff(
        planners=[u.pk for u in users if u.role == Role.PLANNER],
        desk=[u.pk for u in users if u.role == Role.FRONT_OFFICE],
        care=care,
        names={u.pk: u.get_full_name() for u in users},
        logins={u.username: u.pk for u in users},
    )
    teams = {t.name: t.pk for t in Team.objects.filter(name__in=[a.team for a in AREAS])}
    offices = {
        code: CareOffice.objects.get_or_create(code=code, defaults={"name": name})[0].pk
        for code, name in CARE_OFFICES
    }
    return JourneySeeder(
        seed=seed,
        now=timezone.now(),
        staff=staff,
        products=list(CareProduct.objects.filter(active=True).order_by("pk")),
        care_offices=offices,
        team_of_postcode={n: teams[a.team] for a in AREAS for n in a.postcode_numbers},
        policy=JourneyPolicy.current(),
        office_hours=ServiceLevelPolicy.current().hours,
        **limits,
    )


def _fixed_promises(teams: dict[str, Team]) -> list[tuple]:
    users = {
        u.username: u.pk for u in User.objects.filter(username__in=[p[3] for p in FIXED_PROMISES])
    }
    return [
        (
            index,
            kind,
            description,
            users.get(username),
            teams[team].pk if team else None,
            timedelta(minutes=minutes),
        )
        for index, kind, description, username, team, minutes in FIXED_PROMISES
    ]


def _random_clients(
    generator: Generator,
    contacts: ContactSeeder,
    journeys: JourneySeeder,
    first: int,
    count: int,
    bar: tqdm,
) -> None:
    writer = _FastWriter()
    number, remaining, checked = first, count, False
    while remaining:
        size = min(_BATCH, remaining)
        drafts = [generator.draft(number + i) for i in range(size)]
        if not checked:
            _check_phones(drafts)
            checked = True
        # Before the clients are written: a journey sets the client's contact person.
        journeys.plan(drafts)
        with transaction.atomic():
            writer.save(drafts)
            contacts.add(drafts, count)
            contacts.write()
            journeys.write()
        number, remaining = number + size, remaining - size
        bar.update(size)
    writer.reset_sequences()


class _FastWriter:
    """Plain INSERTs (executemany) with ids we number ourselves.

    bulk_create spends most of a million-client load compiling SQL value by value
    (profiled: 60% of the time) and, on SQLite, is held to 999 parameters a
    statement; executemany with one prepared statement per table is about three
    times faster. Numbering ids here is safe because seeding is the only writer,
    and reset_sequences() tells PostgreSQL afterwards.
    """

    models = (Client, Relation, Phone, Preference)

    def __init__(self):
        self.next_id = {
            model: (model.objects.aggregate(high=Max("id"))["high"] or 0) + 1
            for model in self.models
        }
        self.sql, self.fields = {}, {}
        for model in self.models:
            fields = model._meta.concrete_fields
            names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            table = model._meta.db_table
            self.sql[model] = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            self.fields[model] = [f.attname for f in fields]

    def _number(self, model, objects) -> None:
        start = self.next_id[model]
        for offset, obj in enumerate(objects):
            if isinstance(obj, dict):
                obj["id"] = start + offset
            else:
                obj.pk = start + offset
        self.next_id[model] = start + len(objects)

    def _insert(self, model, objects, now) -> None:
        """One executemany per table; dates and datetimes adapted as Django would."""
        ops = connection.ops
        names = self.fields[model]
        stamps = [i for i, name in enumerate(names) if name in ("created_at", "updated_at")]
        kinds = [f.get_internal_type() for f in model._meta.concrete_fields]
        dates = [i for i, kind in enumerate(kinds) if kind == "DateField"]
        moments = [
            i
            for i, (name, kind) in enumerate(zip(names, kinds, strict=True))
            if kind == "DateTimeField" and i not in stamps
        ]
        rows = []
        for obj in objects:
            values = obj if isinstance(obj, dict) else obj.__dict__
            line = [values.get(name) for name in names]
            for i in stamps:
                line[i] = now
            for i in dates:
                line[i] = ops.adapt_datefield_value(line[i])
            for i in moments:
                line[i] = ops.adapt_datetimefield_value(line[i])
            rows.append(line)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql[model], rows)

    def save(self, drafts: list[Draft]) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        clients = [d.client for d in drafts]
        self._number(Client, clients)
        relations, phones, preferences = [], [], []
        for draft in drafts:
            client_id = draft.client.pk
            phones += [
                row(Phone, client_id=client_id, e164=e164, label=label)
                for e164, label in draft.phones
            ]
            for relation, _ in draft.relations:
                relation["client_id"] = client_id
                relations.append(relation)
            for preference in draft.preferences:
                preference["client_id"] = client_id
                preferences.append(preference)
        self._number(Relation, relations)
        for draft in drafts:
            phones += [
                row(
                    Phone,
                    client_id=draft.client.pk,
                    relation_id=relation["id"],
                    e164=e164,
                    label=label,
                )
                for relation, numbers in draft.relations
                for e164, label in numbers
            ]
        self._number(Phone, phones)
        self._number(Preference, preferences)
        for model, objects in (
            (Client, clients),
            (Relation, relations),
            (Phone, phones),
            (Preference, preferences),
        ):
            self._insert(model, objects, now)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _check_phones(drafts: list[Draft]) -> None:
    """Every number we make must be one the app itself accepts (core.phone)."""
    numbers = [e164 for d in drafts for e164, _ in d.phones]
    numbers += [e164 for d in drafts for _, phones in d.relations for e164, _ in phones]
    for e164 in numbers[:_PHONE_SAMPLE]:
        if phone_codec.try_normalize(e164) != e164:
            raise SeedError(f"Generated an invalid phone number: {e164}")


def _tidy_indexes() -> None:
    """After a bulk load: merge the FTS5 segments written batch by batch (SQLite), or
    give PostgreSQL's planner fresh statistics.

    No ANALYZE on SQLite: sqlite_stat1 cannot describe a skewed NULL share, and with
    it the planner serves `Phone(relation IS NULL, client_id=?)` (the client page)
    from the relation_id index, scanning every client's own numbers: 133 ms instead
    of 0.1 ms at a million clients. Its default estimates pick the right index.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO clients_client_fts(clients_client_fts) VALUES ('optimize')")
        else:
            cursor.execute("ANALYZE")


def flush() -> None:
    """Remove the demo organisation and every client, fast enough for a million.

    Raw deletes, children first: the ORM's cascade would load every row into memory.
    Data of other apps that still points at clients or staff makes this fail, so the
    database is never left half-consistent.
    """
    demo_staff = User.objects.filter(email__endswith=f"@{STAFF_EMAIL_DOMAIN}")
    with transaction.atomic(), connection.cursor() as cursor:
        journeys = (
            JourneyEvent,
            CareEpisode,
            WaitingListEntry,
            Intake.relatives_present.through,
            Intake,
            Referral,
        )
        tables = (
            *journeys,
            CommitmentAttempt,
            Commitment,
            Interaction,
            Phone,
            Preference,
            CareNote,
        )
        for model in (*tables, Relation, Client):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - our table names
        User.teams.through.objects.filter(user__in=demo_staff).delete()
        demo_staff.delete()
        Team.objects.filter(name__in=[a.team for a in AREAS]).delete()
        Location.objects.filter(name__in=[a.location for a in AREAS], teams=None).delete()

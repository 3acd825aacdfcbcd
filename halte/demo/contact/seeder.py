"""Demo contacts and promises, so the demo front office has a history and a queue.

Called by the client seeder (halte.demo.seed) batch by batch: each client
gets a few past contacts across channels, some of which led to a promise that was
kept (done, with the contact that kept it); a bounded number of clients get an open
promise due around the time of seeding (overdue, due soon, later), owned by a person
or a team. Rows are written with executemany and ids numbered here, like the client
seeder, and without audit entries: seeding is not someone reading client data.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import NamedTuple

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from halte.clients.models import ClientStatus, RelationKind
from halte.contact.models import (
    CallState,
    Channel,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    Direction,
    Interaction,
    InteractionOutcome,
    InteractionStatus,
)
from halte.demo.fit import facts_of, needs, relation_for
from halte.demo.hours import office_moment, office_moment_after, office_moment_before

# Past contacts per random client (0-3) and per fixed demo client.
CONTACTS_PER_CLIENT = [0, 1, 2, 3]
CONTACT_WEIGHTS = [50, 25, 15, 10]
FIXED_CONTACTS = 12
HISTORY_DAYS = 180
# A follow-up contact older than this led to a promise that has been kept since.
KEPT_AFTER_DAYS = 7
KEPT_SHARE = 0.6
# Open promises: this share of clients, but never more than OPEN_LIMIT in all, so a
# million clients do not bury the 40 demo staff in work.
OPEN_SHARE = 0.03
OPEN_LIMIT = 300


class ContactText(NamedTuple):
    channel: str
    direction: str
    topic: str
    summary: str
    outcome: str
    # What the text takes for true of the client (halte.demo.fit), and who
    # the contact is with when the text says so ("daughter", "son"; "": anyone).
    needs: str = ""
    caller: str = ""


CONTACT_TEXTS = [
    (
        Channel.PHONE,
        Direction.IN,
        "Vraag over de planning van de wondzorg",
        "Belt of de wondzorg morgen ook om 9 uur is. Planning nagekeken: ja, tussen 9 en 10.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.PHONE,
        Direction.IN,
        "Zorgmoment afzeggen",
        "Zegt de ochtendzorg van donderdag af: gaat mee naar de kinderen. Doorgegeven aan de "
        "planning.",
        InteractionOutcome.RESOLVED,
        "children",
    ),
    (
        Channel.PHONE,
        Direction.IN,
        "Andere tijd voor het douchen",
        "Wil liever 's avonds gedoucht worden. Kan niet direct; de planner belt terug.",
        InteractionOutcome.FOLLOW_UP,
    ),
    (
        Channel.PHONE,
        Direction.IN,
        "Zorgen over vergeetachtigheid",
        "Dochter maakt zich zorgen: moeder vergeet haar medicijnen. Wijkverpleegkundige komt "
        "langs.",
        InteractionOutcome.FOLLOW_UP,
        "woman daughter",
        "daughter",
    ),
    (
        Channel.PHONE,
        Direction.IN,
        "Zorgen over vergeetachtigheid",
        "Zoon maakt zich zorgen: vader vergeet zijn medicijnen. Wijkverpleegkundige komt langs.",
        InteractionOutcome.FOLLOW_UP,
        "man son",
        "son",
    ),
    (
        Channel.PHONE,
        Direction.OUT,
        "Terugbelverzoek afgehandeld",
        "Teruggebeld over de nieuwe tijden; akkoord met het voorstel.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.PHONE,
        Direction.OUT,
        "Bevestiging intakegesprek",
        "Afspraak voor het intakegesprek bevestigd, dinsdag om 14 uur.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.EMAIL,
        Direction.IN,
        "Vraag over de eigen bijdrage",
        "Vraagt per mail hoe de eigen bijdrage wordt berekend. Folder van het CAK nodig.",
        InteractionOutcome.FOLLOW_UP,
    ),
    (
        Channel.EMAIL,
        Direction.IN,
        "Vakantie doorgeven",
        "Is van 3 tot en met 17 augustus bij familie; geen zorg in die weken.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.EMAIL,
        Direction.OUT,
        "Informatie hulpmiddelen",
        "Brochure over de douchestoel en het aanvragen via de Wmo gemaild.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.LETTER,
        Direction.IN,
        "Klacht over wisselende zorgverleners",
        "Brief: elke dag een ander gezicht aan de deur. Doorgestuurd naar de teamleider.",
        InteractionOutcome.FOLLOW_UP,
    ),
    (
        Channel.LETTER,
        Direction.OUT,
        "Bevestiging zorgplan",
        "Het bijgestelde zorgplan per post verstuurd ter ondertekening.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.VISIT,
        Direction.OUT,
        "Evaluatie zorgplan",
        "Zorgplan samen doorgenomen; ondersteuning bij het aankleden blijft, douchen twee "
        "keer per week.",
        InteractionOutcome.RESOLVED,
    ),
    (
        Channel.VISIT,
        Direction.OUT,
        "Huisbezoek na val",
        "Gevallen in de badkamer, geen letsel. Valrisico besproken; ergotherapeut ingeschakeld.",
        InteractionOutcome.FOLLOW_UP,
    ),
    (
        Channel.WALK_IN,
        Direction.IN,
        "Sleutelkluisje",
        "Zoon kwam langs voor de code van het sleutelkluisje; na legitimatie gegeven.",
        InteractionOutcome.RESOLVED,
        "son",
        "son",
    ),
    (
        Channel.WALK_IN,
        Direction.IN,
        "Vraag over de alarmering",
        "Vraagt aan de balie hoe de personenalarmering werkt. Informatie wordt opgestuurd.",
        InteractionOutcome.FOLLOW_UP,
    ),
]

CONTACT_TEXTS = [ContactText(*text) for text in CONTACT_TEXTS]


class PromiseText(NamedTuple):
    kind: str
    description: str
    channel: str  # of the contact that keeps it
    needs: str = ""  # as ContactText
    caller: str = ""


PROMISE_TEXTS = [
    (CommitmentKind.CALLBACK, "Terugbellen over de planning", Channel.PHONE),
    (CommitmentKind.CALLBACK, "Terugbellen over een andere tijd voor de zorg", Channel.PHONE),
    (
        CommitmentKind.CALLBACK,
        "Dochter terugbellen na overleg met de wijkverpleging",
        Channel.PHONE,
        "daughter",
        "daughter",
    ),
    (
        CommitmentKind.SEND_INFORMATION,
        "Folder over de eigen bijdrage (CAK) opsturen",
        Channel.EMAIL,
    ),
    (CommitmentKind.SEND_INFORMATION, "Informatie over personenalarmering sturen", Channel.LETTER),
    (CommitmentKind.VISIT, "Huisbezoek voor een nieuwe indicatie", Channel.VISIT),
    (CommitmentKind.VISIT, "Langsgaan om de medicijnrol te bespreken", Channel.VISIT),
    (CommitmentKind.OTHER, "Klacht bespreken in het teamoverleg", Channel.PHONE),
]
PROMISE_TEXTS = [PromiseText(*text) for text in PROMISE_TEXTS]
_KEPT_SUMMARY = {
    Channel.PHONE: "Teruggebeld zoals afgesproken; vraag beantwoord.",
    Channel.EMAIL: "Informatie gemaild zoals toegezegd.",
    Channel.LETTER: "Informatie per post verstuurd zoals toegezegd.",
    Channel.VISIT: "Op huisbezoek geweest zoals afgesproken.",
}
# Roughly how long before its due time an open promise was made.
_MADE_BEFORE_DUE = {
    CommitmentKind.CALLBACK: timedelta(hours=4),
    CommitmentKind.SEND_INFORMATION: timedelta(days=2),
    CommitmentKind.VISIT: timedelta(days=5),
    CommitmentKind.OTHER: timedelta(days=2),
}
# Front-office channels are handled at the desk; visits by the care team.
_DESK_CHANNELS = {Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.WALK_IN}


@cache
def _fitting_contacts(facts: frozenset[str]) -> list[ContactText]:
    return [text for text in CONTACT_TEXTS if needs((text.topic, text.needs)) <= facts]


@dataclass
class Staff:
    front_office: list[int]  # user ids, the fixed `kcc` login first
    care: dict[int, list[int]]  # team id -> ids of its care professionals and leads
    extensions: dict[int, str]  # user id -> phone extension


@dataclass
class Person:
    """Who a contact can be with: the client or a relation, and their number."""

    relation_id: int | None
    e164: str


class ContactSeeder:
    def __init__(
        self,
        *,
        seed: int,
        now: datetime,
        staff: Staff,
        warn_before: timedelta,
        due_at: Callable[[str, datetime], datetime],
    ):
        # A generator of its own: the clients' generator must give the same clients
        # for the same seed whatever is seeded around them.
        self.rng = random.Random(f"contacts-{seed}")  # noqa: S311 - demo data
        self.now = now
        self.staff = staff
        self.warn_before = warn_before
        self.due_at = due_at  # the service-level policy's: due times fall in office hours
        self.kcc = staff.front_office[0]
        self.open_made = 0
        self.writer = _RowWriter((Interaction, Commitment))
        self.interactions: list[dict] = []
        self.commitments: list[dict] = []

    # -- the clients -------------------------------------------------------------

    def add_fixed(self, drafts, promises) -> None:
        """A long history for each fixed demo client, and the promises given (see
        fixed_promises in halte.demo.fixed): (index of the draft, kind,
        description, owner user id or None, owner team id or None, due in)."""
        for draft in drafts:
            self._history(draft, FIXED_CONTACTS)
        for index, kind, description, owner_user, owner_team, due_in in promises:
            self._open_promise(
                drafts[index], kind, description, owner_user, owner_team, self._due_in(due_in)
            )
        self._missed_calls(drafts[0])

    def _missed_calls(self, draft) -> None:
        """Two calls that rang at kcc's desk the last working day and were not answered,
        on kcc's list "still to write up": one from the first fixed client's people (a
        callback to make), one from a withheld number (to put aside)."""
        person = self._people(draft)[-1]
        for number, (client_id, relation_id, e164) in enumerate(
            [(draft.client.pk, person.relation_id, person.e164), (None, None, "")], start=1
        ):
            at = self._office_moment(1)
            call = {
                "id": None,
                "created_at": at,
                "updated_at": at,
                "client_id": client_id,
                "relation_id": relation_id,
                "channel": Channel.PHONE,
                "direction": Direction.IN,
                "topic": "",
                "summary": "",
                "outcome": "",
                "status": InteractionStatus.OPEN,
                "staff_id": self.kcc,
                "occurred_at": at,
                "call_id": f"demo-missed-{number}",
                "caller_e164": e164,
                "agent_extension": self.staff.extensions.get(self.kcc, ""),
                "call_state": CallState.ENDED,
                "answered_at": None,
                "ended_at": at + timedelta(seconds=40),
                "call_timed_out": False,
            }
            self.writer.number(Interaction, call)
            self.interactions.append(call)

    def add(self, drafts, total_clients: int) -> None:
        """A random history for a batch of random clients, and a share of open promises."""
        share = min(OPEN_SHARE, OPEN_LIMIT / max(total_clients, 1))
        for draft in drafts:
            self._history(draft, self.rng.choices(CONTACTS_PER_CLIENT, CONTACT_WEIGHTS)[0])
            # Drawn as before, so the rest of the demo stays as it was; nobody makes
            # promises about a client who has died.
            if (
                self.open_made < OPEN_LIMIT
                and self.rng.random() < share
                and draft.client.status != ClientStatus.DECEASED
            ):
                self._random_open_promise(draft)

    def write(self) -> None:
        self.writer.write(Interaction, self.interactions)
        self.writer.write(Commitment, self.commitments)
        self.interactions, self.commitments = [], []

    def finish(self) -> None:
        """After the last batch: PostgreSQL's sequences continue after our ids."""
        self.writer.reset_sequences()

    # -- history -----------------------------------------------------------------

    def _people(self, draft) -> list[Person]:
        people = [Person(None, e164) for e164, _ in draft.phones[:1]]
        for relation, numbers in draft.relations:
            if relation["kind"] != RelationKind.GP and numbers:
                people.append(Person(relation["id"], numbers[0][0]))
        return people or [Person(None, "")]

    def _person(self, draft, caller: str) -> Person:
        """Who a text is with: the relation it names ("daughter"), else anyone."""
        relation = relation_for(draft, caller) if caller else None
        if relation is not None:
            numbers = next(n for r, n in draft.relations if r is relation)
            return Person(relation["id"], numbers[0][0] if numbers else "")
        return self.rng.choice(self._people(draft))

    def _history(self, draft, count: int) -> None:
        fitting = _fitting_contacts(facts_of(draft))
        for _ in range(count):
            text = self.rng.choice(fitting)
            at = self._office_moment(self.rng.uniform(1, HISTORY_DAYS))
            person = self._person(draft, text.caller)
            contact = self._contact(
                draft, person, text.channel, text.direction, text.topic, text.summary,
                text.outcome, at,
            )  # fmt: skip
            if text.outcome == InteractionOutcome.FOLLOW_UP and self._can_be_kept(at):
                self._kept_promise(draft, person, contact)

    def _can_be_kept(self, at: datetime) -> bool:
        return self.now - at > timedelta(days=KEPT_AFTER_DAYS) and self.rng.random() < KEPT_SHARE

    def _office_moment(self, days_ago: float) -> datetime:
        """A moment in office hours on a working day about `days_ago` days back."""
        return office_moment(self.rng, (self.now - timedelta(days=days_ago)).date())

    def _promise_text(self, draft, person: Person | None = None) -> tuple:
        """(kind, description, channel, caller) of a promise that fits the client and,
        when given, the person it was made to."""
        facts = facts_of(draft)
        options = []
        for text in PROMISE_TEXTS:
            if not needs((text.description, text.needs)) <= facts:
                continue
            if person is not None and text.caller and self._person(draft, text.caller) != person:
                continue
            options.append((text.kind, text.description, text.channel, text.caller))
        return self.rng.choice(options)

    def _staff_for(self, draft, channel: str) -> int:
        team_staff = self.staff.care.get(draft.client.team_id)
        if channel in _DESK_CHANNELS or not team_staff:
            return self.rng.choice(self.staff.front_office)
        return self.rng.choice(team_staff)

    def _contact(self, draft, person, channel, direction, topic, summary, outcome, at) -> dict:
        staff_id = self._staff_for(draft, channel)
        phone = channel == Channel.PHONE
        contact = {
            "id": None,
            "created_at": at,
            "updated_at": at,
            "client_id": draft.client.pk,
            "relation_id": person.relation_id,
            "channel": channel,
            "direction": direction,
            "topic": topic,
            "summary": summary,
            "outcome": outcome,
            "status": InteractionStatus.COMPLETED,
            "staff_id": staff_id,
            "occurred_at": at,
            "call_id": None,
            "caller_e164": person.e164 if phone else "",
            "agent_extension": self.staff.extensions.get(staff_id, "") if phone else "",
            "call_state": CallState.ENDED if phone else "",
            "answered_at": at if phone else None,
            "ended_at": at + timedelta(minutes=4) if phone else None,
            "call_timed_out": False,
        }
        self.writer.number(Interaction, contact)
        self.interactions.append(contact)
        return contact

    # -- promises ----------------------------------------------------------------

    def _kept_promise(self, draft, person, origin: dict) -> None:
        kind, description, channel, _ = self._promise_text(draft, person)
        made = origin["occurred_at"] + timedelta(minutes=self.rng.randint(2, 15))
        due = self.due_at(kind, made)
        # Mostly in time; one in ten a little late, as in real life; in office hours.
        kept = made + (due - made) * self.rng.uniform(0.1, 1.3 if self.rng.random() < 0.1 else 0.9)
        kept = office_moment_after(self.rng, kept)
        if kept > self.now:
            kept = office_moment_before(self.rng, self.now - timedelta(minutes=5))
        direction = Direction.IN if channel == Channel.VISIT else Direction.OUT
        owner_user, owner_team = self._owner(draft)
        result = self._contact(
            draft,
            person,
            channel,
            direction,
            description,
            _KEPT_SUMMARY[channel],
            InteractionOutcome.RESOLVED,
            kept,
        )
        promise = self._promise(draft, person, kind, description, owner_user, owner_team, made)
        promise.update(
            due_at=due,
            origin_id=origin["id"],
            status=CommitmentStatus.DONE,
            completed_at=kept,
            completed_by_id=result["staff_id"],
            result_id=result["id"],
            updated_at=kept,
        )

    def _random_open_promise(self, draft) -> None:
        kind, description, _, caller = self._promise_text(draft)
        roll = self.rng.random()
        if roll < 0.15:  # overdue: from minutes to two days
            due_in = -timedelta(minutes=self.rng.randint(5, 2 * 24 * 60))
        elif roll < 0.3:  # within the policy's warning window
            due_in = self.warn_before * self.rng.uniform(0.1, 0.9)
        else:  # later: up to a week
            due_in = self.warn_before + timedelta(minutes=self.rng.randint(10, 7 * 24 * 60))
        owner_user, owner_team = self._owner(draft)
        person = self._person(draft, caller)
        self._open_promise(
            draft, kind, description, owner_user, owner_team, self._due_in(due_in), person
        )

    def _due_in(self, due_in: timedelta) -> datetime:
        """About `due_in` from now, in office hours, as the service-level calendar
        makes every due time (overdue ones stay in the past). A promise about to expire
        keeps its time, so that the workplace always has one to show."""
        due = self.now + due_in
        if timedelta(0) < due_in <= self.warn_before:
            return due
        if due < self.now:
            return office_moment_before(self.rng, due)
        return office_moment_after(self.rng, due)

    def _owner(self, draft) -> tuple[int | None, int | None]:
        """kcc often, the other desk staff, the client's team, or one of its carers."""
        roll = self.rng.random()
        team_id = draft.client.team_id
        if roll < 0.3 or team_id is None:
            return self.kcc, None
        if roll < 0.5:
            return self.rng.choice(self.staff.front_office), None
        if roll < 0.8 or not self.staff.care.get(team_id):
            return None, team_id
        return self.rng.choice(self.staff.care[team_id]), None

    def _open_promise(
        self, draft, kind, description, owner_user, owner_team, due, person=None
    ) -> None:
        """An open promise made in a call some hours (or days) before it falls due, in
        office hours (the last ones before seeding when it is evening or weekend)."""
        made = min(
            due - _MADE_BEFORE_DUE[kind], self.now - timedelta(minutes=self.rng.randint(5, 90))
        )
        made = office_moment_before(self.rng, made)
        if person is None:
            person = self._person_named(draft, description)
        origin = self._contact(
            draft,
            person,
            Channel.PHONE,
            Direction.IN,
            description,
            "Toegezegd in dit gesprek.",
            InteractionOutcome.FOLLOW_UP,
            made,
        )
        promise = self._promise(draft, person, kind, description, owner_user, owner_team, made)
        promise.update(due_at=due, origin_id=origin["id"], created_by_id=origin["staff_id"])
        self.open_made += 1

    def _person_named(self, draft, description: str) -> Person:
        """The relation a fixed promise names ("Marieke terugbellen ..."), else anyone."""
        words = set(description.split())
        for relation, numbers in draft.relations:
            if relation["name"].split()[0] in words and numbers:
                return Person(relation["id"], numbers[0][0])
        return self.rng.choice(self._people(draft))

    def _promise(self, draft, person, kind, description, owner_user, owner_team, made) -> dict:
        promise = {
            "id": None,
            "created_at": made,
            "updated_at": made,
            "client_id": draft.client.pk,
            "relation_id": person.relation_id,
            "kind": kind,
            "description": description,
            "owner_user_id": owner_user,
            "owner_team_id": owner_team,
            "due_at": self.due_at(kind, made),
            "status": CommitmentStatus.OPEN,
            "callback_e164": person.e164 if kind == CommitmentKind.CALLBACK else "",
            "created_by_id": self.rng.choice(self.staff.front_office),
            "origin_id": None,
            "completed_at": None,
            "completed_by_id": None,
            "result_id": None,
            "version": 1,
        }
        self.writer.number(Commitment, promise)
        self.commitments.append(promise)
        return promise


class _RowWriter:
    """executemany INSERTs of dict rows with ids numbered here (seeding is the only
    writer), as halte.demo.seed._FastWriter does for clients."""

    def __init__(self, models):
        self.next_id, self.sql, self.fields, self.moments = {}, {}, {}, {}
        for model in models:
            fields = model._meta.concrete_fields
            self.next_id[model] = (model.objects.aggregate(high=Max("id"))["high"] or 0) + 1
            names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            self.sql[model] = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608
            self.fields[model] = [f.attname for f in fields]
            self.moments[model] = [
                i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField"
            ]

    def number(self, model, values: dict) -> None:
        values["id"] = self.next_id[model]
        self.next_id[model] += 1

    def write(self, model, rows: list[dict]) -> None:
        adapt = connection.ops.adapt_datetimefield_value
        lines = []
        for values in rows:
            line = [values[name] for name in self.fields[model]]
            for i in self.moments[model]:
                line[i] = adapt(line[i])
            lines.append(line)
        if lines:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql[model], lines)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_id))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

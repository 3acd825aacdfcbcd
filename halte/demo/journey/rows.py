"""Demo journeys, the rows: one referral's story (its steps, at believable moments)
written out as the referral, its intake, waiting-list stay, care episode and events.

The planning (who gets which story) is in halte.demo.journey.seeder; this half turns a
story into rows, numbers their ids and writes them with executemany.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from halte.contact.models import Channel
from halte.demo.fit import pick
from halte.demo.hours import office_moment_after, office_moment_before
from halte.demo.journey import texts
from halte.journey.models import (
    CareEpisode,
    CareProduct,
    EndReason,
    EventKind,
    Intake,
    IntakeMode,
    IntakeOutcome,
    JourneyEvent,
    Priority,
    Referral,
    Stage,
    Urgency,
    WaitingListEntry,
    WaitingStatus,
)

_HOURS = [Decimal(h) for h in ("1.5", "2.0", "3.0", "3.5", "4.5", "6.0", "8.0", "10.5")]
_MODES = [IntakeMode.HOME_VISIT, IntakeMode.OFFICE, IntakeMode.PHONE, IntakeMode.VIDEO]
_STAGE_OF_STEP = {
    "received": Stage.RECEIVED,
    "contacted": Stage.CONTACTED,
    "intake_planned": Stage.INTAKE_PLANNED,
    "intake_done": Stage.INTAKE_DONE,
    "waiting": Stage.WAITING,
    "care_started": Stage.CARE_STARTED,
    "declined": Stage.DECLINED,
    "withdrawn": Stage.WITHDRAWN,
    "referred_elsewhere": Stage.REFERRED_ELSEWHERE,
}
_CLOSING = {
    "declined": EventKind.DECLINED,
    "withdrawn": EventKind.WITHDRAWN,
    "referred_elsewhere": EventKind.REFERRED_ELSEWHERE,
}
_DAY = datetime.timedelta(days=1)
_MINUTE = datetime.timedelta(minutes=1)


@dataclass
class Care:
    contact: int
    hours: Decimal | None = None
    starts_after: int | None = None  # days from the decision to the first care
    ended: tuple[datetime.date, str] | None = None  # (ended on, reason)


@dataclass
class Waiting:
    priority: int
    status: str
    bridging: str = ""
    left: str = ""  # left reason when the stay ended with the next step
    days: int = 0  # calendar days on the list (to the next step, or until today)
    missed_update: bool = False


@dataclass
class Story:
    """What one referral went through, before any id but its own is known."""

    path: list[str]
    end_day: datetime.date
    owner: int | None
    source: str = ""
    referrer: dict | None = None  # a Relation row of the client's draft
    question: str = ""
    outcome: str = ""
    held_by: int | None = None
    relatives: list[dict] = field(default_factory=list)
    waiting: Waiting | None = None
    care: Care | None = None
    reason: str = ""
    received_at: datetime.datetime | None = None
    planned_at: datetime.datetime | None = None
    facts: frozenset[str] = frozenset()  # of the client, for texts (demo.fit)


def _weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _back(day: datetime.date, working_days: int) -> datetime.date:
    weeks, rest = divmod(working_days, 5)
    day = _weekday(day) - 7 * weeks * _DAY
    for _ in range(rest):
        day = _weekday(day - _DAY)
    return day


def _forward(day: datetime.date, working_days: int) -> datetime.date:
    weeks, rest = divmod(working_days, 5)
    day += 7 * weeks * _DAY
    for _ in range(rest):
        day += _DAY
        while day.weekday() >= 5:
            day += _DAY
    return day


class StoryRows:
    """Turns stories into rows; JourneySeeder (halte.demo.journey.seeder) sets the state:
    rng, zone, now, today, staff, policy, hours, care_offices, labels, writer, rows."""

    def _moments(self, story: Story) -> list[datetime.datetime]:
        """One moment per step, each in office hours: working days apart (0: later the
        same day, or early the next working day), the last on story.end_day, none
        after now (then all move back by whole working days)."""
        rng = self.rng
        gaps = [0]
        for step in story.path[1:]:
            if step == "owner":
                gap = 0 if rng.random() < 0.8 else 1
            elif step in ("contacted", "intake_planned"):
                gap = rng.choice([0, 1, 1, 2])
            elif step == "intake_done":
                gap = rng.randint(2, 8)
            elif step == "waiting":
                gap = rng.randint(1, 4)
            elif story.path[-2] == "waiting":  # leaving the list
                gap = max(story.waiting.days * 5 // 7, 1)
            else:
                gap = rng.randint(1, 5)
            gaps.append(gap)
        day = _back(story.end_day, sum(gaps))
        moment = story.received_at or self._at(day, rng.randrange(510, 960))
        moments = [moment]
        for gap in gaps[1:]:
            if gap == 0:
                later = moment + datetime.timedelta(minutes=rng.randint(5, 90))
                moment = office_moment_after(rng, later)
            else:
                day = _forward(moment.date(), gap)
                moment = self._at(day, rng.randrange(510, 990))
            moments.append(moment)
        latest = self.now - datetime.timedelta(minutes=5)
        while moments[-1] > latest and story.received_at is None:
            moments = [self._day_before(m) for m in moments]
        return moments

    def _day_before(self, moment: datetime.datetime) -> datetime.datetime:
        """The same time of day, one working day earlier."""
        local = moment.astimezone(self.zone)
        return datetime.datetime.combine(_back(local.date(), 1), local.timetz())

    def _at(self, day: datetime.date, minute: int) -> datetime.datetime:
        return datetime.datetime(
            day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone
        )

    def referral(self, draft, product: CareProduct, story: Story) -> None:
        client, team_id, names = draft.client, draft.client.team_id, self.staff.names
        moments = self._moments(story)
        referral_id = self.writer.number(Referral)
        stage, stage_since = Stage.RECEIVED, moments[0]
        owner = story.owner
        events = self.rows[JourneyEvent]

        def event(kind, at, by, detail="", shared=False, episode=None):
            events.append({
                "id": self.writer.number(JourneyEvent), "client_id": client,
                "referral_id": referral_id, "episode_id": episode, "kind": kind, "at": at,
                "by_id": by, "detail": detail[:500], "shared_with_relatives": shared,
            })  # fmt: skip

        intake = entry = None
        for index, (step, at) in enumerate(zip(story.path, moments, strict=True)):
            if step in _STAGE_OF_STEP:
                stage, stage_since = _STAGE_OF_STEP[step], at
            if step == "received":
                taker = self.rng.choice(self.staff.desk) if owner is None else owner
                event(EventKind.REFERRAL_RECEIVED, at, taker, product.name, shared=True)
            elif step == "owner":
                event(EventKind.OWNER_ASSIGNED, at, owner, names[owner])
            elif step == "contacted":
                event(EventKind.CONTACTED, at, owner)
            elif step == "intake_planned":
                held = (
                    story.path[index + 1] == "intake_done" if index + 1 < len(story.path) else False
                )
                planned_at = moments[index + 1] if held else story.planned_at
                if planned_at is None:
                    later = _forward(at.date(), self.rng.randint(1, 6))
                    planned_at = self._at(later, self.rng.choice([600, 660, 840, 900]))
                intake = self._intake(referral_id, story, planned_at, at)
                when = planned_at.astimezone(self.zone).strftime("%d-%m-%Y %H:%M")
                event(EventKind.INTAKE_PLANNED, at, owner,
                      f"{when}, {names[story.held_by]}", shared=True)  # fmt: skip
            elif step == "intake_done":
                self._intake_held(intake, story, product, at)
                outcome = self.labels[IntakeOutcome][story.outcome]
                event(EventKind.INTAKE_DONE, at, story.held_by, outcome, shared=True)
            elif step == "waiting":
                until = moments[index + 1] if index + 1 < len(story.path) else None
                entry = self._entry(draft, referral_id, product, story, at, moments[0])
                status = self.labels[WaitingStatus][story.waiting.status]
                event(EventKind.WAITING, at, owner, f"{product.name}, {status}", shared=True)
                if story.waiting.bridging:
                    event(EventKind.BRIDGING_CARE, at, owner, story.waiting.bridging)
                self._updates(entry, story.waiting, at, until, event)
                if until is not None:
                    entry.update(left_on=until.date(), left_reason=story.waiting.left,
                                 updated_at=until)  # fmt: skip
            elif step == "care_started":
                episode = self._episode(draft, product, team_id, referral_id, at.date(),
                                        story.care)  # fmt: skip
                event(EventKind.CARE_STARTED, at, owner,
                      f"{product.name}, {names[story.care.contact]}", shared=True,
                      episode=episode["id"])  # fmt: skip
                if story.care.ended:
                    # Registered in office hours, on the day or the next working day.
                    ended = office_moment_after(self.rng, self._at(episode["ended_on"], 720))
                    if ended > self.now:
                        ended = office_moment_before(self.rng, self.now)
                    reason = self.labels[EndReason][episode["end_reason"]]
                    event(EventKind.CARE_ENDED, ended, owner, reason, shared=True,
                          episode=episode["id"])  # fmt: skip
            elif step in _CLOSING:
                event(_CLOSING[step], at, owner, story.reason, shared=True)
        self.rows[Referral].append({
            "id": referral_id, "created_at": moments[0], "updated_at": stage_since,
            "client_id": client, "source": story.source, "referrer_id": story.referrer,
            "product_id": product.pk, "team_id": team_id,
            "urgency": Urgency.URGENT if self.rng.random() < 0.08 else Urgency.REGULAR,
            "received_at": moments[0], "question": story.question, "owner_id": owner,
            "stage": stage, "stage_since": stage_since,
            "due_at": self._due(stage, stage_since, intake), "closed_reason": story.reason,
            "version": len(story.path),
        })  # fmt: skip

    def _closing(self, moment: datetime.datetime, working_days: int) -> datetime.datetime:
        """OfficeHours.closing_on_or_after on weekdays only: public holidays are left
        out of demo data (loading the holiday tables would cost a small demo a tenth
        of its time)."""
        day = moment.astimezone(self.zone).date()
        if day.weekday() >= 5:
            day, working_days = _forward(day, 1), max(working_days - 1, 0)
        return datetime.datetime.combine(
            _forward(day, working_days), self.hours.closes, tzinfo=self.zone
        )

    def _due(self, stage, since, intake) -> datetime.datetime | None:
        """As journey.services._due, with the policies read once."""
        days = {
            Stage.RECEIVED: self.policy.contact_within_days,
            Stage.CONTACTED: self.policy.plan_intake_within_days,
            Stage.INTAKE_DONE: self.policy.decide_within_days,
        }
        if stage == Stage.INTAKE_PLANNED:
            return self._closing(intake["planned_at"], 0)
        if stage in days:
            return self._closing(since, days[stage])
        return None

    def _intake(self, referral_id: int, story: Story, planned_at, made_at) -> dict:
        intake = {
            "id": self.writer.number(Intake), "created_at": made_at, "updated_at": made_at,
            "referral_id": referral_id, "planned_at": planned_at,
            "mode": self.rng.choices(_MODES, [70, 10, 10, 10])[0], "held_by_id": story.held_by,
            "held_at": None, "outcome": "", "indicated_product_id": None,
            "hours_per_week": None, "summary": "",
        }  # fmt: skip
        self.rows[Intake].append(intake)
        through = self.rows[Intake.relatives_present.through]
        for relative in story.relatives:
            through.append({
                "id": self.writer.number(Intake.relatives_present.through),
                "intake_id": intake["id"], "relation_id": relative,
            })  # fmt: skip
        return intake

    def _intake_held(self, intake: dict, story: Story, product, at) -> None:
        needed = story.outcome == IntakeOutcome.CARE_NEEDED
        hours = (story.care and story.care.hours) or self.rng.choice(_HOURS)
        intake.update(
            held_at=at, updated_at=at, outcome=story.outcome,
            indicated_product_id=product.pk if needed else None,
            hours_per_week=hours if needed else None,
            summary=pick(self.rng, texts.INTAKE_SUMMARIES[story.outcome], story.facts),
        )  # fmt: skip

    def _entry(self, draft, referral_id, product, story: Story, at, received_at) -> dict:
        waiting, client = story.waiting, draft.client
        office = None
        if product.is_wlz:
            code = texts.CARE_OFFICE_OF_CITY.get(client.city, "ZK-UTR")
            if self.rng.random() < 0.1:
                code = "ZK-GOOI"
            office = self.care_offices[code]
        since = at.date()
        entry = {
            "id": self.writer.number(WaitingListEntry), "created_at": at, "updated_at": at,
            "referral_id": referral_id, "client_id": client, "product_id": product.pk,
            "team_id": client.team_id, "care_office_id": office, "priority": waiting.priority,
            "status": waiting.status, "waiting_since": since,
            "norm_date": received_at.date() + product.norm_days * _DAY,
            "last_update_on": None,
            "next_update_due": since + self.policy.update_every_days * _DAY,
            "bridging_care": waiting.bridging, "left_on": None, "left_reason": "", "version": 1,
        }  # fmt: skip
        self.rows[WaitingListEntry].append(entry)
        return entry

    def _updates(self, entry: dict, waiting: Waiting, since, until, event) -> None:
        """An update to the client every policy interval, the last one sometimes missed
        (so some are due); a priority change now and then."""
        every = self.policy.update_every_days * _DAY
        end = until.date() if until else self.today
        days, day = [], since.date() + every
        while day < end:
            days.append(_weekday(day))
            day += every
        if days and until is None and waiting.missed_update:
            days.pop()
        # Told in the first update that the priority changed (from normal).
        changed = until is None and entry["priority"] != Priority.NORMAL and self.rng.random() < 0.3
        labels = self.labels[Priority]
        for day in days:
            channel = Channel.PHONE if self.rng.random() < 0.8 else Channel.EMAIL
            moment = self._at(day, self.rng.randrange(540, 900))
            event(EventKind.WAITING_UPDATE, moment, None, self.labels[Channel][channel],
                  shared=True)  # fmt: skip
            if changed:
                reason = self.rng.choice(texts.PRIORITY_REASONS)
                change = f"{labels[Priority.NORMAL]} → {labels[entry['priority']]}: {reason}"
                event(EventKind.PRIORITY_CHANGED, moment + 30 * _MINUTE, None, change)
                changed = False
        if days:
            entry["last_update_on"] = days[-1]
            entry["next_update_due"] = days[-1] + every
            entry["version"] += len(days)

    def _episode(self, draft, product, team_id, referral_id, day, care: Care) -> dict:
        rng = self.rng
        after = care.starts_after
        if after is None:
            after = rng.choice([0, 0, 1, 2, 3, 7]) if referral_id else 0
        starts_on = day + after * _DAY
        ended_on, reason = care.ended or (None, "")
        if ended_on is not None:
            ended_on = min(max(ended_on, starts_on), self.today)
        episode = {
            "id": self.writer.number(CareEpisode), "created_at": self._at(day, 600),
            "updated_at": self._at(day, 600), "client_id": draft.client,
            "referral_id": referral_id, "product_id": product.pk, "team_id": team_id,
            "contact_person_id": care.contact, "hours_per_week": care.hours or rng.choice(_HOURS),
            "starts_on": starts_on, "ended_on": ended_on, "end_reason": reason,
            "version": 2 if ended_on else 1,
        }  # fmt: skip
        self.rows[CareEpisode].append(episode)
        return episode


class RowWriter:
    """executemany INSERTs of dict rows with ids numbered here (seeding is the only
    writer), as halte.demo.contact.seeder does; client columns hold the client object and
    relation columns the relation's row until the clients are written."""

    _LATER = {"client_id": "pk", "referrer_id": "id", "relation_id": "id"}

    def __init__(self, models):
        self.models = models
        self.next_id, self.sql, self.fields, self.adapt, self.later = {}, {}, {}, {}, {}
        ops = connection.ops
        for model in models:
            fields = model._meta.concrete_fields
            self.next_id[model] = (model.objects.aggregate(high=Max("id"))["high"] or 0) + 1
            names = ", ".join(ops.quote_name(f.column) for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            self.sql[model] = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608
            self.fields[model] = [f.attname for f in fields]
            adapters = {
                "DateTimeField": ops.adapt_datetimefield_value,
                "DateField": ops.adapt_datefield_value,
            }
            self.adapt[model] = [
                (i, adapters[f.get_internal_type()])
                for i, f in enumerate(fields)
                if f.get_internal_type() in adapters
            ]
            self.later[model] = [
                (i, self._LATER[f.attname])
                for i, f in enumerate(fields)
                if f.attname in self._LATER
            ]

    def number(self, model) -> int:
        number = self.next_id[model]
        self.next_id[model] += 1
        return number

    def write(self, model, rows: list[dict]) -> None:
        lines = []
        for values in rows:
            line = [values[name] for name in self.fields[model]]
            for i, key in self.later[model]:
                value = line[i]
                if value is not None:
                    line[i] = value.pk if key == "pk" else value["id"]
            for i, adapt in self.adapt[model]:
                line[i] = adapt(line[i])
            lines.append(line)
        if lines:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql[model], lines)

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

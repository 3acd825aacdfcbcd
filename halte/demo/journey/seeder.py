"""Demo journeys: referrals in every stage, intakes, waiting lists with history, care.

Called by the client seeder (halte.demo.seed) batch by batch, in two steps:
`plan(drafts)` before the clients are written decides each client's journey and
sets what the client row says about it (the fixed contact person of running care,
the team a new client is referred to); `write()` after them inserts the rows.

Every client in care gets a running care episode whose contact person is a care
professional of the client's team (and the client's primary_contact); ended and
deceased clients an ended one. Care that started in the last half year (a share,
capped) comes with its referral, intake and, for most, a stay on the waiting list,
so every queue has outflow to estimate from; older care only with its episode.
Prospects are the referrals still open (every stage, capped in all), the waiting
(capped per queue) and the ones closed. Rows are written (halte.demo.journey.rows)
with executemany and ids numbered here, without audit entries, as
halte.demo.contact.seeder does.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation

from halte.clients.models import ClientStatus, RelationKind
from halte.contact.models import Channel
from halte.demo.fit import facts_of, pick
from halte.demo.hours import office_moment_before
from halte.demo.journey import texts
from halte.demo.journey.rows import (
    _DAY,
    _HOURS,
    Care,
    RowWriter,
    Story,
    StoryRows,
    Waiting,
    _back,
    _forward,
    _weekday,
)
from halte.journey.models import (
    CareEpisode,
    CareProduct,
    EndReason,
    Intake,
    IntakeOutcome,
    JourneyEvent,
    LeftReason,
    Priority,
    Referral,
    ReferralSource,
    WaitingListEntry,
    WaitingStatus,
)

# Open referrals before the waiting list (received ... intake done), in all; and
# clients waiting per queue (a product at a team). Bounded so that a million
# clients do not bury 40 staff; the benchmark builds its big queue with add_queue.
OPEN_LIMIT = 250
QUEUE_LIMIT = 40
# Each queue gets at least this many care starts from its list within the
# estimate's window before others are drawn at random.
MIN_OUTFLOW = 3
# Care that started in the last half year comes with its referral, intake and
# (mostly) a stay on the waiting list: this share of clients in care, at most
# RECENT_LIMIT in all. Older care has only its episode, as care from before the
# journey was recorded. Closed referrals of prospects: at most CLOSED_LIMIT.
RECENT_SHARE = 0.2
RECENT_DAYS = 182
RECENT_LIMIT = 3000
CLOSED_LIMIT = 1500
VIA_WAITING = 0.6  # share of care starts that went through the waiting list
SECOND_REFERRAL = 0.08  # share of clients in care waiting for more care
PRODUCT_WEIGHTS = {
    "wijkverpleging": 40,
    "huishoudelijke-hulp": 20,
    "specialistische-thuiszorg": 8,
    "dagbesteding": 12,
    "ggz-begeleiding": 8,
    "verpleeghuiszorg": 12,
}
_SOURCES = [
    ReferralSource.GP,
    ReferralSource.HOSPITAL,
    ReferralSource.RELATIVE,
    ReferralSource.SELF,
    ReferralSource.MUNICIPALITY,
    ReferralSource.OTHER_PROVIDER,
]
_SOURCE_WEIGHTS = {"zvw": [40, 30, 15, 10, 0, 5], "wmo": [20, 5, 25, 15, 35, 0]}
_SOURCE_WEIGHTS["wlz"] = _SOURCE_WEIGHTS["private"] = [25, 25, 35, 5, 0, 10]
_RELATIVES = {RelationKind.PARTNER, RelationKind.CHILD, RelationKind.INFORMAL_CARER}
_END_REASONS = [
    EndReason.RECOVERED,
    EndReason.MOVED,
    EndReason.OTHER_PROVIDER,
    EndReason.CLIENT_CHOICE,
    EndReason.OTHER,
]
# The open referrals take the stages in turn, so even a small demo has each.
_OPEN_KINDS = ["unowned", "received", "contacted", "intake_planned", "intake_done"]
_CLOSED_STAGES = ["withdrawn", "declined", "referred_elsewhere"]
# The first care starts of a demo fall in the current week (the planner's queue).
_STARTING_THIS_WEEK = 3


@dataclass
class JourneyStaff:
    planners: list[int]  # user ids of planners: the referrals' owners
    desk: list[int]  # front office: who takes a referral in
    care: dict[int, list[int]]  # team id -> its care professionals
    names: dict[int, str]  # user id -> full name
    logins: dict[str, int]  # username -> id, for the fixed demo logins


@dataclass
class Queue:
    open: int = 0
    recent_outflow: int = 0  # care starts from the list within the estimate's window
    # A fixed client who must stay at a known position: (waiting since, ahead still
    # to place). Others go behind them.
    fixed_since: datetime.date | None = None
    ahead: int = 0


class JourneySeeder(StoryRows):
    def __init__(
        self,
        *,
        seed: int,
        now: datetime.datetime,
        staff: JourneyStaff,
        products: list[CareProduct],
        care_offices: dict[str, int],
        team_of_postcode: dict[int, int],
        policy,
        office_hours,
        queue_limit: int | None = QUEUE_LIMIT,
        open_limit: int | None = OPEN_LIMIT,
    ):
        # A generator of its own, so the clients stay the same for the same seed.
        self.rng = random.Random(f"journeys-{seed}")  # noqa: S311 - demo data
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = now
        self.today = now.astimezone(self.zone).date()
        self.staff = staff
        self.products = {p.code: p for p in products}
        self.weights = [PRODUCT_WEIGHTS.get(p.code, 5) for p in products]
        self.care_offices = care_offices
        self.team_of_postcode = team_of_postcode
        self.policy = policy
        self.hours = office_hours
        self.window = datetime.timedelta(weeks=policy.outflow_weeks)
        self.queue_limit = queue_limit
        self.open_limit = open_limit
        self.open_made = self.recent_made = self.closed_made = self.starting_made = 0
        self.open_random = 0
        self.queues: dict[tuple[int, int], Queue] = {}
        self.writer = RowWriter(
            (Referral, Intake, Intake.relatives_present.through, WaitingListEntry,
             CareEpisode, JourneyEvent)
        )  # fmt: skip
        self.rows: dict = {model: [] for model in self.writer.models}
        # Event details read as the services write them, in Dutch: the demo is Dutch.
        with translation.override("nl"):
            self.labels = {
                choices: {choice.value: str(choice.label) for choice in choices}
                for choices in (IntakeOutcome, WaitingStatus, EndReason, Priority, Channel)
            }

    # -- the clients ---------------------------------------------------------------

    def plan(self, drafts) -> None:
        """Each random client's journey, by the status the client generator gave."""
        for draft in drafts:
            status = draft.client.status
            if status == ClientStatus.IN_CARE:
                self._in_care(draft)
            elif status in (ClientStatus.ENDED, ClientStatus.DECEASED):
                self._ended(draft)
            else:
                self._prospect(draft)

    def write(self) -> None:
        for model, rows in self.rows.items():
            self.writer.write(model, rows)
            rows.clear()

    def finish(self) -> None:
        """After the last batch: PostgreSQL's sequences continue after our ids."""
        self.writer.reset_sequences()

    def queue(self, product: CareProduct, team_id: int) -> Queue:
        return self.queues.setdefault((product.pk, team_id), Queue())

    def _in_care(self, draft) -> None:
        client, rng = draft.client, self.rng
        carers = self.staff.care.get(client.team_id)
        if not carers:
            return
        care = Care(contact=rng.choice(carers))
        client.primary_contact_id = care.contact
        recent = rng.random() < RECENT_SHARE and self.recent_made < RECENT_LIMIT
        days = rng.randint(0, RECENT_DAYS) if recent else rng.randint(RECENT_DAYS + 1, 3650)
        if recent and self.starting_made < _STARTING_THIS_WEEK:
            self.starting_made += 1
            monday = self.today - self.today.weekday() * _DAY
            days = (self.today - monday).days
            care.starts_after = rng.randint(0, 6)
        product, via_waiting = self._care_product(client.team_id, days)
        self.care(draft, product, care, days, via_waiting=via_waiting, full=recent)
        if rng.random() < SECOND_REFERRAL or self._ahead_needed(client.team_id):
            self._second_referral(draft, exclude=product)

    def _ended(self, draft) -> None:
        client, rng = draft.client, self.rng
        carers = self.staff.care.get(client.team_id)
        if not carers:
            return
        deceased = client.status == ClientStatus.DECEASED
        reason = EndReason.DECEASED if deceased else rng.choice(_END_REASONS)
        recent = rng.random() < RECENT_SHARE and self.recent_made < RECENT_LIMIT
        if recent:
            days = rng.randint(60, 2 * RECENT_DAYS)
            ended_days = rng.randint(3, days - 30)
        else:
            ended_days = rng.randint(3, 700)
            days = ended_days + rng.randint(30, 1500)
        product, via_waiting = self._care_product(client.team_id, days)
        care = Care(contact=rng.choice(carers), ended=(self.today - ended_days * _DAY, reason))
        self.care(draft, product, care, days, via_waiting=via_waiting, full=recent)

    def _prospect(self, draft) -> None:
        client, rng = draft.client, self.rng
        if client.team_id is None:
            # A new client belongs to the team the referral goes to, as in the services.
            number = int(client.postcode[:4]) if client.postcode else 0
            client.team_id = self.team_of_postcode.get(number)
        if not self.staff.care.get(client.team_id):
            return
        # The first prospects take each open stage and each way of closing in turn.
        if self.open_random < len(_OPEN_KINDS):
            self._open_referral(draft)
            return
        if self.closed_made < len(_CLOSED_STAGES):
            self._closed_referral(draft)
            return
        roll = rng.random()
        if roll < 0.45 and (self.open_limit is None or self.open_made < self.open_limit):
            self._open_referral(draft)
            return
        product = self._waiting_product(client.team_id) if roll < 0.75 else None
        if product is not None:
            self.wait(draft, product)
        elif self.closed_made < CLOSED_LIMIT:
            self._closed_referral(draft)

    def plan_fixed(self, drafts) -> None:
        """The fixed demo clients (halte.demo.fixed, in that order) each in a
        known place: Riek van den Berg in care with Femke Visser, Kees Bakker third in
        line for day care, Janus van 't Riet just referred and nobody's yet."""
        hendrika, kees, jo, muller, riet, yilmaz, de_wit = drafts
        offer, planner = self.products, self.staff.logins["planner"]
        nurse = self.staff.logins["wijkverpleegkundige"]

        def carer(draft) -> int:
            draft.client.primary_contact_id = self.staff.care[draft.client.team_id][0]
            return draft.client.primary_contact_id

        def relation(draft, name: str) -> dict:
            return next(r for r, _ in draft.relations if r["name"] == name)

        hendrika.client.primary_contact_id = nurse
        self.care(
            hendrika, offer["wijkverpleging"], Care(nurse, Decimal("3.5")), 400,
            via_waiting=False, owner=planner, source=ReferralSource.HOSPITAL, referrer=None,
            held_by=nurse, relatives=[relation(hendrika, "Marieke de Vries")],
            question="Ontslag uit Meander MC na een heupoperatie: hulp bij de steunkousen en "
            "wondzorg aan het linker onderbeen.",
        )  # fmt: skip
        self.care(kees, offer["wijkverpleging"], Care(carer(kees)), 900, via_waiting=False,
                  full=False)  # fmt: skip
        jo_bakker = relation(kees, "Jo Bakker")
        waiting = Waiting(
            Priority.NORMAL, WaitingStatus.ACTIVE,
            "Ontmoetingscentrum Overvecht, één ochtend per week.", days=40,
        )  # fmt: skip
        self.wait(
            kees, offer["dagbesteding"], waiting=waiting, owner=planner,
            source=ReferralSource.RELATIVE, referrer=jo_bakker, relatives=[jo_bakker],
            question="Dagbesteding voor Kees, drie dagen per week: hij vergeet steeds meer en "
            "Jo heeft rust nodig.",
        )  # fmt: skip
        queue = self.queue(offer["dagbesteding"], kees.client.team_id)
        queue.fixed_since, queue.ahead = self.today - waiting.days * _DAY, 2
        self.care(jo, offer["huishoudelijke-hulp"], Care(carer(jo)), 1100, via_waiting=False,
                  full=False)  # fmt: skip
        self.care(muller, offer["wijkverpleging"], Care(carer(muller)), 150, via_waiting=True,
                  source=ReferralSource.GP, referrer=None)  # fmt: skip
        self.care(riet, offer["huishoudelijke-hulp"], Care(carer(riet)), 800, via_waiting=False,
                  full=False)  # fmt: skip
        question = "Gevallen in de moestuin: wondzorg aan de onderarm en hulp bij het douchen."
        self.open_made += 1
        self.referral(riet, offer["wijkverpleging"], self._story(
            riet, offer["wijkverpleging"], ["received"], self.today, owner=None,
            source=ReferralSource.GP, referrer=None, question=question,
            # Just referred: the last office moment at least 40 minutes before seeding.
            received_at=office_moment_before(
                self.rng, self.now - datetime.timedelta(minutes=40)
            ),
        ))  # fmt: skip
        self.care(yilmaz, offer["wijkverpleging"], Care(carer(yilmaz)), 600, via_waiting=False)
        mehmet = relation(yilmaz, "Mehmet Yılmaz")  # noqa: RUF001 - Turkish spelling
        self.open_made += 1
        path = ["received", "owner", "contacted", "intake_planned"]
        self.referral(yilmaz, offer["huishoudelijke-hulp"], self._story(
            yilmaz, offer["huishoudelijke-hulp"], path, _back(self.today, 1), owner=planner,
            source=ReferralSource.RELATIVE, referrer=mehmet, relatives=[mehmet],
            question="Zoon Mehmet vraagt hulp in het huishouden; tolk Turks nodig bij de intake.",
            planned_at=self._at(_forward(self.today, 3), 840),
        ))  # fmt: skip
        ended = (self.today - 120 * _DAY, EndReason.DECEASED)
        self.care(de_wit, offer["wijkverpleging"], Care(carer(de_wit), ended=ended), 1000,
                  via_waiting=False, full=False)  # fmt: skip
        de_wit.client.primary_contact_id = None

    def add_queue(self, drafts, product: CareProduct, team_id: int, *, outflow: int) -> None:
        """One long queue for the benchmark: every draft waits for `product` at the team,
        after `outflow` clients (the first drafts) left it for care over half a year."""
        carers = self.staff.care[team_id]
        for index, draft in enumerate(drafts):
            draft.client.team_id = team_id
            if index < outflow:
                days = self.rng.randint(0, 182)
                care = Care(self.rng.choice(carers))
                self.care(draft, product, care, days, via_waiting=True)
            else:
                self.wait(draft, product)

    # -- choosing --------------------------------------------------------------------

    def _weighted_product(self, products=None) -> CareProduct:
        if products is None:
            return self.rng.choices(list(self.products.values()), self.weights)[0]
        weights = [PRODUCT_WEIGHTS.get(p.code, 5) for p in products]
        return self.rng.choices(products, weights)[0]

    def _care_product(self, team_id: int, days: int) -> tuple[CareProduct, bool]:
        """The product of care that started `days` ago, and whether it came through the
        waiting list. Recent starts first fill the queues short of outflow."""
        if days * _DAY < self.window:
            short = [
                (not q.fixed_since, q.recent_outflow, p.pk, p)
                for p in self.products.values()
                if (q := self.queue(p, team_id)).recent_outflow < MIN_OUTFLOW
            ]
            if short:
                return min(short)[3], True
        return self._weighted_product(), self.rng.random() < VIA_WAITING

    def _waiting_product(self, team_id: int, exclude=None) -> CareProduct | None:
        """A queue of the team with room and outflow to estimate from."""
        room = [
            p
            for p in self.products.values()
            if p != exclude
            and (q := self.queue(p, team_id)).recent_outflow
            and (self.queue_limit is None or q.open < self.queue_limit)
        ]
        return self._weighted_product(room) if room else None

    def _ahead_needed(self, team_id: int) -> CareProduct | None:
        for product in self.products.values():
            if self.queue(product, team_id).ahead:
                return product
        return None

    def _second_referral(self, draft, exclude) -> None:
        team_id = draft.client.team_id
        ahead = self._ahead_needed(team_id)
        if ahead is not None and ahead != exclude:
            queue = self.queue(ahead, team_id)
            queue.ahead -= 1
            days = (self.today - queue.fixed_since).days + self.rng.randint(3, 40)
            waiting = Waiting(Priority.NORMAL, WaitingStatus.ACTIVE, days=days)
            self.wait(draft, ahead, waiting=waiting)
            return
        product = self._waiting_product(team_id, exclude=exclude)
        if product is not None:
            self.wait(draft, product)

    def _waiting(self, draft, product: CareProduct, days: int) -> Waiting:
        rng = self.rng
        priority = rng.choices([Priority.HIGH, Priority.NORMAL, Priority.LOW], [15, 70, 15])[0]
        if product.is_wlz:
            statuses = [
                WaitingStatus.URGENT,
                WaitingStatus.ACTIVE_PLACEMENT,
                WaitingStatus.WAITING_FOR_PREFERENCE,
                WaitingStatus.PRECAUTIONARY,
            ]
            status = rng.choices(statuses, [8, 50, 27, 15])[0]
        else:
            status = rng.choices([WaitingStatus.ACTIVE, WaitingStatus.NON_ACTIVE], [85, 15])[0]
        bridging = pick(rng, texts.BRIDGING_CARE, facts_of(draft)) if rng.random() < 0.25 else ""
        return Waiting(priority, status, bridging, days=days, missed_update=rng.random() < 0.25)

    # -- the stories -----------------------------------------------------------------

    def _story(self, draft, product, path, end_day, **fields) -> Story:
        rng = self.rng
        story = Story(path, end_day, fields.pop("owner", rng.choice(self.staff.planners)))
        source = rng.choices(_SOURCES, _SOURCE_WEIGHTS[product.financing])[0]
        if source in (ReferralSource.GP, ReferralSource.RELATIVE):
            kinds = {RelationKind.GP} if source == ReferralSource.GP else _RELATIVES
            people = [r for r, _ in draft.relations if r["kind"] in kinds]
            story.referrer = rng.choice(people) if people else None
            if story.referrer is None and source == ReferralSource.RELATIVE:
                source = ReferralSource.SELF
        story.source = source
        story.facts = facts_of(draft)
        story.question = pick(
            rng, texts.QUESTIONS.get(product.code, texts.QUESTIONS["wijkverpleging"]), story.facts
        )
        if "intake_planned" in path:
            story.held_by = rng.choice(self.staff.care[draft.client.team_id])
            relatives = [r for r, _ in draft.relations if r["kind"] in _RELATIVES]
            if relatives and rng.random() < 0.55:
                story.relatives = [rng.choice(relatives)]
        for name, value in fields.items():
            setattr(story, name, value)
        return story

    def care(
        self, draft, product, care: Care, days: int, *, via_waiting: bool, full=True, **fields
    ) -> None:
        """Care that started `days` ago: in full, with its referral, or only the episode."""
        day = _weekday(self.today - days * _DAY)
        if not full:
            self._episode(draft, product, draft.client.team_id, None, day, care)
            return
        self.recent_made += 1
        path = ["received", "owner", "contacted", "intake_planned", "intake_done"]
        waiting = None
        if via_waiting:
            waiting = self._waiting(draft, product, self.rng.randint(7, product.norm_days * 2))
            waiting.status = (
                WaitingStatus.ACTIVE_PLACEMENT if product.is_wlz else WaitingStatus.ACTIVE
            )
            waiting.left = LeftReason.CARE_STARTED
            path.append("waiting")
            if day + self.window > self.today:
                self.queue(product, draft.client.team_id).recent_outflow += 1
        path.append("care_started")
        care.hours = care.hours or self.rng.choice(_HOURS)
        story = self._story(
            draft, product, path, day, outcome=IntakeOutcome.CARE_NEEDED, waiting=waiting,
            care=care, **fields,
        )  # fmt: skip
        self.referral(draft, product, story)

    def wait(self, draft, product, *, waiting: Waiting | None = None, **fields) -> None:
        """On the list today, placed some days ago."""
        queue = self.queue(product, draft.client.team_id)
        if waiting is None:
            days = self.rng.randint(1, int(product.norm_days * 1.1))
            waiting = self._waiting(draft, product, days)
            if queue.fixed_since is not None:
                # Behind the fixed client: never high, and if normal, later.
                waiting.priority = max(waiting.priority, Priority.NORMAL)
                if waiting.priority == Priority.NORMAL:
                    waiting.days = self.rng.randint(
                        0, max((self.today - queue.fixed_since).days - 1, 0)
                    )
        queue.open += 1
        day = _weekday(self.today - waiting.days * _DAY)
        waiting.days = (self.today - day).days
        path = ["received", "owner", "contacted", "intake_planned", "intake_done", "waiting"]
        story = self._story(
            draft, product, path, day, outcome=IntakeOutcome.CARE_NEEDED, waiting=waiting,
            **fields,
        )  # fmt: skip
        self.referral(draft, product, story)

    def _open_referral(self, draft) -> None:
        rng = self.rng
        product = self._weighted_product()
        kind = _OPEN_KINDS[self.open_random % len(_OPEN_KINDS)]
        self.open_random += 1
        full = ["received", "owner", "contacted", "intake_planned", "intake_done"]
        path = ["received"] if kind == "unowned" else full[: full.index(kind) + 1]
        if kind == "received":
            path = ["received", "owner"]
        end_day = _back(self.today, rng.randint(0, 4))
        owner = None if kind == "unowned" else rng.choice(self.staff.planners)
        outcome = IntakeOutcome.CARE_NEEDED if kind == "intake_done" else ""
        self.open_made += 1
        self.referral(draft, product, self._story(draft, product, path, end_day, owner=owner,
                                                   outcome=outcome))  # fmt: skip

    def _closed_referral(self, draft) -> None:
        rng = self.rng
        stage = _CLOSED_STAGES[self.closed_made % len(_CLOSED_STAGES)]
        self.closed_made += 1
        product = self._weighted_product()
        to_intake = ["received", "owner", "contacted", "intake_planned"]
        outcome, waiting = "", None
        if stage == "declined":
            path = ["received", "owner", "contacted"]
            if rng.random() < 0.5:
                path, outcome = [*to_intake, "intake_done"], IntakeOutcome.NO_CARE_NEEDED
        elif stage == "withdrawn":
            path = to_intake
            if rng.random() < 0.5:
                path, outcome = [*to_intake, "intake_done", "waiting"], IntakeOutcome.CARE_NEEDED
                waiting = self._waiting(draft, product, rng.randint(10, 90))
                waiting.left = LeftReason.WITHDRAWN
        else:
            path = ["received", "owner"]
            if rng.random() < 0.6:
                path, outcome = [*to_intake, "intake_done"], IntakeOutcome.REFER_ELSEWHERE
        path = [*path, stage]
        end_day = _back(self.today, rng.randint(2, 260))
        reason = pick(rng, texts.CLOSED_REASONS[stage], facts_of(draft))
        story = self._story(draft, product, path, end_day, outcome=outcome, waiting=waiting,
                            reason=reason)  # fmt: skip
        self.referral(draft, product, story)

"""A client's journeys, one per care question, as the pages and the API show them.

A client may be in care for one thing and wait for another (Kees Bakker: in care for
wijkverpleging, waiting for dagbesteding). Each care question is one track: a
referral with its waiting place and care, or care recorded without a referral (care
from before Halte kept the journey). The reads are in halte.journey.queries; this
module turns the rows it read into tracks and bars, without queries of its own.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext

from halte.journey.models import CareEpisode, CareProduct, EventKind, JourneyEvent, Referral

# Which stop of the journey bar each step belongs to; steps not listed (owner
# assigned, priority changed, ...) happen within a stop.
STOPS = ("referral", "intake", "waiting", "care", "end")
_STOP_OF = {
    EventKind.REFERRAL_RECEIVED: "referral",
    EventKind.CONTACTED: "referral",
    EventKind.INTAKE_PLANNED: "intake",
    EventKind.INTAKE_DONE: "intake",
    EventKind.WAITING: "waiting",
    EventKind.CARE_STARTED: "care",
    EventKind.CARE_ENDED: "end",
    EventKind.DECLINED: "end",
    EventKind.WITHDRAWN: "end",
    EventKind.REFERRED_ELSEWHERE: "end",
}


@dataclass(frozen=True)
class Stop:
    name: str
    # "done", "current", "skipped", "ahead", or "unrecorded" (before Halte kept it)
    state: str
    entered_at: datetime.datetime | None
    left_at: datetime.datetime | None

    def duration(self, now: datetime.datetime) -> datetime.timedelta | None:
        if self.entered_at is None or self.name == "end":
            return None
        return (self.left_at or now) - self.entered_at


def journey_bar(events) -> list[Stop]:
    """The stops of one referral's journey from its events (oldest first): when each
    was entered and left, which is current, and which were skipped."""
    entered: dict[str, datetime.datetime] = {}
    for event in events:
        stop = _STOP_OF.get(event.kind)
        if stop is not None and stop not in entered:
            entered[stop] = event.at
    reached = [name for name in STOPS if name in entered]
    last = reached[-1] if reached else None
    stops = []
    for index, name in enumerate(STOPS):
        later = [entered[n] for n in STOPS[index + 1 :] if n in entered]
        if name in entered:
            state = "done" if name != last or name == "end" else "current"
            stops.append(Stop(name, state, entered[name], later[0] if later else None))
        else:
            stops.append(Stop(name, "skipped" if later else "ahead", None, None))
    return stops


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def care_bar(episode: CareEpisode) -> list[Stop]:
    """The bar of care recorded without its referral: the stops before care are not
    recorded (not skipped: nobody knows), care runs from its start to its end."""
    started = _start_of(episode.starts_on)
    ended = _start_of(episode.ended_on) if episode.ended_on else None
    before = [Stop(name, "unrecorded", None, None) for name in STOPS[:3]]
    care = Stop("care", "done" if ended else "current", started, ended)
    end = Stop("end", "done", ended, None) if ended else Stop("end", "ahead", None, None)
    return [*before, care, end]


# Where a track is; the order is the order the header and the page list them in.
PHASES = ("care", "waiting", "referral", "closed")


@dataclass
class Track:
    """One care question of the client."""

    product: CareProduct
    referral: Referral | None
    entry: object | None  # the referral's WaitingListEntry, also after it left the list
    waiting: object | None  # its WaitingRow (position, estimate) while the client waits
    episode: CareEpisode | None
    events: list[JourneyEvent]
    stops: list[Stop]
    # The care forms (contact person, end of care) for those who plan; set by the view.
    steps: list = field(default_factory=list)

    @property
    def team(self):
        if self.episode is not None:
            return self.episode.team
        if self.entry is not None:
            return self.entry.team
        return self.referral.team

    @property
    def phase(self) -> str:
        if self.episode is not None and self.episode.is_running:
            return "care"
        if self.waiting is not None:
            return "waiting"
        if self.referral is not None and self.referral.is_open:
            return "referral"
        return "closed"

    @property
    def is_open(self) -> bool:
        return self.phase != "closed"

    @property
    def since(self) -> datetime.datetime:
        """When the track began, for ordering: its referral's receipt, or care's start."""
        if self.referral is not None:
            return self.referral.received_at
        return _start_of(self.episode.starts_on)


def build_tracks(*, referrals, events, entries, rows, episodes) -> list[Track]:
    """One track per referral and per episode without a referral: open ones first (in
    care, waiting, referred), newest first within each; `rows` are the waiting rows
    of the entries still on the list, by entry id."""
    events_of: dict[int, list] = {}
    care_events: dict[int, list] = {}
    for event in events:
        if event.referral_id is not None:
            events_of.setdefault(event.referral_id, []).append(event)
        elif event.episode_id is not None:
            care_events.setdefault(event.episode_id, []).append(event)
    entry_of = {entry.referral_id: entry for entry in entries}
    episode_of = {e.referral_id: e for e in episodes if e.referral_id is not None}
    tracks = []
    for referral in referrals:
        entry, episode = entry_of.get(referral.pk), episode_of.get(referral.pk)
        steps = events_of.get(referral.pk, [])
        product = (episode or entry or referral).product
        waiting = rows.get(entry.pk) if entry is not None else None
        tracks.append(Track(product, referral, entry, waiting, episode, steps, journey_bar(steps)))
    for episode in episodes:
        if episode.referral_id is None:
            steps = care_events.get(episode.pk, [])
            tracks.append(
                Track(episode.product, None, None, None, episode, steps, care_bar(episode))
            )
    tracks.sort(key=lambda track: track.since, reverse=True)
    tracks.sort(key=lambda track: PHASES.index(track.phase))
    return tracks


def journey_status(tracks) -> str:
    """Where the client is on every open journey, in one line for a page's header:
    'In zorg: Wijkverpleging · Wacht op: Dagbesteding'. Empty without an open one."""
    labels = {
        "care": gettext("In care: %(products)s"),
        "waiting": gettext("Waiting for: %(products)s"),
        "referral": gettext("Referred for: %(products)s"),
    }
    parts = []
    for phase, label in labels.items():
        products = [str(t.product) for t in tracks if t.phase == phase]
        if products:
            parts.append(label % {"products": ", ".join(dict.fromkeys(products))})
    return " · ".join(parts)


@dataclass
class Journey:
    """All of a client's journeys. `referral`, `events`, `stops` and `waiting` are the
    latest referral's, as the API has always given them; `episode` is the running care
    that started last."""

    tracks: list[Track]
    referrals: list[Referral]
    now: datetime.datetime

    @property
    def open_tracks(self) -> list[Track]:
        return [track for track in self.tracks if track.is_open]

    @property
    def closed_tracks(self) -> list[Track]:
        return [track for track in self.tracks if not track.is_open]

    @property
    def status(self) -> str:
        return journey_status(self.tracks)

    @property
    def latest(self) -> Track | None:
        referral = self.referral
        return next((t for t in self.tracks if t.referral is referral), None)

    @property
    def referral(self) -> Referral | None:
        return self.referrals[0] if self.referrals else None

    @property
    def events(self) -> list[JourneyEvent]:
        return self.latest.events if self.latest else []

    @property
    def stops(self) -> list[Stop]:
        return self.latest.stops if self.latest else journey_bar([])

    @property
    def waiting(self):
        return self.latest.waiting if self.latest else None

    @property
    def episode(self) -> CareEpisode | None:
        running = [t.episode for t in self.tracks if t.phase == "care"]
        return max(running, key=lambda e: (e.starts_on, e.pk), default=None)

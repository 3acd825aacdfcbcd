"""Extension points: how a lower app shows what a higher app knows, without importing it.

Imports run one way (ARCHITECTURE.md: core ← audit ← clients ← contact ← journey). When a
lower app's page needs something only a higher app knows (the client page's journey, the
timeline's journey steps, the audit log's client numbers), the lower app declares an
`ExtensionPoint` with the type of callable it will call, and calls whatever is
registered. The higher app registers its callable in its `AppConfig.ready()`. With
nothing registered the lower app still works: it shows its page without that part.

Registration happens once, at start-up; the points are read-only while requests run.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

Provider = TypeVar("Provider")


class ExtensionPoint(Generic[Provider]):
    """A named list of providers (callables of type `Provider`), in registration order."""

    def __init__(self, name: str):
        self.name = name
        self._providers: list[Provider] = []

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}: {len(self._providers)} provider(s)>"

    def register(self, provider: Provider) -> Provider:
        """Add a provider; registering the same one twice (a second `ready()` in
        tests) keeps one."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    @property
    def providers(self) -> tuple[Provider, ...]:
        return tuple(self._providers)

    @contextmanager
    def replaced(self, *providers: Provider) -> Iterator[None]:
        """For tests: only `providers` (none: an empty point) while the block runs."""
        kept = self._providers
        self._providers = list(providers)
        try:
            yield
        finally:
            self._providers = kept


# The start page: each role goes straight to its own work, a page of an app above core.


@dataclass(frozen=True)
class StartPage:
    rank: int  # when several apps would start this user, the lowest rank wins
    url: str


# (user) -> where this user starts, or None when this app's page is not their work.
# Today: 10 the workplace (contact), 20 the work queues (journey), 30 the client search
# (clients), 40 the audit log (audit).
StartPageProvider = Callable[[object], StartPage | None]

START_PAGES: ExtensionPoint[StartPageProvider] = ExtensionPoint("core: start pages")


def start_page(user) -> str | None:
    """The URL this user starts at; None when no app's page is theirs."""
    pages = [page for provider in START_PAGES.providers if (page := provider(user)) is not None]
    return min(pages, key=lambda page: page.rank).url if pages else None


# Refused pages: a page that refuses a user by role is logged as a `denied` entry, as
# the API's refusals are (NEN 7513). The log is audit's, an app above core, so core
# reports the refusal here and audit registers the recorder.


@dataclass(frozen=True)
class Refusal:
    capability: str  # the core.roles.Capability the user's role lacks
    client_id: int | None = None  # the client the page is about, when its URL names one


# (request, refusal) -> None; writes the refusal down.
RefusalRecorder = Callable[[object, Refusal], None]

PAGE_REFUSALS: ExtensionPoint[RefusalRecorder] = ExtensionPoint("core: refused pages")


def record_refusal(request, refusal: Refusal) -> None:
    for provider in PAGE_REFUSALS.providers:
        provider(request, refusal)


# A staff member's access changed (role, superuser, active, teams): the audit log
# records who changed whom, the values before and after and the teams added and
# removed. Core reports every change made through the ORM (core.staff), audit
# registers the recorder.


@dataclass(frozen=True)
class StaffAccess:
    role: str
    team_ids: frozenset[int]
    is_superuser: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class StaffAccessChange:
    by: object  # the core.User who made the change; None: no person (a command, a shell)
    source_ip: str | None
    member: object  # the core.User whose access changed
    before: StaffAccess
    after: StaffAccess
    created: bool = False  # a new staff member: before is no role and no teams
    deleted: bool = False  # the member deleted: after is no role and no teams


# (change) -> None; writes the change down, inside the transaction that made it.
StaffAccessRecorder = Callable[[StaffAccessChange], None]

STAFF_ACCESS_CHANGES: ExtensionPoint[StaffAccessRecorder] = ExtensionPoint(
    "core: staff access changes"
)


def record_staff_access_change(change: StaffAccessChange) -> None:
    for provider in STAFF_ACCESS_CHANGES.providers:
        provider(change)

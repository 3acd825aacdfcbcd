"""What the client page lets higher apps contribute (see halte/core/extensions.py).

The client page shows parts that higher apps know (the journey: its stage in the header,
its bars in the page; the contacts and promises at its end). Each such app registers a
`ClientSectionProvider` in its AppConfig.ready(); the page includes the template the
provider names. With none registered (or none giving a section to this user) the page
shows the client alone.

The client's action bar (on the client page and on the contact card) holds the buttons
the apps register as `ClientActionProvider`s: clients' own, and those of the apps above
it (a promise, a contact, a referral), so no template of a lower app names a higher
app's page.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.http import HttpRequest

from halte.audit.context import Actor
from halte.core.extensions import ExtensionPoint


@dataclass(frozen=True)
class ClientSection:
    """One higher app's part of a page about a client."""

    template: str  # the providing app's template, included by this name
    context: dict = field(default_factory=dict)  # what it needs, added to the page's context
    status: str = ""  # a status for the header instead of the client's own (the journey stage)
    # Where on the client page: after the relations (the journey), or, with `at_end`,
    # after all of the client's own parts as a wide section of its own (the timeline;
    # its template brings its own <section class="wide">).
    at_end: bool = False


# (request, actor, client pk) -> the section, or None when this user may not see it. It
# reads what it shows itself (scoped and audited like any read of the client).
ClientSectionProvider = Callable[[HttpRequest, Actor, int], ClientSection | None]

CLIENT_PAGE_SECTIONS: ExtensionPoint[ClientSectionProvider] = ExtensionPoint(
    "clients: client page sections"
)


def section_context(
    point: ExtensionPoint[ClientSectionProvider], request, actor, client_pk: int
) -> dict:
    """The page context of every section the providers of `point` give: `sections` and
    `end_sections` (to include in order, after the relations and at the page's end),
    `status` (the first one given) and each section's context."""
    given = [
        section
        for provider in point.providers
        if (section := provider(request, actor, client_pk)) is not None
    ]
    context = {
        "sections": [s for s in given if not s.at_end],
        "end_sections": [s for s in given if s.at_end],
        "status": next((s.status for s in given if s.status), ""),
    }
    for section in given:
        context.update(section.context)
    return context


# The action bar


class ActionPlace(StrEnum):
    """Where the action bar is shown."""

    PAGE = "page"  # the client page (clients)
    CARD = "card"  # the contact card (contact)


@dataclass(frozen=True)
class ClientAction:
    """One button in the client's action bar."""

    label: str  # translated
    url: str
    # Its place in the bar, lowest first. Today: 10 make a promise, 20 log a contact,
    # 30 new referral, 40 open the contact card, 50 full client page, 60 edit details.
    order: int
    primary: bool = False  # the bar's main action, a filled button; the others are secondary


# (user, client, place, page) -> the button, or None when this user may not use it here
# (its role lacks the capability, the client is deceased, it is the page it links to).
# `page` is the page's context so far (the card gives the call it was opened from as
# `call` and who is calling as `caller`). No queries: it decides on what it is given.
ClientActionProvider = Callable[[object, object, str, Mapping], ClientAction | None]

CLIENT_ACTIONS: ExtensionPoint[ClientActionProvider] = ExtensionPoint("clients: client actions")


def client_actions(user, client, place: str, page: Mapping | None = None) -> list[ClientAction]:
    """The buttons of the action bar for this user and client, in their order."""
    page = page or {}
    actions = [
        action
        for provider in CLIENT_ACTIONS.providers
        if (action := provider(user, client, place, page)) is not None
    ]
    return sorted(actions, key=lambda action: action.order)

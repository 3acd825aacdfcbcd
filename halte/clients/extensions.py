"""What the client page lets higher apps contribute (see halte/core/extensions.py).

The client page shows parts that higher apps know (the journey: its stage in the header,
its bars in the page). Each such app registers a `ClientSectionProvider` in its
AppConfig.ready(); the page includes the template the provider names. With none
registered (or none giving a section to this user) the page shows the client alone.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest

from halte.audit.context import Actor
from halte.core.extensions import ExtensionPoint


@dataclass(frozen=True)
class ClientSection:
    """One higher app's part of a page about a client."""

    template: str  # the providing app's template, included by this name
    context: dict = field(default_factory=dict)  # what it needs, added to the page's context
    status: str = ""  # a status for the header instead of the client's own (the journey stage)


# (request, actor, client pk) -> the section, or None when this user may not see it. It
# reads what it shows itself (scoped and audited like any read of the client).
ClientSectionProvider = Callable[[HttpRequest, Actor, int], ClientSection | None]

CLIENT_PAGE_SECTIONS: ExtensionPoint[ClientSectionProvider] = ExtensionPoint(
    "clients: client page sections"
)


def section_context(
    point: ExtensionPoint[ClientSectionProvider], request, actor, client_pk: int
) -> dict:
    """The page context of every section the providers of `point` give: `sections`
    (to include in order), `status` (the first one given) and each section's context."""
    sections = [
        section
        for provider in point.providers
        if (section := provider(request, actor, client_pk)) is not None
    ]
    context = {"sections": sections, "status": next((s.status for s in sections if s.status), "")}
    for section in sections:
        context.update(section.context)
    return context

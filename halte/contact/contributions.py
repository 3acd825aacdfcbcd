"""What contact adds to the pages of the apps below it (registered in
ContactConfig.ready()): its buttons in the client's action bar, the timeline at the end
of the client page, and the workplace as the start page of the roles on the telephone.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from halte.clients.extensions import ActionPlace, ClientAction, ClientSection
from halte.clients.models import ClientStatus
from halte.core.extensions import StartPage
from halte.core.roles import Capability, can, starts_at_workplace

# The action bar


def make_promise_action(user, client, place, page) -> ClientAction | None:
    """The bar's main button; from a card opened from a call, the promise starts from
    that call and its caller."""
    if client.status == ClientStatus.DECEASED or not can(user, Capability.MAKE_COMMITMENT):
        return None
    url = reverse("contact:commitment_add", args=[client.pk])
    call = page.get("call")
    if call:
        query = {"gesprek": call.pk}
        caller = page.get("caller")
        if caller and caller.relation:
            query["naaste"] = caller.relation.pk
        url = f"{url}?{urlencode(query)}"
    return ClientAction(gettext("Make a promise"), url, 10, primary=True)


def log_contact_action(user, client, place, page) -> ClientAction | None:
    if not can(user, Capability.LOG_CONTACT):
        return None
    url = reverse("contact:interaction_add", args=[client.pk])
    return ClientAction(gettext("Log a contact"), url, 20)


def contact_card_action(user, client, place, page) -> ClientAction | None:
    """From the client page to the card (the card does not link to itself)."""
    if place != ActionPlace.PAGE or not can(user, Capability.USE_WORKPLACE):
        return None
    url = reverse("contact:card", args=[client.pk])
    return ClientAction(gettext("Open the contact card"), url, 40)


# The client page


def timeline_section(request, actor, client_pk: int) -> ClientSection | None:
    """The contacts and promises at the end of the client page, loaded by htmx (the
    timeline page reads and audits them)."""
    if not can(request.user, Capability.LOG_CONTACT):
        return None
    return ClientSection("contact/_timeline_section.html", at_end=True)


# The start page


def workplace_start(user) -> StartPage | None:
    if not starts_at_workplace(user):
        return None
    return StartPage(10, reverse("contact:workplace"))

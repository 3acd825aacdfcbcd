"""Helpers for the page tests: audit entries written by a request, and messages as
the page shows them (translated into the page's language, HTML-escaped)."""

from django.utils import translation
from django.utils.html import escape

from halte.audit.models import Action, AuditEntry

SIGN_IN_ACTIONS = (Action.SIGN_IN, Action.SIGN_OUT)


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def entries_since(seq: int) -> list[tuple[str, str, int | None, str]]:
    """The entries since `seq`, without the sign-ins and sign-outs (force_login
    writes one): what the pages wrote."""
    return [
        (e.action, e.part, e.client_id, e.outcome)
        for e in AuditEntry.objects.filter(seq__gt=seq)
        .exclude(action__in=SIGN_IN_ACTIONS)
        .order_by("seq")
    ]


def named_clients(entry: AuditEntry) -> list[int]:
    """The clients an entry names: its own, or those a look at a list names."""
    if entry.client_id is not None:
        return [entry.client_id]
    return sorted(entry.clients.values_list("client_id", flat=True))


def looks_since(seq: int) -> list[tuple[str, str, list[int], str]]:
    """The entries since `seq`, each with the clients it names."""
    return [
        (e.action, e.part, named_clients(e), e.outcome)
        for e in AuditEntry.objects.filter(seq__gt=seq).order_by("seq")
    ]


def shown(message, language: str = "nl") -> str:
    with translation.override(language):
        return escape(str(message))


def assert_shows(response, message) -> None:
    content = response.content.decode()
    assert shown(message) in content, f"{shown(message)!r} not on the page"

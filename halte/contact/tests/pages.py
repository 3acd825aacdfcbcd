"""Helpers for the workplace page tests: texts as the pages show them."""

import datetime

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from halte.contact.models import Commitment, CommitmentKind


def relative_of(client_obj, relation=None) -> str:
    """'Marieke de Vries, child of mrs Van den Berg', in the page's language (Dutch)."""
    relation = relation or client_obj.relations.first()
    with translation.override("nl"):
        return escape(
            gettext("%(name)s, %(kind)s of %(client)s")
            % {
                "name": relation.name,
                "kind": relation.get_kind_display().lower(),
                "client": client_obj.formal_name,
            }
        )


def make_promise(client_obj, by, *, due_in, owner_user=None, owner_team=None, text="Terugbellen"):
    due_at = timezone.now() + due_in
    promise = Commitment.objects.create(
        client=client_obj,
        kind=CommitmentKind.CALLBACK,
        description=text,
        owner_user=owner_user,
        owner_team=owner_team,
        due_at=max(due_at, timezone.now() + datetime.timedelta(minutes=1)),
        created_by=by,
    )
    if due_in <= datetime.timedelta(0):
        # The database refuses a due time before creation: made earlier, then.
        Commitment.objects.filter(pk=promise.pk).update(
            due_at=due_at, created_at=due_at - datetime.timedelta(hours=1)
        )
    return promise

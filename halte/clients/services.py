"""Writes to clients and everything around them. Each runs in one transaction and
writes its audit entry inside it: the entry exists exactly when the change does."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.services import audit_record
from halte.clients.access import refuse_bsn_without_role
from halte.clients.models import (
    CareNote,
    Client,
    ClientNumberCounter,
    Phone,
    Preference,
    Relation,
)
from halte.clients.validation import (
    clean_care_note,
    clean_client_fields,
    clean_preference_fields,
    clean_relation_fields,
)
from halte.core import bsn as bsn_codec
from halte.core.errors import Conflict


def _next_client_number() -> int:
    """The next free number; the caller's transaction holds the counter until it ends.

    The counter starts from the highest existing number, so clients loaded in bulk
    (the demo seeder, an import) never collide with new ones.
    """
    counter = ClientNumberCounter.objects.select_for_update().filter(pk=1).first()
    if counter is None:
        ClientNumberCounter.objects.get_or_create(pk=1)
        counter = ClientNumberCounter.objects.select_for_update().get(pk=1)
    highest = Client.objects.aggregate(highest=Max("client_number"))["highest"] or 0
    counter.last = max(counter.last, highest) + 1
    counter.save(update_fields=["last"])
    return counter.last


def _apply_client_fields(client: Client, clean: dict) -> list[str]:
    """Set the cleaned fields on the client; return the names of those that changed."""
    changed = []
    bsn = clean.pop("bsn", None)
    if bsn is not None and bsn.get("bsn_hash") != client.bsn_hash:
        client.bsn_encrypted, client.bsn_hash = bsn["bsn_encrypted"], bsn["bsn_hash"]
        changed.append("bsn")
    for field, value in clean.items():
        if field == "phones":
            continue
        if getattr(client, field) != value:
            setattr(client, field, value)
            changed.append(field)
    if "what_matters" in changed:
        client.what_matters_updated_at = timezone.now()
    client.refresh_search_name()
    return changed


def _replace_phones(owner_client: Client, relation: Relation | None, phones) -> bool:
    """Make the stored numbers equal `phones`; return whether anything changed."""
    current = list(Phone.objects.filter(client=owner_client, relation=relation).order_by("id"))
    if [(p.e164, p.label) for p in current] == list(phones):
        return False
    Phone.objects.filter(client=owner_client, relation=relation).delete()
    Phone.objects.bulk_create(
        Phone(client=owner_client, relation=relation, e164=e164, label=label)
        for e164, label in phones
    )
    return True


def client_create(*, actor: Actor, **fields) -> Client:
    # Outside the transaction: the refusal's `denied` entry must outlive the refusal.
    refuse_bsn_without_role(actor, fields, action=Action.CREATE)
    return _client_create(actor=actor, **fields)


def _client_create(*, actor: Actor, **fields) -> Client:
    with transaction.atomic():
        clean = clean_client_fields(fields, creating=True, user=actor.user)
        phones = clean.get("phones", [])
        client = Client(client_number=_next_client_number())
        _apply_client_fields(client, clean)
        client.save(force_insert=True)
        _replace_phones(client, None, phones)
        audit_record(actor, action=Action.CREATE, part="card", client_id=client.pk)
        return client


def client_update(
    *, actor: Actor, client: Client, expected_version: int | None = None, **fields
) -> Client:
    """Change the given fields. With `expected_version`, refuse (Conflict) when someone
    else saved the client since the caller read it."""
    # Outside the transaction: the refusal's `denied` entry must outlive the refusal.
    refuse_bsn_without_role(actor, fields, action=Action.UPDATE, client_id=client.pk)
    return _client_update(actor=actor, client=client, expected_version=expected_version, **fields)


def _client_update(
    *, actor: Actor, client: Client, expected_version: int | None = None, **fields
) -> Client:
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if expected_version is not None and locked.version != expected_version:
            raise Conflict("The client was changed by someone else; reload and try again.")
        clean = clean_client_fields(fields, creating=False, client=locked, user=actor.user)
        changed = _apply_client_fields(locked, clean)
        if "phones" in clean and _replace_phones(locked, None, clean["phones"]):
            changed.append("phones")
        if changed:
            locked.version += 1
            locked.save()
            audit_record(actor, action=Action.UPDATE, part=",".join(changed), client_id=locked.pk)
        return locked


def client_reveal_bsn(*, actor: Actor, client: Client) -> str:
    """The full BSN, for a user whose role may see it (checked by the caller's access)."""
    audit_record(actor, action=Action.READ, part="bsn", client_id=client.pk)
    return bsn_codec.decrypt(client.bsn_encrypted) if client.has_bsn else ""


def relation_create(*, actor: Actor, client: Client, **fields) -> Relation:
    with transaction.atomic():
        clean = clean_relation_fields(fields, creating=True)
        phones = clean.pop("phones", [])
        relation = Relation.objects.create(client=client, **clean)
        _replace_phones(client, relation, phones)
        audit_record(actor, action=Action.CREATE, part="relations", client_id=client.pk)
        return relation


def relation_update(*, actor: Actor, relation: Relation, **fields) -> Relation:
    with transaction.atomic():
        clean = clean_relation_fields(fields, creating=False, relation=relation)
        phones = clean.pop("phones", None)
        for field, value in clean.items():
            setattr(relation, field, value)
        relation.save()
        if phones is not None:
            _replace_phones(relation.client, relation, phones)
        audit_record(actor, action=Action.UPDATE, part="relations", client_id=relation.client_id)
        return relation


def relation_delete(*, actor: Actor, relation: Relation) -> None:
    with transaction.atomic():
        client_id = relation.client_id
        relation.delete()
        audit_record(actor, action=Action.DELETE, part="relations", client_id=client_id)


def preference_add(*, actor: Actor, client: Client, **fields) -> Preference:
    with transaction.atomic():
        clean = clean_preference_fields(fields)
        preference = Preference.objects.create(client=client, noted_by=actor.user, **clean)
        audit_record(actor, action=Action.CREATE, part="preferences", client_id=client.pk)
        return preference


def preference_delete(*, actor: Actor, preference: Preference) -> None:
    with transaction.atomic():
        client_id = preference.client_id
        preference.delete()
        audit_record(actor, action=Action.DELETE, part="preferences", client_id=client_id)


def care_note_add(*, actor: Actor, client: Client, text: str) -> CareNote:
    with transaction.atomic():
        note = CareNote.objects.create(client=client, author=actor.user, text=clean_care_note(text))
        audit_record(actor, action=Action.CREATE, part="care_notes", client_id=client.pk)
        return note

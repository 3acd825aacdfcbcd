import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from halte.audit.context import Actor
from halte.audit.models import AuditEntry
from halte.audit.tests.failures import audit_write_fails
from halte.clients.access import BsnNotAllowed
from halte.clients.models import CareNote, Client, Phone, Preference, Relation
from halte.clients.services import (
    care_note_add,
    client_create,
    client_reveal_bsn,
    client_update,
    preference_add,
    preference_delete,
    relation_create,
    relation_delete,
    relation_update,
)
from halte.core.errors import Conflict

VALID = {
    "given_names": "Hendrika",
    "name_prefix": "van den",
    "family_name": "Berg",
    "date_of_birth": datetime.date(1941, 3, 12),
    "bsn": "111222333",
    "phones": [("06-12345678", "mobile"), ("(033) 712 21 60", "home")],
    "postcode": "3811 ab",
    "house_number": "12",
    "language": "nl",
}


@pytest.fixture
def actor(personas):
    # A planner: sees every client and may write a BSN (the front office may not).
    return Actor(personas["planner"], source_ip="192.0.2.1")


def _parts():
    return [(e.action, e.part) for e in AuditEntry.objects.order_by("seq")]


def test_it_creates_a_client_with_normalised_values(actor):
    client = client_create(actor=actor, **VALID)
    assert client.client_number > 100000
    assert client.postcode == "3811AB"
    assert [(p.e164, p.label) for p in client.phones.all()] == [
        ("+31612345678", "mobile"),
        ("+31337122160", "home"),
    ]
    assert client.search_name == "hendrika van den berg"
    assert client.version == 1
    assert _parts() == [("create", "card")]


def test_it_keeps_the_bsn_out_of_plain_sight(actor):
    client = client_create(actor=actor, **VALID)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM clients_client WHERE id = %s", [client.pk])
        row = cursor.fetchone()
    assert not any("111222333" in str(value) for value in row)
    assert client.bsn_masked == "••••••333"


def test_it_audits_revealing_the_bsn(actor):
    client = client_create(actor=actor, **VALID)
    assert client_reveal_bsn(actor=actor, client=client) == "111222333"
    assert _parts()[-1] == ("read", "bsn")


def test_it_refuses_a_bsn_another_client_has(actor):
    client_create(actor=actor, **VALID)
    with pytest.raises(ValidationError) as error:
        client_create(actor=actor, **{**VALID, "phones": []})
    assert "bsn" in error.value.message_dict


def test_it_writes_nothing_for_bad_input(actor):
    bad = {
        **VALID,
        "bsn": "123456789",
        "postcode": "0123 AB",
        "phones": [("12", "mobile")],
        "email": "not-an-email",
        "language": "xx",
        "family_name": "x" * 101,
        "date_of_birth": datetime.date(2999, 1, 1),
        "house_number": "twaalf",
        "salutation": "sir",
    }
    with pytest.raises(ValidationError) as error:
        client_create(actor=actor, **bad)
    assert set(error.value.message_dict) == {
        "bsn",
        "postcode",
        "phones",
        "email",
        "language",
        "family_name",
        "date_of_birth",
        "house_number",
        "salutation",
    }
    assert Client.objects.count() == Phone.objects.count() == AuditEntry.objects.count() == 0


def test_it_updates_only_what_changed_and_bumps_the_version(actor):
    client = client_create(actor=actor, **VALID)
    updated = client_update(
        actor=actor,
        client=client,
        expected_version=1,
        city="Amersfoort",
        phones=[("0612345678", "mobile")],
    )
    assert updated.version == 2
    assert list(updated.phones.values_list("e164", flat=True)) == ["+31612345678"]
    assert _parts()[-1] == ("update", "city,phones")


def test_it_refuses_a_stale_version(actor):
    client = client_create(actor=actor, **VALID)
    client_update(actor=actor, client=client, expected_version=1, city="Amersfoort")
    with pytest.raises(Conflict, match="changed by someone else"):
        client_update(actor=actor, client=client, expected_version=1, city="Utrecht")
    client.refresh_from_db()
    assert (client.city, client.version) == ("Amersfoort", 2)


def test_it_writes_no_audit_entry_for_an_edit_that_changes_nothing(actor):
    client = client_create(actor=actor, **VALID)
    client_update(actor=actor, client=client, given_names="Hendrika")
    assert _parts() == [("create", "card")]


def test_it_keeps_relations_with_their_own_numbers(actor):
    client = client_create(actor=actor, **VALID)
    relation = relation_create(
        actor=actor,
        client=client,
        name="Marieke de Vries",
        kind="child",
        phones=[("+32 470 12 34 56", "mobile")],
        may_receive_information=True,
    )
    assert list(relation.phones.values_list("e164", flat=True)) == ["+32470123456"]
    assert client.phones.filter(relation__isnull=True).count() == 2
    relation_delete(actor=actor, relation=relation)
    assert Relation.objects.count() == 0
    assert Phone.objects.filter(relation__isnull=False).count() == 0
    assert _parts()[-2:] == [("create", "relations"), ("delete", "relations")]


def test_it_refuses_an_unknown_relation_kind(actor):
    client = client_create(actor=actor, **VALID)
    with pytest.raises(ValidationError) as error:
        relation_create(actor=actor, client=client, name="Buurman", kind="friend")
    assert "kind" in error.value.message_dict
    assert Relation.objects.count() == 0


def test_it_dates_preferences_and_notes(actor, personas):
    client = client_create(actor=actor, **VALID)
    preference = preference_add(actor=actor, client=client, kind="dislike", text="Thee")
    assert preference.noted_on == datetime.date.today()
    with pytest.raises(ValidationError):
        care_note_add(actor=Actor(personas["nurse_noord"]), client=client, text="   ")
    note = care_note_add(actor=Actor(personas["nurse_noord"]), client=client, text="Goed gegaan")
    assert note.author == personas["nurse_noord"]
    assert _parts()[-2:] == [("create", "preferences"), ("create", "care_notes")]


def test_it_numbers_new_clients_one_after_another_past_any_loaded_in_bulk(actor):
    first = client_create(actor=actor, **VALID)
    second = client_create(actor=actor, **{**VALID, "bsn": "", "given_names": "Gerrit"})
    assert second.client_number == first.client_number + 1
    loaded = Client.objects.create(client_number=second.client_number + 50, family_name="Bulk")
    third = client_create(actor=actor, **{**VALID, "bsn": "", "given_names": "Jan"})
    assert third.client_number == loaded.client_number + 1


def test_it_names_a_changed_bsn_in_the_audit_entry_and_dates_what_matters(actor):
    client = client_create(actor=actor, **VALID)
    assert client.what_matters_updated_at is None
    client_update(actor=actor, client=client, bsn="123456782")
    assert _parts()[-1] == ("update", "bsn")
    client.refresh_from_db()
    assert client.what_matters_updated_at is None  # only a change of it dates it
    client_update(actor=actor, client=client, what_matters="Thuis blijven wonen")
    client.refresh_from_db()
    assert client.what_matters_updated_at is not None
    assert (client.version, _parts()[-1]) == (3, ("update", "what_matters"))


def test_it_applies_the_fields_after_the_phones_too(actor):
    client = client_create(actor=actor, **VALID)
    fields = {"phones": [("0612345678", "mobile")], "city": "Amersfoort", "language": "en"}
    updated = client_update(actor=actor, client=client, **fields)
    updated.refresh_from_db()
    assert (updated.city, updated.language) == ("Amersfoort", "en")


def test_it_counts_the_same_phones_as_no_change(actor):
    client = client_create(actor=actor, **VALID)
    client_update(actor=actor, client=client, phones=VALID["phones"])
    client.refresh_from_db()
    assert (client.version, _parts()) == (1, [("create", "card")])


def test_a_relations_numbers_are_its_own_to_change(actor):
    from halte.clients.services import relation_update

    client = client_create(actor=actor, **VALID)
    relation = relation_create(
        actor=actor, client=client, name="Marieke", kind="child", phones=[("0687654321", "mobile")]
    )
    relation_update(actor=actor, relation=relation, phones=[("0611111111", "mobile")])
    assert list(relation.phones.values_list("e164", flat=True)) == ["+31611111111"]
    own = client.phones.filter(relation__isnull=True).values_list("e164", flat=True)
    assert list(own) == ["+31612345678", "+31337122160"]


def test_it_reveals_a_bsn_with_an_entry_naming_the_client(actor):
    with_bsn = client_create(actor=actor, **VALID)
    without = client_create(actor=actor, **{**VALID, "bsn": "", "given_names": "Gerrit"})
    assert client_reveal_bsn(actor=actor, client=with_bsn) == "111222333"
    assert client_reveal_bsn(actor=actor, client=without) == ""
    reads = AuditEntry.objects.filter(part="bsn").order_by("seq")
    assert [e.client_id for e in reads] == [with_bsn.pk, without.pk]


# Each write stores its rows and its audit entry in one transaction: when the entry
# fails (a full disk, a lost connection), the rows written before it are undone.


def test_a_client_whose_audit_entry_fails_is_not_created(actor):
    with audit_write_fails(), pytest.raises(OperationalError):
        client_create(actor=actor, **VALID)
    assert Client.objects.count() == Phone.objects.count() == AuditEntry.objects.count() == 0
    # Nor is its number taken: the next client gets it.
    first = client_create(actor=actor, **VALID)
    assert first.client_number == 100001


def test_an_edit_whose_audit_entry_fails_changes_nothing(actor):
    client = client_create(actor=actor, **VALID)
    with audit_write_fails(), pytest.raises(OperationalError):
        client_update(actor=actor, client=client, city="Utrecht", phones=[("0611111111", "mobile")])
    client.refresh_from_db()
    assert (client.city, client.version) == ("", 1)
    assert [p.e164 for p in client.phones.order_by("id")] == ["+31612345678", "+31337122160"]
    assert _parts() == [("create", "card")]


def _relation(actor, client):
    return relation_create(
        actor=actor, client=client, name="Marieke", kind="child", phones=[("0687654321", "mobile")]
    )


def test_relation_writes_whose_audit_entry_fails_are_undone(actor):
    client = client_create(actor=actor, **VALID)
    with audit_write_fails(), pytest.raises(OperationalError):
        _relation(actor, client)
    assert not Relation.objects.exists()
    assert not Phone.objects.filter(relation__isnull=False).exists()
    relation = _relation(actor, client)
    with audit_write_fails(), pytest.raises(OperationalError):
        relation_update(
            actor=actor, relation=relation, name="Piet", phones=[("0611111111", "mobile")]
        )
    relation.refresh_from_db()
    assert relation.name == "Marieke"
    assert list(relation.phones.values_list("e164", flat=True)) == ["+31687654321"]
    with audit_write_fails(), pytest.raises(OperationalError):
        relation_delete(actor=actor, relation=Relation.objects.get())
    assert Relation.objects.count() == 1
    assert _parts() == [("create", "card"), ("create", "relations")]


def test_preferences_and_notes_whose_audit_entry_fails_are_undone(actor):
    client = client_create(actor=actor, **VALID)
    with audit_write_fails(), pytest.raises(OperationalError):
        preference_add(actor=actor, client=client, kind="dislike", text="Thee")
    with audit_write_fails(), pytest.raises(OperationalError):
        care_note_add(actor=actor, client=client, text="Goed gegaan")
    assert not Preference.objects.exists()
    assert not CareNote.objects.exists()
    preference = preference_add(actor=actor, client=client, kind="dislike", text="Thee")
    with audit_write_fails(), pytest.raises(OperationalError):
        preference_delete(actor=actor, preference=Preference.objects.get())
    assert list(Preference.objects.all()) == [preference]


def test_every_write_names_its_client_in_its_audit_entry(actor):
    client = client_create(actor=actor, **VALID)
    client_create(actor=actor, **{**VALID, "bsn": "", "given_names": "Gerrit"})
    relation = _relation(actor, client)
    relation_update(actor=actor, relation=relation, name="Piet")
    relation_delete(actor=actor, relation=relation)
    preference = preference_add(actor=actor, client=client, kind="dislike", text="Thee")
    preference_delete(actor=actor, preference=preference)
    care_note_add(actor=actor, client=client, text="Goed gegaan")
    client_update(actor=actor, client=client, city="Utrecht")
    created = list(AuditEntry.objects.order_by("seq")[:2])
    assert [e.client_id for e in created] == list(
        Client.objects.order_by("client_number").values_list("pk", flat=True)
    )
    entries = list(AuditEntry.objects.order_by("seq")[2:])
    assert [(e.action, e.part) for e in entries] == [
        ("create", "relations"),
        ("update", "relations"),
        ("delete", "relations"),
        ("create", "preferences"),
        ("delete", "preferences"),
        ("create", "care_notes"),
        ("update", "city"),
    ]
    assert {e.client_id for e in entries} == {client.pk}


def test_a_relation_update_changes_only_the_fields_given(actor):
    client = client_create(actor=actor, **VALID)
    relation = _relation(actor, client)
    relation_update(actor=actor, relation=relation, may_act_on_behalf=True)
    relation.refresh_from_db()
    assert (relation.name, relation.kind, relation.may_act_on_behalf) == ("Marieke", "child", True)
    assert list(relation.phones.values_list("e164", flat=True)) == ["+31687654321"]


def test_a_preference_is_noted_by_its_writer_for_its_client(actor, personas):
    client = client_create(actor=actor, **VALID)
    preference = preference_add(actor=actor, client=client, kind="like", text="Koffie")
    preference.refresh_from_db()
    assert (preference.client, preference.noted_by) == (client, personas["planner"])
    assert (preference.kind, preference.text) == ("like", "Koffie")
    note = care_note_add(actor=actor, client=client, text="  Goed gegaan ")
    note.refresh_from_db()
    assert (note.client, note.text) == (client, "Goed gegaan")


def test_a_new_client_needs_both_names(actor):
    with pytest.raises(ValidationError) as error:
        client_create(actor=actor, family_name="Berg")
    assert set(error.value.message_dict) == {"given_names"}


def test_a_team_member_adds_and_keeps_clients_in_their_own_teams(personas, teams):
    nurse = Actor(personas["nurse_noord"])
    with pytest.raises(ValidationError) as error:
        client_create(actor=nurse, given_names="Jan", family_name="Berg")
    assert set(error.value.message_dict) == {"team"}
    client = client_create(actor=nurse, given_names="Jan", family_name="Berg", team=teams["noord"])
    with pytest.raises(ValidationError) as error:
        client_update(actor=nurse, client=client, team=teams["zuid"])
    assert set(error.value.message_dict) == {"team"}


def test_an_edit_checks_against_the_client_itself(actor):
    """Its own BSN is no other client's; its stored email reaches it by email."""
    client = client_create(actor=actor, **VALID, email="riek@example.nl")
    client_update(actor=actor, client=client, bsn="111222333", contact_channel="email")
    client.refresh_from_db()
    assert (client.contact_channel, client.version) == ("email", 2)


def test_a_bsn_written_by_a_role_without_it_is_refused_with_an_entry(actor, personas):
    client = client_create(actor=actor, **VALID)
    desk = Actor(personas["front_office"])
    with pytest.raises(BsnNotAllowed):
        client_create(actor=desk, **{**VALID, "bsn": "123456782"})
    with pytest.raises(BsnNotAllowed):
        client_update(actor=desk, client=client, bsn="123456782")
    denied = AuditEntry.objects.filter(outcome="denied").order_by("seq")
    assert [(e.action, e.part, e.client_id) for e in denied] == [
        ("create", "bsn", None),
        ("update", "bsn", client.pk),
    ]


def test_a_relation_needs_a_name_and_may_have_no_numbers(actor):
    client = client_create(actor=actor, **VALID)
    with pytest.raises(ValidationError) as error:
        relation_create(actor=actor, client=client, kind="child")
    assert set(error.value.message_dict) == {"name"}
    relation = relation_create(actor=actor, client=client, name="Marieke", kind="child")
    assert not relation.phones.exists()


def test_a_relation_update_checks_against_the_relation_itself(actor):
    """A relation who may receive information, with an email address, may be set to
    receive the client's messages without repeating both."""
    client = client_create(actor=actor, **VALID)
    relation = relation_create(
        actor=actor,
        client=client,
        name="Marieke",
        kind="child",
        email="marieke@example.nl",
        may_receive_information=True,
    )
    relation_update(actor=actor, relation=relation, message_copy="copy", contact_channel="email")
    relation.refresh_from_db()
    assert (relation.message_copy, relation.contact_channel) == ("copy", "email")

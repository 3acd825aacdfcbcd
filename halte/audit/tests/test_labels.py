"""The log page speaks Dutch: every code an entry stores has a label, and the page shows
the labels (and staff's full names), never the raw codes."""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import halte
from halte.audit.context import Actor
from halte.audit.labels import PART_LABELS, ROLE_LABELS, UnlabelledPart, check_part, part_label
from halte.audit.models import Action, AuditEntry, Outcome, Purpose
from halte.audit.services import audit_record, audit_record_listing, audit_record_many
from halte.clients.search import QueryKind
from halte.clients.tests.pages import shown
from halte.core.roles import Role

URL = reverse("audit:log")
HALTE = Path(halte.__file__).parent
# Words Dutch shares with English: their label is the same in both languages.
SAME_IN_BOTH = {
    "Planning",
    "Management",
    "Manager",
    "Planner",
    "Privacy officer",
    "BSN",
    "Postcode",
}


def _cell_texts(response) -> list[str]:
    """The text of every table cell on the page, tags dropped, whitespace folded."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", response.content.decode(), flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


# Every code the code base writes has a label


def _literal_parts() -> set[tuple[str, str]]:
    """(file, part) for every part written as a literal in halte/: `part="..."`, the
    PART constants, and a part passed after a capability to a client access helper."""
    found = set()
    for path in HALTE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "part" and isinstance(keyword.value, ast.Constant):
                        found.add((str(path), keyword.value.value))
                args = node.args
                if (
                    len(args) == 4
                    and isinstance(args[2], ast.Attribute)
                    and getattr(args[2].value, "id", "") == "Capability"
                    and isinstance(args[3], ast.Constant)
                ):
                    found.add((str(path), args[3].value))
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.endswith("PART"):
                        found.add((str(path), node.value.value))
    return found


def test_it_finds_the_parts_the_code_base_writes():
    parts = {part for _path, part in _literal_parts()}
    # A sample across the apps, so the scan cannot silently find nothing.
    assert {"card", "caller_pop", "journey", "waiting_list", "care_offer", "audit_log"} <= parts


def test_it_has_a_label_for_every_part_the_code_base_writes():
    unlabelled = sorted((path, part) for path, part in _literal_parts() if part not in PART_LABELS)
    assert unlabelled == []


def test_it_has_a_label_for_every_kind_of_search():
    for kind in QueryKind:
        check_part(f"search:{kind}")


def test_it_has_a_label_for_every_client_field_a_change_names():
    # clients.services.client_update names the fields it changed, comma-separated:
    # the keys clean_client_fields returns.
    from halte.clients import validation

    source = inspect.getsource(validation.clean_client_fields)
    fields = set(re.findall(r'clean\["(\w+)"\]', source))
    fields |= set(validation.CLIENT_TEXT_FIELDS) | set(validation.CLIENT_CHOICE_FIELDS)
    assert {"family_name", "phones", "bsn", "team"} <= fields
    check_part(",".join(sorted(fields)))


def test_it_refuses_to_write_a_part_without_a_label(personas):
    actor = Actor(personas["nurse_noord"])
    with pytest.raises(UnlabelledPart, match=r"labels\.py"):
        audit_record(actor, action=Action.READ, part="secret_drawer", client_id=1)
    with pytest.raises(UnlabelledPart):
        audit_record_listing(actor, action=Action.READ, part="card,drawer", client_ids=[1, 2])
    with pytest.raises(UnlabelledPart):
        audit_record_many(actor, action=Action.READ, part="", client_ids=[1])
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor, action="peek", part="card", client_id=1)
    assert not AuditEntry.objects.exists()


def test_every_label_has_a_dutch_translation():
    labels = [
        *PART_LABELS.values(),
        *ROLE_LABELS.values(),
        *(label for _code, label in Action.choices),
        *(label for _code, label in Outcome.choices),
        *(label for _code, label in Purpose.choices),
    ]
    with translation.override("en"):
        english = [str(label) for label in labels]
    with translation.override("nl"):
        dutch = [str(label) for label in labels]
    untranslated = [en for en, nl in zip(english, dutch, strict=True) if en == nl]
    assert set(untranslated) <= SAME_IN_BOTH


# The page shows them


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["privacy_officer"])
    return client


def _write_one_of_each(personas):
    users = {role: user for user in personas.values() for role in [user.role]}
    for role, user in users.items():
        audit_record(Actor(user), action=Action.READ, part="card", client_id=10 + len(role))
    audit_record(Actor.system("telephone system"), action=Action.READ, part="caller_recognition")
    for code in Action.values:
        audit_record(Actor(personas["planner"]), action=code, part="journey")
    audit_record(
        Actor(personas["nurse_zuid"]), action=Action.READ, part="card", outcome=Outcome.DENIED
    )


def test_it_shows_every_part_as_its_dutch_label(officer, personas, monkeypatch):
    # One entry per label, all on one page however many labels there are.
    monkeypatch.setattr("halte.audit.views.PAGE_SIZE", len(PART_LABELS) + 10)
    actor = Actor(personas["nurse_noord"])
    for part in PART_LABELS:
        audit_record(actor, action=Action.READ, part=part, client_id=1)
    audit_record(actor, action=Action.UPDATE, part="family_name,phones", client_id=1)
    response = officer.get(URL, {"person": "nurse_noord"})
    cells = _cell_texts(response)
    for part, label in PART_LABELS.items():
        assert shown(label) in cells, part
    assert f"{shown(part_label('family_name'))}, {shown(part_label('phones'))}" in cells
    assert {"Achternaam, Telefoonnummers", "Contactkaart", "Zoeken op naam"} <= set(cells)
    raw = [code for code in PART_LABELS if code in cells and code not in ("bsn", "postcode")]
    assert raw == []


def test_it_shows_roles_actions_outcomes_and_purposes_in_dutch(officer, personas):
    _write_one_of_each(personas)
    cells = set(_cell_texts(officer.get(URL)))
    for role in [*Role.values, "system"]:
        assert shown(ROLE_LABELS[role]) in cells, role
    for choices in (Action, Outcome, Purpose):
        for code, label in choices.choices:
            assert shown(label) in cells, code
    assert {"Klantcontactcentrum", "Systeem", "Inzien", "Geweigerd", "Cliëntcontact"} <= cells
    for code in ("front_office", "care_professional", "system", "read", "denied", "contact"):
        assert code not in cells


def test_it_shows_full_names_beside_usernames(officer, personas):
    nurse = personas["nurse_noord"]
    nurse.first_name, nurse.last_name = "Mia", "de Jong"
    nurse.save()
    audit_record(Actor(nurse), action=Action.READ, part="card", client_id=1)
    audit_record(Actor.system("telephone system"), action=Action.READ, part="caller_recognition")
    cells = _cell_texts(officer.get(URL))
    assert "Mia de Jong nurse_noord" in cells
    assert "telephone system" in cells  # a process has no full name


def test_it_shows_a_removed_staff_member_by_username(officer, personas):
    nurse = personas["nurse_zuid"]
    audit_record(Actor(nurse), action=Action.READ, part="card", client_id=1)
    nurse.teams.clear()
    nurse.delete()
    assert "nurse_zuid" in _cell_texts(officer.get(URL))


def test_it_shows_english_labels_in_english(officer, personas):
    _write_one_of_each(personas)
    officer.post("/i18n/setlang/", {"language": "en", "next": URL})
    response = officer.get(URL, {"person": "kcc"})
    content = response.content.decode()
    assert '<html lang="en">' in content
    cells = set(_cell_texts(response))
    assert {"Front office", "Contact card", "Read", "Allowed", "Client contact"} <= cells
    assert "Staff member" in content and "Medewerker" not in content

"""`manage.py seed_demo`: the demo organisation the README and `make demo` rely on."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from halte.audit.models import AuditEntry
from halte.clients.models import Client, ClientStatus, Phone, Preference, Relation
from halte.clients.search import find_clients
from halte.contact.models import Commitment, Interaction, ServiceLevelPolicy
from halte.contact.queries import commitment_list, escalations
from halte.core import bsn as bsn_codec
from halte.core import phone as phone_codec
from halte.core import postcode as postcode_codec
from halte.core.models import Location, Team, User
from halte.core.roles import Role
from halte.core.text import NAME_PREFIXES
from halte.demo import fixed
from halte.demo.seed import DEMO_PASSWORD, DEMO_TOTP_LOGIN


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--clients", "50", *args, verbosity=0, stdout=out)
    return out.getvalue()


def call_command_output(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def demo(db):
    return _seed()


def _counts() -> dict[str, int]:
    models = (Location, Team, User, Client, Relation, Phone, Preference)
    return {model.__name__: model.objects.count() for model in models}


def test_it_creates_the_organisation_staff_and_clients(demo):
    counts = _counts()
    assert (counts["Location"], counts["Team"], counts["User"], counts["Client"]) == (2, 6, 40, 50)
    assert counts["Relation"] > 50
    assert counts["Phone"] > 50
    assert counts["Preference"] > 50
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_it_puts_care_professionals_and_team_leads_in_teams(demo):
    for user in User.objects.filter(role__in=[Role.CARE_PROFESSIONAL, Role.TEAM_LEAD]):
        assert user.teams.exists(), user.username
    assert User.objects.get(username="wijkverpleegkundige").teams.get().name == (
        "Wijkteam Amersfoort-Zuid"
    )


def test_it_stores_every_phone_number_as_valid_e164(demo):
    for e164 in Phone.objects.values_list("e164", flat=True):
        assert phone_codec.normalize(e164) == e164


def test_it_stores_valid_postcodes_bsns_and_split_name_prefixes(demo):
    for client in Client.objects.all():
        assert postcode_codec.normalize(client.postcode) == client.postcode
        assert client.search_name
        if client.language == "nl":
            assert client.family_name.split()[0].lower() not in NAME_PREFIXES
        if client.has_bsn:
            number = bsn_codec.decrypt(client.bsn_encrypted)
            assert bsn_codec.validate(number) == number
            assert client.bsn_hash == bsn_codec.lookup_hash(number)
    assert Client.objects.filter(name_prefix="van 't", family_name="Riet").exists()


def test_it_numbers_clients_as_the_services_do(demo):
    numbers = sorted(Client.objects.values_list("client_number", flat=True))
    assert numbers == list(range(100001, 100051))


def test_it_finds_the_fixed_demo_clients_by_name_and_phone(demo):
    kcc = User.objects.get(username="kcc")
    by_name = find_clients(kcc, "riek vd berg").clients
    assert by_name[0].full_name == "Hendrika Johanna van den Berg"
    by_daughter = find_clients(kcc, "06-12345678").clients
    assert [c.family_name for c in by_daughter] == ["Berg"]
    by_landline = find_clients(kcc, "030 234 56 78").clients
    assert sorted(c.preferred_name for c in by_landline) == ["Jo", "Kees"]
    assert find_clients(kcc, "mueller").clients[0].family_name == "Müller"
    assert find_clients(kcc, "Ayse Yilmaz").clients[0].language == "tr"


def test_it_includes_ended_and_deceased_clients(demo):
    assert Client.objects.filter(status=ClientStatus.DECEASED, family_name="Wit").exists()


def _printed_logins(output: str) -> list[str]:
    """The usernames in the table the seed prints under "Demo logins"."""
    table = output.split("Demo logins", 1)[1].splitlines()
    dashes = next(i for i, line in enumerate(table) if line.strip().startswith("---"))
    # The dashes under the header mark where each column starts and ends.
    columns = [m.span() for m in re.finditer(r"-+", table[dashes])]
    start, end = columns[1]
    return [line[start:end].strip() for line in table[dashes + 1 :] if line.strip()]


def test_it_makes_no_promises_about_clients_who_have_died(db):
    _seed("--clients", "600")  # enough random clients that some have died
    deceased = Client.objects.filter(status=ClientStatus.DECEASED)
    assert deceased.count() > 20
    assert Commitment.objects.filter(status="open").count() > 10
    assert not Commitment.objects.filter(client__in=deceased, status="open").exists()


def test_it_prints_one_working_login_per_role(demo, client):
    printed = _printed_logins(demo)
    assert DEMO_PASSWORD in demo
    for username in (
        "kcc",
        "planner",
        "wijkverpleegkundige",
        "teamleider",
        "manager",
        "privacy",
        "beheer",
    ):
        assert username in printed
    assert len(printed) == len(Role.values)


def test_it_lets_every_printed_login_sign_in_and_open_its_start_page(demo, client):
    for username in _printed_logins(demo):
        response = client.post(
            "/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
        )
        if username == DEMO_TOTP_LOGIN:  # the demo's second factor (test_second_factor.py)
            assert response.redirect_chain[-1][0].startswith("/tweestaps/controle/")
            code = call_command_output("demo_totp_code", username)
            response = client.post(response.redirect_chain[-1][0], {"code": code}, follow=True)
        assert response.status_code == 200, username
        assert response.context["user"].username == username
        assert response.redirect_chain, username
        if User.objects.get(username=username).role == Role.ADMINISTRATOR:
            assert client.get("/beheer/").status_code == 200
            assert client.get("/beheer/core/user/").status_code == 200
        client.logout()


def test_it_does_not_duplicate_anything_when_run_twice(demo):
    before = _counts()
    output = _seed()
    assert _counts() == before
    assert "already" in output
    assert "kcc" in output


def test_it_starts_over_with_flush_and_gives_the_same_clients_for_the_same_seed(demo):
    names = list(Client.objects.order_by("client_number").values_list("search_name", flat=True))
    _seed("--flush")
    again = Client.objects.order_by("client_number").values_list("search_name", flat=True)
    assert list(again) == names
    assert _counts()["User"] == 40


def test_it_keeps_the_fixed_numbers_out_of_the_random_pool(demo):
    daughters = Phone.objects.filter(e164=fixed.MARIEKE_MOBILE)
    assert daughters.count() == 1


# First contact: a front office with a history and a queue


def test_it_gives_the_front_office_extensions_kcc_first(demo):
    desk = User.objects.filter(role=Role.FRONT_OFFICE).order_by("phone_extension")
    assert [u.phone_extension for u in desk] == [str(n) for n in range(201, 201 + desk.count())]
    assert desk.first().username == "kcc"
    assert not User.objects.exclude(role=Role.FRONT_OFFICE).exclude(phone_extension="").exists()


def test_it_seeds_contacts_across_channels_and_promises_within_the_constraints(demo):
    assert Interaction.objects.count() >= 7 * 12
    channels = set(Interaction.objects.values_list("channel", flat=True))
    assert {"phone", "email", "letter", "visit", "walk_in"} <= channels
    assert not Interaction.objects.filter(status="completed", outcome="").exists()
    assert Interaction.objects.values("staff").distinct().count() > 5
    promises = Commitment.objects.all()
    assert promises.filter(status="open").count() >= len(fixed.FIXED_PROMISES)
    for promise in promises:
        assert promise.due_at > promise.created_at
        assert (promise.owner_user_id is None) != (promise.owner_team_id is None)
        assert (promise.status == "done") == (promise.completed_at is not None)
        assert promise.origin.client_id == promise.client_id
    kept = promises.filter(status="done")
    assert kept.exists()
    for promise in kept:
        assert promise.result.outcome == "resolved"
        assert promise.result.occurred_at == promise.completed_at


def test_it_gives_kcc_own_and_team_promises_some_overdue_some_expiring(demo):
    kcc = User.objects.get(username="kcc")
    now = timezone.now()
    warn = datetime.timedelta(minutes=ServiceLevelPolicy.current().warn_before_minutes)
    mine = list(commitment_list(kcc, mine=True))
    assert any(p.due_at <= now for p in mine)
    assert any(now < p.due_at <= now + warn for p in mine)
    assert list(commitment_list(kcc, team=True))
    assert escalations(kcc, now).filter(due_at__lte=now).exists()


def test_fixed_clients_have_a_history_with_kept_promises(demo):
    hendrika = Client.objects.get(family_name="Berg", preferred_name="Riek")
    contacts = Interaction.objects.filter(client=hendrika)
    assert contacts.count() >= 12
    assert contacts.filter(relation__name="Marieke de Vries").exists()
    assert (
        contacts.filter(caller_e164=fixed.MARIEKE_MOBILE).exists()
        or contacts.filter(caller_e164=fixed.HENDRIKA_HOME).exists()
    )


def test_seeding_writes_no_audit_entries(demo):
    assert not AuditEntry.objects.exists()


def test_flush_removes_contacts_and_promises(demo):
    _seed("--flush")
    assert Commitment.objects.filter(owner_user__username="kcc").exists()
    assert Interaction.objects.filter(client__family_name="Berg").count() >= 12


def test_it_counts_in_its_progress_what_its_summary_says(db, capsys):
    out = io.StringIO()
    call_command("seed_demo", "--clients", "40", verbosity=1, stdout=out)
    progress = capsys.readouterr().err.replace("\r", "\n")
    done, total = re.findall(r"(\d+)/(\d+) \[", progress)[-1]
    summary = re.search(r"Loaded the demo organisation: (\d+) clients", out.getvalue())
    assert done == total == summary.group(1) == "40"
    assert Client.objects.count() == 40

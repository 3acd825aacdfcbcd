"""A token grants access as a staff role does, so making one, changing its expiry and
revoking it is each one entry in the audit chain (NEN 7513): whose act, which token
(id and name), whose token, its scopes and its expiry; never the token or its hash.
The entry is written in the change's transaction: without it, no change."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation

from halte.api.models import ApiToken
from halte.api.services import (
    EXPIRY_IN_PAST,
    api_token_create,
    api_token_set_expiry,
    api_tokens_revoke,
    name_code,
    token_part,
)
from halte.api.tests.helpers import audit_entries, last_seq
from halte.audit.context import Actor
from halte.audit.labels import check_part, moment_code, part_label
from halte.audit.models import Action, AuditEntry, Outcome, Purpose
from halte.audit.tests.failures import audit_write_fails
from halte.clients.tests.pages import shown
from halte.core.api.scopes import Scope

pytestmark = pytest.mark.django_db

IN_TEN_DAYS = datetime.timedelta(days=10)


def _codes(entry: AuditEntry) -> list[str]:
    return entry.part.split(",")


def _verify_audit() -> None:
    call_command("verify_audit", "--no-anchors", stdout=io.StringIO())


@pytest.fixture
def administrator(personas):
    return Actor(personas["administrator"], source_ip="10.0.0.7")


@pytest.fixture
def live_token(personas, administrator):
    api_token, _ = api_token_create(
        actor=administrator,
        user=personas["planner"],
        name="Telefonie-koppeling",
        scopes=[Scope.JOURNEY_READ, Scope.CLIENTS_READ],
    )
    return api_token


# The service


def test_making_a_token_is_one_entry_naming_it(personas, administrator):
    before = last_seq()
    expiry = timezone.now() + IN_TEN_DAYS

    api_token, token = api_token_create(
        actor=administrator,
        user=personas["planner"],
        name="Telefonie-koppeling",
        scopes=[Scope.JOURNEY_READ, Scope.CLIENTS_READ],
        expires_at=expiry,
    )

    [entry] = audit_entries(before)
    assert (entry.action, entry.outcome, entry.client_id) == (Action.CREATE, Outcome.SUCCESS, None)
    assert (entry.user_id, entry.username, entry.source_ip) == (
        personas["administrator"].pk,
        personas["administrator"].username,
        "10.0.0.7",
    )
    assert entry.purpose == Purpose.ADMINISTRATION
    assert _codes(entry) == [
        f"api_token={api_token.pk}",
        f"staff_member={personas['planner'].pk}",
        "clients_read",
        "journey_read",
        f"expires={moment_code(expiry)}",
        "token_name=telefonie_koppeling",
    ]
    assert token not in entry.part
    assert api_token.token_hash not in entry.part
    _verify_audit()


def test_a_token_without_scopes_or_expiry_says_so(personas, administrator):
    before = last_seq()

    api_token_create(actor=administrator, user=personas["planner"], name="Alles", scopes=[])

    [entry] = audit_entries(before)
    assert _codes(entry)[2:] == ["scopes_role", "expires=none", "token_name=alles"]


def test_changing_the_expiry_is_one_entry_with_before_and_after(live_token, administrator):
    before = last_seq()
    first = timezone.now() + IN_TEN_DAYS
    second = first + IN_TEN_DAYS

    api_token_set_expiry(actor=administrator, api_token=live_token, expires_at=first)
    api_token_set_expiry(actor=administrator, api_token=live_token, expires_at=second)
    api_token_set_expiry(actor=administrator, api_token=live_token, expires_at=None)

    entries = audit_entries(before)
    assert [entry.action for entry in entries] == [Action.UPDATE] * 3
    expiry_codes = [
        [code for code in _codes(entry) if code.startswith("expires")] for entry in entries
    ]
    assert expiry_codes == [
        ["expires_from=none", f"expires_to={moment_code(first)}"],
        [f"expires_from={moment_code(first)}", f"expires_to={moment_code(second)}"],
        [f"expires_from={moment_code(second)}", "expires_to=none"],
    ]
    assert all(f"api_token={live_token.pk}" in _codes(entry) for entry in entries)
    _verify_audit()


def test_an_unchanged_expiry_writes_nothing(live_token, administrator):
    before = last_seq()

    api_token_set_expiry(actor=administrator, api_token=live_token, expires_at=None)

    assert audit_entries(before) == []


def test_revoking_is_one_entry_per_token_still_live(personas, live_token, administrator):
    other, _ = api_token_create(
        actor=administrator, user=personas["nurse_noord"], name="Andere", scopes=[]
    )
    api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.filter(pk=other.pk))
    before = last_seq()

    count = api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.all())

    assert count == 1
    [entry] = audit_entries(before)
    assert entry.action == Action.REVOKE
    assert _codes(entry) == [
        f"api_token={live_token.pk}",
        f"staff_member={personas['planner'].pk}",
        "clients_read",
        "journey_read",
        "token_name=telefonie_koppeling",
    ]
    _verify_audit()


def test_revoking_only_revoked_tokens_revokes_none_and_writes_nothing(live_token, administrator):
    api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.all())
    revoked_at = ApiToken.objects.get().revoked_at
    before = last_seq()

    count = api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.all())

    assert count == 0
    assert audit_entries(before) == []
    assert ApiToken.objects.get().revoked_at == revoked_at


def test_a_new_expiry_is_stored_with_the_time_of_the_change(live_token, administrator):
    expiry = timezone.now() + IN_TEN_DAYS
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        changed_at = timezone.now()
        returned = api_token_set_expiry(
            actor=administrator, api_token=live_token, expires_at=expiry
        )

    stored = ApiToken.objects.get(pk=live_token.pk)
    assert (returned.expires_at, returned.updated_at) == (expiry, changed_at)
    assert (stored.expires_at, stored.updated_at) == (expiry, changed_at)


# The services refuse an expiry not ahead and unknown scopes themselves (whoever calls
# them: the admin's form, the command), each on its field, and write nothing.


def _expiry_moments():
    now = timezone.now()
    return {
        "now": now,
        "a second ago": now - datetime.timedelta(seconds=1),
        "year 9999": now.replace(year=9999),
    }


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


@pytest.mark.parametrize("moment", ["now", "a second ago", "year 9999"])
def test_making_a_token_with_an_expiry_not_ahead_is_refused_on_the_expiry(
    personas, administrator, moment
):
    before = last_seq()
    with time_machine.travel(timezone.now(), tick=False):
        expires_at = _expiry_moments()[moment]
        refusal = _refusal(
            lambda: api_token_create(
                actor=administrator,
                user=personas["planner"],
                name="x",
                scopes=[],
                expires_at=expires_at,
            )
        )

    assert list(refusal) == ["expires_at"]
    if moment != "year 9999":
        assert refusal["expires_at"] == [str(EXPIRY_IN_PAST)]
    assert not ApiToken.objects.exists()
    assert audit_entries(before) == []


@pytest.mark.parametrize("moment", ["now", "a second ago", "year 9999"])
def test_an_expiry_not_ahead_is_refused_on_the_expiry(live_token, administrator, moment):
    before = last_seq()
    with time_machine.travel(timezone.now(), tick=False):
        expires_at = _expiry_moments()[moment]
        refusal = _refusal(
            lambda: api_token_set_expiry(
                actor=administrator, api_token=live_token, expires_at=expires_at
            )
        )

    assert list(refusal) == ["expires_at"]
    if moment != "year 9999":
        assert refusal["expires_at"] == [str(EXPIRY_IN_PAST)]
    assert (live_token.expires_at, ApiToken.objects.get().expires_at) == (None, None)
    assert audit_entries(before) == []


def test_unknown_scopes_are_refused_on_the_scopes_naming_each(personas, administrator):
    before = last_seq()
    with translation.override("en"):
        refusal = _refusal(
            lambda: api_token_create(
                actor=administrator,
                user=personas["planner"],
                name="x",
                scopes=["clients:read", "clients:write_all", "bsn"],
            )
        )

    known = ", ".join(scope.value for scope in Scope)
    assert refusal == {
        "scopes": [f"Unknown scope(s): bsn, clients:write_all. Known scopes: {known}."]
    }
    assert not ApiToken.objects.exists()
    assert audit_entries(before) == []


# Without its entry, no change


def test_a_failing_audit_write_makes_no_token(personas, administrator):
    with audit_write_fails(), pytest.raises(OperationalError):
        api_token_create(actor=administrator, user=personas["planner"], name="x", scopes=[])

    assert not ApiToken.objects.exists()


def test_a_failing_audit_write_leaves_the_expiry(live_token, administrator):
    with audit_write_fails(), pytest.raises(OperationalError):
        api_token_set_expiry(
            actor=administrator, api_token=live_token, expires_at=timezone.now() + IN_TEN_DAYS
        )

    assert ApiToken.objects.get(pk=live_token.pk).expires_at is None


def test_a_failing_audit_write_revokes_no_token(personas, live_token, administrator):
    api_token_create(actor=administrator, user=personas["nurse_noord"], name="y", scopes=[])

    # The second token's entry fails: the first token's revocation is undone too.
    with audit_write_fails(at_entry=2), pytest.raises(OperationalError):
        api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.all())

    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


# Outside the services: refused, so that no change goes unaudited

UNAUDITED_WRITES = {
    "revoked by update()": lambda tokens: tokens.update(revoked_at=timezone.now()),
    "expiry by update()": lambda tokens: tokens.update(expires_at=timezone.now()),
    "revoked by a user's tokens": lambda tokens: tokens.get().user.api_tokens.update(
        revoked_at=timezone.now()
    ),
    "expiry by bulk_update()": lambda tokens: ApiToken.objects.bulk_update(
        [ApiToken(pk=t.pk, expires_at=timezone.now()) for t in tokens], ["expires_at"]
    ),
}


@pytest.mark.parametrize("write", UNAUDITED_WRITES)
def test_a_token_revoked_or_given_an_expiry_in_bulk_is_refused(live_token, write):
    before = last_seq()

    with pytest.raises(PermissionError, match="api_tokens_revoke, api_token_set_expiry"):
        UNAUDITED_WRITES[write](ApiToken.objects.all())

    stored = ApiToken.objects.get()
    assert (stored.revoked_at, stored.expires_at) == (None, None)
    assert audit_entries(before) == []


SAVES = {
    "revoked": ("revoked_at", None),
    "given an expiry": ("expires_at", None),
    "given an expiry, saving that field": ("expires_at", ["expires_at"]),
}


@pytest.mark.parametrize("save", SAVES)
def test_a_stored_token_revoked_or_given_an_expiry_by_its_save_is_refused(live_token, save):
    field, update_fields = SAVES[save]
    before = last_seq()
    setattr(live_token, field, timezone.now())

    with pytest.raises(PermissionError, match=field):
        live_token.save(update_fields=update_fields)

    stored = ApiToken.objects.get()
    assert (stored.revoked_at, stored.expires_at) == (None, None)
    assert audit_entries(before) == []


def test_a_stored_token_saved_with_its_access_unchanged_is_saved(live_token):
    live_token.name = "Koppeling telefonie"

    live_token.save()

    assert ApiToken.objects.get().name == "Koppeling telefonie"


def test_the_last_use_is_still_written_in_bulk(live_token):
    used = timezone.now()

    ApiToken.objects.filter(pk=live_token.pk).update(last_used_at=used)

    assert ApiToken.objects.get().last_used_at == used


# The admin at /beheer/ and the command


def test_the_admin_writes_the_administrators_entry_for_an_expiry(client, personas, live_token):
    client.force_login(personas["administrator"])
    expiry = timezone.localtime() + IN_TEN_DAYS
    before = last_seq()

    response = client.post(
        f"/beheer/api/apitoken/{live_token.pk}/change/",
        {"expires_at_0": expiry.strftime("%d-%m-%Y"), "expires_at_1": "14:30"},
    )

    assert response.status_code == 302
    stored = ApiToken.objects.get(pk=live_token.pk).expires_at
    [entry] = [e for e in audit_entries(before) if e.part.startswith("api_token=")]
    assert (entry.action, entry.username, entry.source_ip) == (
        Action.UPDATE,
        personas["administrator"].username,
        "127.0.0.1",
    )
    assert "expires_from=none" in _codes(entry)
    assert f"expires_to={moment_code(stored)}" in _codes(entry)


def test_the_admin_writes_the_administrators_entry_for_a_revocation(client, personas, live_token):
    client.force_login(personas["administrator"])
    before = last_seq()

    response = client.post(
        "/beheer/api/apitoken/", {"action": "revoke", "_selected_action": [live_token.pk]}
    )

    assert response.status_code == 302
    [entry] = [e for e in audit_entries(before) if e.part.startswith("api_token=")]
    assert (entry.action, entry.user_id) == (Action.REVOKE, personas["administrator"].pk)
    assert f"api_token={live_token.pk}" in _codes(entry)


def test_the_command_writes_a_system_entry(personas):
    before = last_seq()
    out = io.StringIO()

    call_command("create_api_token", "--user", "planner", "--scopes", "announcements", stdout=out)

    token = out.getvalue().splitlines()[-1]
    api_token = ApiToken.objects.get()
    [entry] = audit_entries(before)
    assert (entry.action, entry.user_id, entry.role) == (Action.CREATE, None, "system")
    assert entry.username == "manage.py create_api_token"
    assert _codes(entry) == [
        f"api_token={api_token.pk}",
        f"staff_member={personas['planner'].pk}",
        "announcements_scope",
        "expires=none",
        "token_name=planner_api_token",
    ]
    assert token not in entry.part
    _verify_audit()


# The part: within its column, every code labelled


@pytest.mark.parametrize(
    ("token_id", "name_shown"),
    [(999_999_999, ""), (9_999, ""), (1, "xxxxx")],
    ids=["nine-digit ids", "four-digit ids", "one-digit ids"],
)
def test_the_part_fits_its_column_with_every_scope(token_id, name_shown):
    # Every scope and an expiry before and after leave little room for the name: the
    # name is what gives way (the id names the token).
    api_token = ApiToken(
        pk=token_id, user_id=token_id, name="x" * 100, scopes=[s.value for s in Scope]
    )
    moment = timezone.now()
    extra = [f"expires_from={moment_code(moment)}", f"expires_to={moment_code(moment)}"]

    part = token_part(api_token, extra)

    assert len(part) <= AuditEntry._meta.get_field("part").max_length
    check_part(part)
    name = [code for code in part.split(",") if code.startswith("token_name=")]
    assert name == ([f"token_name={name_shown}"] if name_shown else [])


def test_a_part_of_exactly_its_column_is_kept_and_one_longer_refused():
    api_token = ApiToken(pk=1, user_id=1, name="", scopes=[s.value for s in Scope])
    column = AuditEntry._meta.get_field("part").max_length
    short = len(token_part(api_token, ["x"]))

    full = token_part(api_token, ["x" * (1 + column - short)])

    assert len(full) == column
    with pytest.raises(ValueError, match="too long"):
        token_part(api_token, ["x" * (2 + column - short)])


def test_a_token_without_scopes_keeps_its_whole_name_code():
    api_token = ApiToken(pk=999_999_999, user_id=999_999_999, name="x" * 100, scopes=[])

    part = token_part(api_token, ["expires=none"])

    assert part.endswith(",token_name=" + "x" * 40)


def test_a_name_becomes_a_code():
    assert name_code("Telefonie-koppeling (KCC) 2") == "telefonie_koppeling_kcc_2"
    assert name_code("Één token voor Zoë!") == "een_token_voor_zoe"
    assert name_code("令牌") == ""
    check_part(f"token_name={name_code('Z' * 100)}")


def test_the_log_shows_a_token_entry_in_dutch(client, personas, live_token, administrator):
    expiry = datetime.datetime(2027, 1, 15, 13, 30, tzinfo=datetime.UTC)
    with translation.override("nl"):
        label = part_label(
            token_part(live_token, ["expires_from=none", f"expires_to={moment_code(expiry)}"])
        )
    assert label == (
        f"API-token (id): {live_token.pk}, Medewerker (id): {personas['planner'].pk}, "
        "API-scope clients:read, API-scope journey:read, Vervaldatum was: geen, "
        "Vervaldatum wordt: 15-01-2027 14:30, Tokennaam: telefonie_koppeling"
    )
    api_tokens_revoke(actor=administrator, tokens=ApiToken.objects.all())
    client.force_login(personas["privacy_officer"])

    page = client.get(reverse("audit:log"), {"action": Action.REVOKE})

    assert page.status_code == 200
    assert shown(page, "Intrekken")
    assert shown(page, "API-scope journey:read")

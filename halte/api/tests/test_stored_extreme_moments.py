"""Extreme dates and times that reached the database some other way (an import, an
older version, a hand-made fix in SQL) still let every page and endpoint that shows
them render: readers never crash converting datetime.min or datetime.max."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse

from halte.api.tests.helpers import Api
from halte.audit.context import Actor
from halte.clients.models import Client
from halte.contact.models import Commitment, Interaction
from halte.contact.services import commitment_create, interaction_log
from halte.journey.models import CareEpisode, Intake, Referral, Stage, WaitingListEntry
from halte.journey.tests.factories import referral_at
from halte.outreach.models import Announcement
from halte.outreach.tests.announcement_helpers import announcement, in_care

pytestmark = pytest.mark.django_db

EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)
LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


PHONE_CALL = {"channel": "phone", "direction": "in", "outcome": "resolved"}


def _contacts(kcc: Actor, client, topics) -> list[Interaction]:
    """A phone call logged for `client` per topic."""
    return [interaction_log(actor=kcc, client=client, topic=t, **PHONE_CALL) for t in topics]


def _promise(kcc: Actor, client, description: str) -> Commitment:
    """A callback promised to `client`, owned by the front office member `kcc`."""
    return commitment_create(
        actor=kcc, client=client, kind="callback", description=description, owner_user=kcc.user
    )


@pytest.fixture
def extreme(personas, client_noord):
    """client_noord with a contact, promises, a referral on the waiting list and care,
    each with the smallest or largest moment the database holds."""
    kcc = Actor(personas["front_office"])
    Client.objects.filter(pk=client_noord.pk).update(date_of_birth=datetime.date.min)
    early, late = _contacts(kcc, client_noord, ["Vraag", "Later"])
    Interaction.objects.filter(pk=early.pk).update(occurred_at=EARLIEST)
    Interaction.objects.filter(pk=late.pk).update(occurred_at=LATEST)
    far, old = [_promise(kcc, client_noord, text) for text in ("Ver weg", "Heel oud")]
    Commitment.objects.filter(pk=far.pk).update(due_at=LATEST)
    Commitment.objects.filter(pk=old.pk).update(
        created_at=EARLIEST, due_at=EARLIEST + datetime.timedelta(hours=1)
    )
    referral = referral_at(
        Stage.WAITING,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    Referral.objects.filter(pk=referral.pk).update(
        received_at=EARLIEST, stage_since=EARLIEST, due_at=LATEST
    )
    Intake.objects.filter(referral=referral).update(planned_at=EARLIEST, held_at=LATEST)
    WaitingListEntry.objects.filter(referral=referral).update(
        waiting_since=datetime.date.min,
        norm_date=datetime.date.max,
        next_update_due=datetime.date.max,
        last_update_on=datetime.date.min,
    )
    episode = in_care(client_noord, personas["nurse_noord"])
    CareEpisode.objects.filter(pk=episode.pk).update(
        starts_on=datetime.date.min, ended_on=datetime.date.max, end_reason="recovered"
    )
    news = announcement(personas["planner"])
    Announcement.objects.filter(pk=news.pk).update(status="scheduled", send_at=LATEST)
    return {
        "client": client_noord,
        "episode": episode,
        "announcement": news,
        "far": far,
        "old": old,
        "referral": referral,
        "contact": late,
    }


# The moments stored: `extreme` (the ends Python holds) on every database, `infinite`
# (PostgreSQL's infinities) also, where the page or endpoint shows what it stores.
EXTREME = ("extreme",)
BOTH = ("extreme", "infinite")


@pytest.fixture
def stored(request):
    """The fixture of the moments a case runs with (indirect parameter)."""
    return request.getfixturevalue(request.param)


def _cases(table):
    """(stored, role, url) for each row of `table` and each stored set it names."""
    return [
        pytest.param(kind, role, url, id=f"{kind}-{role}-{index}")
        for index, (role, url, kinds) in enumerate(table)
        for kind in kinds
    ]


PAGES = [
    ("front_office", lambda x: reverse("contact:workplace"), BOTH),
    ("front_office", lambda x: reverse("contact:card", args=[x["client"].pk]), BOTH),
    ("front_office", lambda x: reverse("contact:timeline", args=[x["client"].pk]), BOTH),
    ("front_office", lambda x: reverse("contact:commitment", args=[x["far"].pk]), BOTH),
    ("front_office", lambda x: reverse("contact:commitment", args=[x["old"].pk]), EXTREME),
    ("team_lead", lambda x: reverse("contact:escalations"), BOTH),
    ("front_office", lambda x: reverse("clients:detail", args=[x["client"].pk]), BOTH),
    ("front_office", lambda x: reverse("clients:search") + "?q=Berg", EXTREME),
    ("planner", lambda x: reverse("clients:detail", args=[x["client"].pk]), BOTH),
    ("planner", lambda x: reverse("journey:queues"), EXTREME),
    ("planner", lambda x: reverse("journey:referral", args=[x["referral"].pk]), EXTREME),
    ("planner", lambda x: reverse("journey:waiting_list"), EXTREME),
    ("team_lead", lambda x: reverse("contact:workplace"), BOTH),
    ("privacy_officer", lambda x: reverse("audit:log"), EXTREME),
    ("planner", lambda x: reverse("outreach:announcements"), EXTREME),
    (
        "planner",
        lambda x: reverse("outreach:announcement_status", args=[x["announcement"].pk]),
        EXTREME,
    ),
]


@pytest.mark.parametrize(("stored", "role", "url"), _cases(PAGES), indirect=["stored"])
def test_pages_render(client, personas, stored, role, url):
    client.force_login(personas[role])
    response = client.get(url(stored))
    assert response.status_code == 200


ENDPOINTS = [
    ("front_office", lambda x: f"/clients/{x['client'].pk}", BOTH),
    ("front_office", lambda x: f"/clients/{x['client'].pk}/timeline", BOTH),
    ("front_office", lambda x: "/commitments?mine=true", BOTH),
    ("team_lead", lambda x: "/commitments", BOTH),
    ("front_office", lambda x: f"/commitments/{x['far'].pk}", BOTH),
    ("front_office", lambda x: f"/commitments/{x['old'].pk}", EXTREME),
    ("front_office", lambda x: "/clients?q=Berg", BOTH),
    ("planner", lambda x: f"/clients/{x['client'].pk}/journey", EXTREME),
    ("planner", lambda x: f"/referrals/{x['referral'].pk}", EXTREME),
    ("planner", lambda x: "/referrals", EXTREME),
    (
        "planner",
        lambda x: f"/waiting-list?product=wijkverpleging&team_id={x['client'].team_id}",
        EXTREME,
    ),
    ("planner", lambda x: f"/waiting-list/{x['referral'].waiting_entry.pk}", EXTREME),
    ("planner", lambda x: f"/care-episodes/{x['episode'].pk}", EXTREME),
    ("planner", lambda x: "/announcements", EXTREME),
    ("planner", lambda x: f"/announcements/{x['announcement'].pk}", EXTREME),
]


# A date-time with an offset RFC 3339 can write: whole hours and minutes.
RFC3339_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
LOOKS_LIKE_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT")


def _moments(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _moments(item)
    elif isinstance(value, list):
        for item in value:
            yield from _moments(item)
    elif isinstance(value, str) and LOOKS_LIKE_MOMENT.match(value):
        yield value


@pytest.mark.parametrize(("stored", "role", "path"), _cases(ENDPOINTS), indirect=["stored"])
def test_endpoints_answer_with_real_offsets(client, personas, stored, role, path):
    response = Api(client, personas[role]).get(path(stored))

    assert response.status_code == 200, response.content[:300]
    moments = list(_moments(response.json()))
    assert [m for m in moments if not RFC3339_MOMENT.match(m)] == []


@pytest.fixture
def fields_as_declared():
    """Every model's date and datetime fields without the bounds CoreConfig.ready()
    set on them, put back afterwards: a test installs them itself."""
    from django.apps import apps

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if "from_db_value" in vars(field)
    ]
    installed = {field: vars(field)["from_db_value"] for field in fields}
    for field in fields:
        del field.from_db_value
    yield
    for field, reader in installed.items():
        field.from_db_value = reader


def test_the_bounds_are_installed_on_halte_models_only(fields_as_declared, client_noord):
    from django.contrib.sessions.models import Session

    from halte.core.moments import READABLE_UNTIL, READABLE_UNTIL_DAY, install_readable_bounds

    install_readable_bounds()
    Client.objects.filter(pk=client_noord.pk).update(
        date_of_birth=datetime.date.max, what_matters_updated_at=LATEST
    )
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=LATEST)

    read = Client.objects.get(pk=client_noord.pk)
    assert (read.date_of_birth, read.what_matters_updated_at) == (
        READABLE_UNTIL_DAY,
        READABLE_UNTIL,
    )
    # Another app's columns read as they are: their code is not Halte's to change.
    assert Session.objects.get(session_key="x" * 32).expire_date == LATEST


# PostgreSQL also stores 'infinity' and '-infinity', which no Python date holds: written
# by SQL, they are read as the ends Python can hold (halte/core/moments.py) and then
# kept readable as the extremes above are.


def _write_sql(model, column: str, value: str, pk: int) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608 - our own table and column names
            [value, pk],
        )


@pytest.fixture
def infinite(personas, client_noord):
    """client_noord born on 'infinity', with a contact at 'infinity' and one at
    '-infinity', and a promise due at 'infinity' (`far`), all written with SQL."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL stores infinity")
    kcc = Actor(personas["front_office"])
    contacts = _contacts(kcc, client_noord, ["Oneindig laat", "Oneindig vroeg"])
    promise = _promise(kcc, client_noord, "Nooit")
    _write_sql(Client, "date_of_birth", "infinity", client_noord.pk)
    _write_sql(Interaction, "occurred_at", "infinity", contacts[0].pk)
    _write_sql(Interaction, "occurred_at", "-infinity", contacts[1].pk)
    _write_sql(Commitment, "due_at", "infinity", promise.pk)
    return {"client": client_noord, "far": promise}


def test_infinity_is_read_as_the_ends_python_holds(infinite):
    sql = "SELECT 'infinity'::date, '-infinity'::date, 'infinity'::timestamp,"
    sql += " '-infinity'::timestamp, 'infinity'::timestamptz, '-infinity'::timestamptz"
    expected = (
        datetime.date.max,
        datetime.date.min,
        datetime.datetime.max,
        datetime.datetime.min,
        LATEST,
        EARLIEST,
    )
    _reads_in_both_formats(connection, sql, expected)
    assert Client.objects.get(pk=infinite["client"].pk).date_of_birth.year == 9998


def _reads_in_both_formats(wrapper, sql, expected) -> None:
    """`sql` reads as `expected` through Django's cursor (text) and in the binary format
    (with server-side binding, a cursor may ask for it)."""
    import psycopg

    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        assert cursor.fetchone() == expected
    with psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute(sql, binary=True)
        assert cursor.fetchone() == expected


def _fresh_postgresql_connection():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL stores infinity")
    from django.db import connections

    return connections.create_connection("default")


def test_every_new_connection_reads_infinity():
    """The loaders are registered as each connection opens, in both formats, for
    dates and for timestamps with and without a zone."""
    fresh = _fresh_postgresql_connection()
    sql = "SELECT 'infinity'::date, '-infinity'::timestamp, 'infinity'::timestamptz, "
    sql += "'2026-11-30'::date, '2026-11-30 12:00'::timestamp, '2026-11-30 12:00Z'::timestamptz"
    expected = (
        datetime.date.max,
        datetime.datetime.min,
        LATEST,
        datetime.date(2026, 11, 30),
        datetime.datetime(2026, 11, 30, 12),
        datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC),
    )
    try:
        _reads_in_both_formats(fresh, sql, expected)
    finally:
        fresh.close()


def test_other_dates_are_read_as_the_connection_writes_them():
    """Every other value is left to the loader the connection had, with the
    connection's settings: a server whose DateStyle is not ISO still reads."""
    fresh = _fresh_postgresql_connection()
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SET DateStyle = 'SQL, DMY'")
            cursor.execute("SELECT '2026-11-30'::date, '-infinity'::date")
            assert cursor.fetchone() == (datetime.date(2026, 11, 30), datetime.date.min)
    finally:
        fresh.close()


def test_registering_again_wraps_no_loader_twice():
    """A connection handed out again (a pool, a second receiver) would otherwise get
    one more layer each time, until reading overflowed the stack."""
    from psycopg import adapters
    from psycopg.pq import Format

    from halte.core.moments import register_infinity_loaders

    fresh = _fresh_postgresql_connection()
    try:
        fresh.ensure_connection()
        context = fresh.connection.adapters
        loaders = [
            (adapters.types[name].oid, fmt)
            for name in ("date", "timestamp", "timestamptz")
            for fmt in (Format.TEXT, Format.BINARY)
        ]
        before = [context.get_loader(oid, fmt) for oid, fmt in loaders]
        register_infinity_loaders(connection=fresh)
        assert [context.get_loader(oid, fmt) for oid, fmt in loaders] == before
    finally:
        fresh.close()

"""Plain SQL for hot paths: instances as the ORM builds them, statements as Django runs them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_init
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from halte.clients.models import Client
from halte.core.sql import Columns, hot_cursor
from halte.journey.models import Intake, Stage
from halte.journey.tests.factories import referral_at


def _row_of(instance, columns):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {columns.table} WHERE {columns.column('pk')} = %s",  # noqa: S608
            [instance.pk],
        )
        return cursor.fetchone()


def _instance_of(instance):
    columns = Columns(type(instance), "c")
    return columns.instance(_row_of(instance, columns))


def _assert_as_the_orm_builds(built, model, pk):
    loaded = model.objects.get(pk=pk)
    for field in model._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(loaded, field.attname), field.name
        assert type(getattr(built, field.attname)) is type(getattr(loaded, field.attname))
    assert (built._state.adding, built._state.db) == (False, "default")


def test_it_builds_the_instance_the_orm_builds(client_noord):
    _assert_as_the_orm_builds(_instance_of(client_noord), Client, client_noord.pk)


def test_it_converts_as_the_orm_does_also_by_the_column_read(personas, client_noord):
    """SQLite's decimals are converted by the column's field (its decimal places)."""
    referral = referral_at(
        Stage.INTAKE_DONE,
        planner=personas["planner"],
        nurse=personas["nurse_noord"],
        client=client_noord,
    )
    intake = Intake.objects.get(referral=referral)
    built = _instance_of(intake)
    assert str(built.hours_per_week) == "4.5"
    _assert_as_the_orm_builds(built, Intake, intake.pk)


def test_a_row_without_every_column_is_refused(client_noord):
    columns = Columns(Client, "c")
    with pytest.raises(ValueError, match="zip"):
        columns.instance(_row_of(client_noord, columns)[:-1])


def test_the_instance_saves_as_an_update(client_noord):
    built = _instance_of(client_noord)
    built.preferred_name = "Riek"
    built.save(update_fields=["preferred_name"])
    assert Client.objects.get(pk=client_noord.pk).preferred_name == "Riek"
    assert Client.objects.count() == 1


def test_it_goes_through_model_init_when_someone_listens(client_noord):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Client)
    try:
        built = _instance_of(client_noord)
    finally:
        post_init.disconnect(receiver, sender=Client)
    assert seen == [built]
    _assert_as_the_orm_builds(built, Client, client_noord.pk)


def test_the_hot_cursor_runs_statements_on_the_drivers_cursor(client_noord):
    with hot_cursor() as cursor:
        assert type(cursor).__name__ == "_DriverCursor"
        cursor.execute(
            "SELECT family_name, 'a%%b' FROM clients_client WHERE id = %s AND 1 = %s",
            [client_noord.pk, 1],
        )
        assert cursor.fetchone() == ("Berg", "a%b")
        cursor.execute("SELECT id FROM clients_client WHERE id = %s", [-1])
        assert cursor.fetchall() == []


def test_a_percent_sign_is_written_twice_as_in_djangos_cursors_also_before_an_s(client_noord):
    with hot_cursor() as cursor:
        cursor.execute(
            "SELECT '5%%s', '%%%%', id FROM clients_client WHERE id = %s", [client_noord.pk]
        )
        assert cursor.fetchone() == ("5%s", "%%", client_noord.pk)


def test_the_hot_cursor_raises_djangos_errors(client_noord):
    with pytest.raises(IntegrityError), transaction.atomic(), hot_cursor() as cursor:
        cursor.execute(
            "UPDATE clients_client SET family_name = NULL WHERE id = %s", [client_noord.pk]
        )


def test_the_hot_cursor_refuses_to_work_in_a_broken_transaction(client_noord):
    with transaction.atomic():
        transaction.set_rollback(True)  # as after an error caught inside the block
        with pytest.raises(TransactionManagementError), hot_cursor() as cursor:
            cursor.execute("SELECT 1")


def test_statements_are_counted_where_django_counts_them(client_noord):
    with CaptureQueriesContext(connection) as captured, hot_cursor() as cursor:
        cursor.execute("SELECT family_name FROM clients_client WHERE id = %s", [client_noord.pk])
        assert cursor.fetchone() == ("Berg",)
    assert len(captured) == 1

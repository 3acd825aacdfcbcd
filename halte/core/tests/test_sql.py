"""Model instances from plain SQL rows behave as the ORM's own."""

from django.db import connection
from django.db.models.signals import post_init

from halte.clients.models import Client
from halte.core.sql import Columns


def _instance_of(client):
    columns = Columns(Client, "c")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {columns.table} WHERE {columns.column('pk')} = %s",  # noqa: S608
            [client.pk],
        )
        return columns.instance(cursor.fetchone())


def test_it_builds_the_instance_the_orm_builds(client_noord):
    built = _instance_of(client_noord)
    loaded = Client.objects.get(pk=client_noord.pk)
    for field in Client._meta.concrete_fields:
        assert getattr(built, field.attname) == getattr(loaded, field.attname), field.name
    assert (built._state.adding, built._state.db) == (False, "default")


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

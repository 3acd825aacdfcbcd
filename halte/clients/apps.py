from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_index(sender, using, **kwargs):
    from django.db import connections

    from halte.clients.search_index import ensure_sqlite_search_index

    ensure_sqlite_search_index(connections[using])


class ClientsConfig(AppConfig):
    name = "halte.clients"
    label = "clients"

    def ready(self):
        post_migrate.connect(_repair_search_index, sender=self)

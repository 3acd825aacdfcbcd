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
        from halte.audit import extensions as audit
        from halte.clients import extensions, queries, views
        from halte.core import extensions as core

        post_migrate.connect(_repair_search_index, sender=self)
        # The audit log page names clients by number.
        audit.CLIENT_NUMBERS.register(queries.client_numbers)
        audit.CLIENT_ID_FOR_NUMBER.register(queries.client_id_for_number)
        # The client's action bar holds clients' own buttons beside the higher apps'.
        extensions.CLIENT_ACTIONS.register(views.client_page_action)
        extensions.CLIENT_ACTIONS.register(views.edit_client_action)
        core.START_PAGES.register(views.search_start)

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "halte.core"
    label = "core"

    def ready(self):
        from halte.core.sqlite import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="halte-sqlite-checkpointer")

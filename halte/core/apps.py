from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "halte.core"
    label = "core"

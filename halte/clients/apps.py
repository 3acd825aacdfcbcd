from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "halte.clients"
    label = "clients"

from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "halte.contact"
    label = "contact"

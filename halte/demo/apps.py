from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Registered only for its management command `seed_demo`; it has no models."""

    name = "halte.demo"
    label = "demo"

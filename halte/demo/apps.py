from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo seeding (`manage.py seed_demo`) and, while `make demo` runs, the demo
    organisation's activity (HALTE_DEMO_ACTIVITY); it has no models."""

    name = "halte.demo"
    label = "demo"

    def ready(self):
        from django.conf import settings

        if settings.HALTE_DEMO_ACTIVITY:
            from datetime import timedelta

            from halte.core.schedule import PERIODIC_JOBS, PeriodicJob
            from halte.demo.tasks import demo_activity

            PERIODIC_JOBS.register(
                PeriodicJob("demo_activity", demo_activity, every=timedelta(minutes=1))
            )

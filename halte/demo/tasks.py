from django_tasks import task


@task()
def demo_activity(since: str, until: str) -> list[str]:
    """A few things happen in the demo organisation (halte.demo.activity)."""
    from halte.demo import activity

    return [activity.step() for _ in range(2)]

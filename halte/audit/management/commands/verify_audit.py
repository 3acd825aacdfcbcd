from django.core.management.base import BaseCommand, CommandError

from halte.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain: detects changed, removed and truncated entries."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.problem:
            raise CommandError(
                f"Audit log NOT intact after {report.checked} entries: {report.problem}."
            )
        self.stdout.write(f"Audit log intact: {report.checked} entries verified.")

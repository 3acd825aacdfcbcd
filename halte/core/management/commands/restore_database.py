from pathlib import Path

from django.core.management.base import BaseCommand

from halte.core.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_database into the database DATABASE_URL names, "
        "which must be new and empty. Then run `manage.py migrate` and `manage.py verify_audit`."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="the backup file")

    def handle(self, *args, backup, **options):
        restore(backup)
        self.stdout.write(
            f"Restored {backup}. Next: manage.py migrate, then manage.py verify_audit."
        )

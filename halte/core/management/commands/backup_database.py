from pathlib import Path

from django.core.management.base import BaseCommand

from halte.core.backup import backup, default_destination


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database while Halte keeps running (SQLite's "
        "online backup, or pg_dump). The file is readable by its owner only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            type=Path,
            help="the backup file to write (default: var/backups/halte-<UTC time>.sqlite3 "
            "or .pgdump)",
        )

    def handle(self, *args, destination=None, **options):
        written = backup(destination or default_destination())
        self.stdout.write(f"Backup written: {written}")

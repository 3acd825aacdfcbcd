from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from halte.core.backup import backup, default_destination


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database while Halte keeps running (SQLite's "
        "online backup, or pg_dump). The file is readable by its owner only, and "
        "encrypted with GnuPG when a public key is given (HALTE_BACKUP_PUBLIC_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "destination",
            nargs="?",
            type=Path,
            help="the backup file to write (default: var/backups/halte-<UTC time>.sqlite3 "
            "or .pgdump, with .gpg when encrypted)",
        )
        parser.add_argument(
            "--encrypt-to",
            type=Path,
            metavar="PUBLIC_KEY_FILE",
            help="encrypt the backup to this OpenPGP public key file (default: "
            "HALTE_BACKUP_PUBLIC_KEY)",
        )

    def handle(self, *args, destination=None, encrypt_to=None, **options):
        public_key = encrypt_to or settings.HALTE_BACKUP_PUBLIC_KEY
        destination = destination or default_destination(encrypted=public_key is not None)
        written = backup(destination, public_key=public_key)
        self.stdout.write(f"Backup written: {written}" + (" (encrypted)" if public_key else ""))

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from halte.audit import anchors, keys


class Command(BaseCommand):
    help = (
        "Append the heads of every audit chain, signed, to the anchor file"
        " (AUDIT_ANCHOR_FILE); with --new-key, print a new signing key pair instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anchor-file", help="Default: AUDIT_ANCHOR_FILE.")
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="Print a new Ed25519 key pair for AUDIT_ANCHOR_SIGNING_KEY (private) and"
            " the copies' verifiers (public). Writes nothing.",
        )

    def handle(self, *args, **options):
        if options["new_key"]:
            private, public = keys.new_signing_key()
            self.stdout.write(f"AUDIT_ANCHOR_SIGNING_KEY={private}\npublic key: {public}")
            return
        path = options["anchor_file"] or settings.AUDIT_ANCHOR_FILE
        if not path:
            raise CommandError("No anchor file: set AUDIT_ANCHOR_FILE or give --anchor-file.")
        line = anchors.append_anchor(path)
        heads = ", ".join(f"{chain}: {position}" for chain, position, _hash in line["heads"])
        self.stdout.write(f"Anchor line {line['n']} written to {path}: chains {heads or 'none'}.")

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from halte.audit import anchors as anchor_file
from halte.audit.queries import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit log: every entry's HMAC, every chain's links without gaps, the"
        " chain heads, and the anchor file (its signatures and links, and every anchored"
        " head still in its chain). Names the first point where they disagree."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file",
            help="The anchor file to check against (default: AUDIT_ANCHOR_FILE). Give a"
            " copy kept elsewhere to check the database against that copy.",
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="An anchor signing public key (base64), besides the current signing key's"
            " and AUDIT_ANCHOR_PUBLIC_KEYS; may be repeated.",
        )
        parser.add_argument(
            "--only-public-keys",
            action="store_true",
            help="Trust only the keys given with --public-key (a second machine that does"
            " not hold the signing key).",
        )
        parser.add_argument(
            "--no-anchors", action="store_true", help="Check the chains without the anchors."
        )
        parser.add_argument(
            "--anchors-only",
            action="store_true",
            help="Check the anchor file alone (signatures and links), without the database.",
        )

    def handle(self, *args, **options):
        path = options["anchor_file"] or settings.AUDIT_ANCHOR_FILE
        anchors = []
        if options["no_anchors"] or not path:
            if options["anchors_only"]:
                raise CommandError("No anchor file: give --anchor-file or set AUDIT_ANCHOR_FILE.")
            self.stdout.write("Anchors not checked (no anchor file configured).")
        else:
            anchors = self._anchors(path, options)
            self.stdout.write(f"Anchor file intact: {len(anchors)} lines, {path}.")
        if options["anchors_only"]:
            return
        report = verify_chain(anchors=anchors)
        if report.problem:
            raise CommandError(
                f"Audit log NOT intact after {report.checked} entries: {report.problem}."
            )
        chains = ", ".join(f"{chain}: {pos}" for chain, (pos, _hash) in report.chains.items())
        self.stdout.write(
            f"Audit log intact: {report.checked} entries verified"
            f" ({report.legacy} from before the chain was keyed), chains {chains or 'empty'},"
            f" {report.anchors_checked} anchored heads found in their chains."
        )

    def _anchors(self, path, options):
        try:
            if options["only_public_keys"]:
                keys = [anchor_file.keys.public_key(text) for text in options["public_key"]]
            else:
                keys = anchor_file.public_keys(options["public_key"])
            return anchor_file.read_anchors(path, keys)
        except FileNotFoundError:
            raise CommandError(
                f"Audit log NOT intact: the anchor file {path} is missing."
            ) from None
        except (anchor_file.AnchorFileError, ImproperlyConfigured) as error:
            raise CommandError(f"Audit log NOT intact: {error}.") from None

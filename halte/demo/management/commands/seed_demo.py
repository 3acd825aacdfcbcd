"""`manage.py seed_demo`: load the demo home-care organisation (see halte.demo)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from halte.demo import seed as demo


class Command(BaseCommand):
    help = "Load a demo home-care organisation with staff and clients; print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clients",
            type=int,
            default=2000,
            help="How many clients in all, the fixed demo clients included.",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed gives the same clients."
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Remove the demo organisation and all clients first.",
        )

    def handle(self, *args, clients, seed, flush, verbosity, **options):
        if clients < 0:
            raise CommandError("--clients must be 0 or more.")
        if flush:
            demo.flush()
            self.stdout.write("Removed the demo organisation and all clients.")
        try:
            result = demo.seed(clients=clients, seed=seed, progress=verbosity >= 1)
        except demo.SeedError as error:
            raise CommandError(str(error)) from error
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo organisation: {result.clients:,} clients "
                    f"in {result.seconds:.1f} s."
                )
            )
        else:
            self.stdout.write(
                f"The demo organisation is already there ({result.clients:,} clients); "
                "nothing loaded. Use --flush to start over."
            )
        self._print_logins()

    def _print_logins(self):
        # Commands run without a language; show the roles as the app names them.
        with translation.override(settings.LANGUAGE_CODE):
            rows = [("Role", "Username", "Team"), *demo.logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        # Before the table, which ends the output (tools read the logins from it).
        self.stdout.write(
            f"'{demo.DEMO_TOTP_LOGIN}' also signs in with a second factor: add the key "
            f"{demo.DEMO_TOTP_SECRET} to an authenticator app, or print the code of the "
            f"moment with `python manage.py demo_totp_code {demo.DEMO_TOTP_LOGIN}`."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
            )
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))

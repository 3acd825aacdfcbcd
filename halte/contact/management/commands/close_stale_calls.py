"""End the calls whose `ended` never came from the telephone system.

Pages and the API already treat such calls as ended; this writes it down. The
scheduler does it every 5 minutes (contact.tasks.close_stale_calls); this command
does it by hand. Running it twice does nothing the second time.
"""

from django.core.management.base import BaseCommand

from halte.contact.services import close_stale_calls


class Command(BaseCommand):
    help = "End the calls still ringing or answered past their time-out."

    def handle(self, *args, **options):
        closed = close_stale_calls()
        self.stdout.write(f"Closed {closed} stale call{'' if closed == 1 else 's'}.")

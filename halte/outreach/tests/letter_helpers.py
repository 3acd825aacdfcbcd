"""Letters for the tests: outbox rows on the letter channel, and their PDF read back
as text (pypdf), page by page, as a printer would print it."""

import io
import itertools

from django.utils import timezone
from pypdf import PdfReader

from halte.clients.tests.factories import ClientFactory
from halte.outreach.models import Message, MessageChannel, Trigger

_keys = itertools.count(1)

BODY = (
    "Geachte mevrouw Çelik,\n\n"
    "Wij hebben uw aanmelding voor wijkverpleging ontvangen.\n"
    "Binnen vijf werkdagen belt een wijkverpleegkundige u op.\n\n"
    "Heeft u vragen? Bel ons dan op 033 460 12 10."
)


def letter(client=None, **fields) -> Message:
    """A letter to the client, queued, not yet in a batch."""
    client = client or ClientFactory()
    values = {
        "client": client,
        "recipient_name": "Mevrouw Z. Çelik",
        "channel": MessageChannel.LETTER,
        "address": "Kruiskamp 118\n3817 VK  AMERSFOORT",
        "language": "nl",
        "trigger": Trigger.REFERRAL_RECEIVED,
        "subject": "Wij hebben uw aanmelding ontvangen",
        "body": BODY,
        "idempotency_key": f"test:letter:{next(_keys)}",
        "send_after": timezone.now(),
        **fields,
    }
    return Message.objects.create(**values)


def pdf_pages(pdf: bytes) -> list["PageText"]:
    """The text of each page."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return [PageText(page.extract_text()) for page in reader.pages]


class PageText(str):
    """A page's text, where `"Tweede regel" in page` ignores whitespace: the reader
    puts a space where a kerned pair ("T" and "w") sits close, and a line break
    where the text wraps."""

    def __new__(cls, text: str):
        page = super().__new__(cls, text)
        page.squashed = "".join(text.split())
        return page

    def __contains__(self, expected: str) -> bool:
        return "".join(expected.split()) in self.squashed

    def count(self, expected: str) -> int:
        return self.squashed.count("".join(expected.split()))


def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))

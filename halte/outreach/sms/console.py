"""Development backend: prints each text message to the terminal the process runs in.

It writes to a stream, not to the log, and settings refuse it in production: the
number and the text must never reach a log."""

import sys
import uuid

from halte.outreach.sms.base import SmsGateway
from halte.outreach.sms.validation import measure


class ConsoleGateway(SmsGateway):
    name = "console"

    def __init__(self, *, sender: str, stream=None):
        self.sender = sender
        self.stream = stream

    def send(self, to_e164: str, text: str, reference: str) -> str:
        provider_id = f"console-{uuid.uuid4().hex}"
        length = measure(text)
        stream = self.stream or sys.stdout
        rule = "-" * 72
        stream.write(
            f"{rule}\nSMS from {self.sender} to {to_e164}"
            f" ({length.segments} part(s), {length.encoding}; reference {reference})\n"
            f"{text}\n{rule}\n"
        )
        stream.flush()
        return provider_id

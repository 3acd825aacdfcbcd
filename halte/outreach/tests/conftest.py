"""A real SMTP server for the tests that send email (aiosmtpd, on a free local port).

    def test_it_mails(smtp_server, ...):
        ...  # code that sends through Django's mail
        [message] = smtp_server.messages  # email.message.EmailMessage
        assert message["To"] == "..."

The fixture points Django's SMTP backend at the server for the test. Set
`smtp_server.refuse = "451 4.3.0 Try again later"` to make it refuse what follows;
`smtp_server.recipients` holds each message's envelope recipients."""

import email
import email.policy
import logging
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class RecordingSMTPServer:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list = field(default_factory=list)  # email.message.EmailMessage
    recipients: list = field(default_factory=list)  # [address, ...] per message
    refuse: str | None = None  # an SMTP reply to give DATA instead of accepting

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        if self.refuse:
            return self.refuse
        content = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    server = RecordingSMTPServer()
    server.port = _free_port(server.host)
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    # aiosmtpd logs every envelope's addresses at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        controller.stop()

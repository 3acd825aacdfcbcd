"""A real SMTP server for the tests (aiosmtpd): mail is read where it arrived.

The `smtp_server` fixture is imported by halte/outreach/tests/conftest.py and by
tests_browser/conftest.py, so the outreach tests and the browser tests share it."""

import asyncio
import email
import email.policy
import logging
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """An SMTP handler that keeps what arrives. `refuse` makes it answer DATA with
    that reply instead ("451 ..." a temporary, "550 ..." a permanent refusal)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: str | None = None
        self.delay = 0.0  # seconds to take over each message, as a slow server would
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on a free local port, with Django's mail pointed at it."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's every command
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Zorggroep De Halte <noreply@halte.example>"
    inbox.controller = controller
    yield inbox
    if controller.loop.is_running():  # a test may have stopped it (a server down)
        controller.stop()

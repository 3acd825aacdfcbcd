"""Text messages: a gateway interface (base.SmsGateway) with a console and a file
backend for development and the demo, and CM.com's Business Messaging API for real
sending. SMS_BACKEND chooses; get_gateway() builds the one chosen."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from halte.outreach.sms.base import SmsGateway


def get_gateway() -> SmsGateway:
    """The gateway the settings name (built anew: cheap, and settings may change in
    tests)."""
    backend = settings.SMS_BACKEND
    if backend == "console":
        from halte.outreach.sms.console import ConsoleGateway

        return ConsoleGateway(sender=settings.SMS_SENDER)
    if backend == "file":
        from halte.outreach.sms.file import FileGateway

        return FileGateway(directory=settings.SMS_FILE_DIR, sender=settings.SMS_SENDER)
    if backend == "cm":
        from halte.outreach.sms.cm import CmGateway
        from halte.outreach.sms.validation import max_segments

        return CmGateway(
            url=settings.CM_API_URL,
            product_token=settings.CM_PRODUCT_TOKEN,
            sender=settings.SMS_SENDER,
            timeout=settings.SMS_TIMEOUT_SECONDS,
            max_parts=max_segments(),
        )
    raise ImproperlyConfigured(f"SMS_BACKEND {backend!r} is not console, file or cm.")

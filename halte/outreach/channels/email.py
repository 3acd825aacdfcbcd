"""Email through Django's mail backend (SMTP in production: settings EMAIL_*)."""

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from halte.outreach.channels import DeliveryError


def message_id(message) -> str:
    """Made from the idempotency key: were the same message ever handed over twice,
    mail systems would see one message."""
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "halte.invalid"
    return f"<{digest}@{domain}>"


def deliver(message) -> str:
    reference = message_id(message)
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={"Message-ID": reference, "Auto-Submitted": "auto-generated"},
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("smtp_recipient_refused", temporary=False) from None
    except smtplib.SMTPResponseException as error:
        # 5xx: the server will not take it; 4xx: try again later.
        raise DeliveryError(f"smtp_{error.smtp_code}", temporary=error.smtp_code < 500) from None
    except (TimeoutError, smtplib.SMTPException, OSError):
        raise DeliveryError("smtp_unreachable", temporary=True) from None
    return reference

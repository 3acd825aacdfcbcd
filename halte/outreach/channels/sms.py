"""The SMS channel: a message leaves through the gateway SMS_BACKEND names.

The number and the text are checked again here (the composer checks them before
queueing): a row that was queued before a rule changed fails with a clear code
instead of reaching the gateway."""

from django.core.exceptions import ValidationError

from halte.outreach.channels import DeliveryError
from halte.outreach.sms import get_gateway
from halte.outreach.sms.validation import check_text, is_sms_capable


def deliver(message) -> str:
    if not is_sms_capable(message.address):
        raise DeliveryError("sms_not_mobile", temporary=False)
    try:
        check_text(message.body)
    except ValidationError as error:
        raise DeliveryError(error.code, temporary=False) from None
    return get_gateway().send(message.address, message.body, message.idempotency_key)

"""The SMS gateway interface every backend keeps.

A gateway hands one text to one mobile number and returns its reference for it. It
raises halte.outreach.channels.DeliveryError with a short code (never the number or
the text) and `temporary` set when trying again later may help."""

from abc import ABC, abstractmethod

from django.utils.translation import gettext_lazy as _

from halte.outreach.channels import DeliveryError

__all__ = ["ERROR_LABELS", "DeliveryError", "SmsGateway", "describe_error"]


class SmsGateway(ABC):
    name: str = ""

    @abstractmethod
    def send(self, to_e164: str, text: str, reference: str) -> str:
        """Send `text` to `to_e164` (+31612345678) and return the provider's id.

        `reference` is stable for the message (its idempotency key): a backend passes
        it, or a value derived from it, to the provider so that a status report can be
        matched to the outbox row."""


# What staff read beside a failed message in the outbox (the codes are stored).
ERROR_LABELS = {
    "sms_not_mobile": _("The number is not a mobile number."),
    "sms_text_empty": _("The text message is empty."),
    "sms_text_too_long": _("The text message is too long."),
    "sms_file_unwritable": _("The text message could not be written to the SMS folder."),
    "gateway_unreachable": _("The SMS gateway could not be reached."),
    "gateway_timeout": _("The SMS gateway did not answer in time."),
    "gateway_auth": _("The SMS gateway refused Halte's product token."),
    "gateway_balance": _("The SMS account's balance is used up."),
    "gateway_malformed": _("The SMS gateway could not read Halte's request."),
    "gateway_sender_invalid": _("The SMS gateway refused the sender name."),
    "gateway_number_invalid": _("The SMS gateway refused the number."),
    "gateway_text_invalid": _("The SMS gateway refused the text."),
    "gateway_field_invalid": _("The SMS gateway refused a field of the message."),
    "gateway_spam_filtered": _("The SMS gateway held the message back as spam."),
    "gateway_blacklisted": _("The number does not accept text messages from us."),
    "gateway_rejected": _("The SMS gateway rejected the message."),
    "gateway_internal_error": _("The SMS gateway had an internal error."),
    "gateway_unknown_error": _("The SMS gateway reported an unknown error."),
    "gateway_bad_response": _("The SMS gateway gave an answer Halte does not understand."),
}


def describe_error(code: str) -> str:
    """The label of an SMS error code; codes with a number (gateway_http_503) by kind."""
    if code in ERROR_LABELS:
        return str(ERROR_LABELS[code])
    if code.startswith("gateway_http_"):
        return str(_("The SMS gateway answered with an HTTP error."))
    return str(_("The SMS gateway rejected the message."))

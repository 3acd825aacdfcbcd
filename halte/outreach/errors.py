"""What staff read beside a message that did not leave: the stored codes in words."""

from django.utils.translation import gettext_lazy as _

from halte.outreach.sms.base import ERROR_LABELS as SMS_ERRORS

ERRORS = {
    **SMS_ERRORS,
    "smtp_unreachable": _("The mail server could not be reached."),
    "smtp_recipient_refused": _("The mail server refused the email address."),
    "worker_stopped": _("Halte stopped while handing the message over."),
    "letter_no_address": _("The letter has no address."),
    "letter_address_too_long": _("The address has too many lines for the envelope window."),
    "letter_batch_closed": _("The day's letters were already closed."),
}


def error_text(code: str) -> str:
    """The words for a stored error code; the code itself when there are none."""
    if not code:
        return ""
    if code in ERRORS:
        return str(ERRORS[code])
    if code.startswith("smtp_"):
        number = code.removeprefix("smtp_")
        if number.isdigit() and int(number) >= 500:
            return str(_("The mail server refused the message (%(code)s).") % {"code": number})
        return str(_("The mail server asked to try again later (%(code)s).") % {"code": number})
    if code.startswith("gateway_"):
        return str(_("The SMS gateway refused or failed (%(code)s).") % {"code": code})
    if code.startswith("error_"):
        return str(_("An error in Halte (%(code)s).") % {"code": code.removeprefix("error_")})
    return code

"""CM.com (Breda): text messages through the Business Messaging API.

What this follows, as CM.com documents it (read 2026-11-30):
- developers.cm.com/messaging/docs/integration: POST a JSON body to
  https://gw.cmtelecom.com/v1.0/message (the endpoint without Cloudflare; the
  recommended https://gw.messaging.cm.com/v1.0/message makes Cloudflare Inc., USA, a
  sub-processor, so it is a choice for CM_API_URL, not the default); the product token,
  with its hyphens, in the X-CM-PRODUCTTOKEN header.
- developers.cm.com/messaging/docs/shared-features: a message is
  {"from", "to": [{"number"}], "body": {"type", "content"}, "allowedChannels"}; `from`
  is at most 11 alphanumerics or 16 digits; numbers are written 00 + country code +
  number, without + or spaces.
- developers.cm.com/messaging/docs/sms: "type": "auto" lets the gateway choose GSM-7
  or Unicode; minimumNumberOfMessageParts/maximumNumberOfMessageParts bound a long
  text's parts (at most 8).
- The `reference` is 1-32 alphanumerics and comes back in the status reports
  (text-sdk-dotnet, Model/Message.cs; developers.cm.com/messaging/docs/http-get-protocol).
- developers.cm.com/messaging/docs/responses-errors-json: the answer is
  {"details", "errorCode", "messages": [{"to", "status": "Accepted"|"Rejected",
  "reference", "parts", "messageDetails", "messageErrorCode"}]}; a request refused as a
  whole is HTTP 400 ("No account found for the given authentication", errorCode 101,
  no messages); a partly refused one errorCode 201. The codes are those of CM's
  text-sdk-dotnet TextClientStatusCode.cs: 101 authentication failed, 102 balance
  insufficient, 103 product token incorrect, 201 not all sent, 202 malformed request,
  203 msg array incorrect, 301 from invalid, 302 to invalid, 303 MSISDN invalid, 304
  body invalid, 305 field invalid, 401 spam filtered, 402 blacklisted, 403 rejected,
  500 internal error, 999 unknown.
The JSON answer carries no message id of CM's own: the reference is the id, the one
the status reports name. CM does not deduplicate on it; the outbox does.

A time-out is reported as temporary, as a gateway that is down is; but CM may have
accepted the message before the answer was lost, so a retry after a time-out can
send it twice. An answer that is not CM's (a 2xx without CM's JSON) is reported as
permanent for that reason: nobody knows whether the text left."""

import hashlib
import http.client
import json
import logging
import re
import urllib.error
import urllib.request

from halte.outreach.channels import DeliveryError
from halte.outreach.sms.base import SmsGateway

logger = logging.getLogger(__name__)

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# An answer larger than this is not CM's; reading it all would only cost memory.
_MAX_ANSWER = 256 * 1024

# CM's error codes -> (Halte's code, whether trying again later may help).
CM_ERRORS = {
    101: ("gateway_auth", False),
    102: ("gateway_balance", True),  # topped up, the queued messages go out
    103: ("gateway_auth", False),
    202: ("gateway_malformed", False),
    203: ("gateway_malformed", False),
    301: ("gateway_sender_invalid", False),
    302: ("gateway_number_invalid", False),
    303: ("gateway_number_invalid", False),
    304: ("gateway_text_invalid", False),
    305: ("gateway_field_invalid", False),
    401: ("gateway_spam_filtered", False),
    402: ("gateway_blacklisted", False),
    403: ("gateway_rejected", False),
    500: ("gateway_internal_error", True),
    999: ("gateway_unknown_error", True),
}


def cm_reference(reference: str) -> str:
    """CM's reference for a message: 32 hex digits (alphanumerics, as CM asks) of a
    hash of Halte's idempotency key, so that it is the same on every attempt."""
    return hashlib.sha256(reference.encode()).hexdigest()[:32]


def cm_number(e164: str) -> str:
    """+31612345678 -> 0031612345678, the form CM asks for."""
    return "00" + e164[1:]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the message; a
    # redirect means CM_API_URL is wrong, and is reported as the HTTP error it is.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class CmGateway(SmsGateway):
    name = "cm"

    def __init__(
        self, *, url: str, product_token: str, sender: str, timeout: float, max_parts: int
    ):
        if not url.startswith(("https://", "http://")):
            raise ValueError("CM_API_URL must be an http(s) URL.")
        self.url = url
        self.product_token = product_token
        self.sender = sender
        self.timeout = timeout
        self.max_parts = max_parts
        self._opener = urllib.request.build_opener(_NoRedirects)

    def payload(self, to_e164: str, text: str, reference: str) -> dict:
        return {
            "messages": {
                "msg": [
                    {
                        "allowedChannels": ["SMS"],
                        "from": self.sender,
                        "to": [{"number": cm_number(to_e164)}],
                        "body": {"type": "auto", "content": text},
                        "reference": cm_reference(reference),
                        "minimumNumberOfMessageParts": 1,
                        "maximumNumberOfMessageParts": self.max_parts,
                    }
                ]
            }
        }

    def send(self, to_e164: str, text: str, reference: str) -> str:
        if not _E164.fullmatch(to_e164 or ""):
            raise DeliveryError("gateway_number_invalid", temporary=False)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps(self.payload(to_e164, text, reference)).encode("utf-8"),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "X-CM-PRODUCTTOKEN": self.product_token,
                "User-Agent": "Halte",
            },
            method="POST",
        )
        status, answer = self._post(request)
        try:
            provider_id = self._interpret(status, answer, cm_reference(reference))
        except DeliveryError as error:
            logger.warning(
                "CM.com refused an SMS: %s (HTTP %s, temporary=%s), reference %s",
                error.code,
                status,
                error.temporary,
                cm_reference(reference),
            )
            raise
        logger.info("CM.com accepted an SMS, reference %s", provider_id)
        return provider_id

    def _post(self, request) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read(_MAX_ANSWER)
        except urllib.error.HTTPError as error:
            try:
                return error.code, error.read(_MAX_ANSWER)
            except (OSError, http.client.HTTPException):
                return error.code, b""
            finally:
                error.close()
        except urllib.error.URLError as error:
            # The reason may quote the URL, never the number or the text; still only
            # the kind of failure is logged.
            if isinstance(error.reason, TimeoutError):
                raise DeliveryError("gateway_timeout", temporary=True) from None
            logger.warning("CM.com unreachable: %s", type(error.reason).__name__)
            raise DeliveryError("gateway_unreachable", temporary=True) from None
        except TimeoutError:
            # The request went; its answer did not come: CM may have taken it.
            raise DeliveryError("gateway_timeout", temporary=True, maybe_sent=True) from None
        except (OSError, http.client.HTTPException) as error:
            # The connection broke while the answer was read.
            logger.warning("CM.com connection broke: %s", type(error).__name__)
            raise DeliveryError("gateway_unreachable", temporary=True, maybe_sent=True) from None

    def _interpret(self, status: int, answer: bytes, reference: str) -> str:
        if status >= 500 or status in (408, 429):
            raise DeliveryError(f"gateway_http_{status}", temporary=True)
        if status in (401, 403):
            raise DeliveryError("gateway_auth", temporary=False)
        try:
            body = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            if 200 <= status < 300:
                # Something answered that is not CM; whether the text left is
                # unknown, so it is not sent again by itself.
                raise DeliveryError("gateway_bad_response", temporary=False, maybe_sent=True)
            raise DeliveryError(f"gateway_http_{status}", temporary=False)

        messages = body.get("messages")
        if not isinstance(messages, list):
            messages = []
        ours = next(
            (m for m in messages if isinstance(m, dict) and m.get("reference") == reference),
            messages[0] if len(messages) == 1 and isinstance(messages[0], dict) else None,
        )
        verdict = str(ours.get("status", "")).lower() if ours is not None else ""
        if verdict == "accepted" and 200 <= status < 300:
            return reference
        if verdict == "rejected":
            raise _cm_error(ours.get("messageErrorCode"))
        code = _as_int(body.get("errorCode"))
        if code not in (None, 0, 201):
            raise _cm_error(code)
        if 200 <= status < 300:
            raise DeliveryError("gateway_bad_response", temporary=False)
        raise DeliveryError(f"gateway_http_{status}", temporary=False)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cm_error(value) -> DeliveryError:
    code = _as_int(value)
    halte_code, temporary = CM_ERRORS.get(code, (f"gateway_error_{code}", False))
    return DeliveryError(halte_code, temporary=temporary)

"""A local HTTP server that speaks CM.com's Business Messaging API (JSON POST to
/v1.0/message), for the SMS gateway's tests.

It checks a request as CM documents it (halte/outreach/sms/cm.py names the pages):
the product token (X-CM-PRODUCTTOKEN header, or messages.authentication.producttoken
in the body; CM reads JSON keys without regard to case), the msg array, `from` (11
alphanumerics or 16 digits), each `to` number (00 + country code + number, digits
only), a body with content, a reference of 1-32 alphanumerics, allowedChannels with
SMS, and a text within maximumNumberOfMessageParts. It answers with CM's shapes:
HTTP 400 {"details": "No account found for the given authentication", "errorCode":
101, "messages": []} for a bad token; per message "Accepted" or "Rejected" with a
messageErrorCode, errorCode 0 when all were created, 201 when some were not, and
HTTP 400 when none were.

Where CM's pages do not say what the gateway answers (a text beyond its parts, a
malformed body), the code follows CM's SDK status codes (304 body invalid, 202
malformed request): an assumption, marked where it is made.

`behaviour` makes it misbehave the ways a gateway does: "http_500" (a 500 with an
HTML page, as a load balancer sends), "http_401" (a bare 401, as an auth proxy
sends), "slow" (answers after `delay` seconds), "garbage" (200 with non-JSON),
"redirect" (301 elsewhere); `balance_empty` answers as an account without credit."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from halte.outreach.sms.validation import measure

PATH = "/v1.0/message"
_FROM = re.compile(r"[A-Za-z0-9 ]{1,11}|[0-9]{1,16}")
_NUMBER = re.compile(r"00[1-9][0-9]{6,14}")
_REFERENCE = re.compile(r"[A-Za-z0-9]{1,32}")


def _lower_keys(value):
    """CM reads JSON keys without regard to case: compare them lowered."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


class CmServer:
    def __init__(self, token: str):
        self.token = token
        self.behaviour = "normal"
        self.balance_empty = False
        self.delay = 0.0
        self.received: list[dict] = []  # {"headers": {...}, "json": {...}} per request
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    # What CM does with one request ------------------------------------------------

    def answer(self, headers: dict, raw: bytes) -> tuple[int, dict]:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
        self.received.append({"headers": headers, "json": body})
        if not isinstance(body, dict):  # assumption: CM SDK's 202 "malformed request"
            return 400, {"details": "Malformed request", "errorCode": 202, "messages": []}
        lowered = _lower_keys(body).get("messages")
        if not isinstance(lowered, dict):
            return 400, {"details": "Malformed request", "errorCode": 202, "messages": []}
        token = headers.get("x-cm-producttoken") or (lowered.get("authentication") or {}).get(
            "producttoken"
        )
        if token != self.token:
            return 400, {
                "details": "No account found for the given authentication",
                "errorCode": 101,
                "messages": [],
            }
        if self.balance_empty:  # assumption: the XML gateway's text, CM SDK's code 102
            return 400, {"details": "Insufficient balance.", "errorCode": 102, "messages": []}
        msgs = lowered.get("msg")
        if not isinstance(msgs, list) or not msgs:
            return 400, {"details": "The MSG array is incorrect", "errorCode": 203, "messages": []}
        results = [result for msg in msgs for result in self._message(msg)]
        created = sum(1 for r in results if r["status"] == "Accepted")
        details = f"Created {created} message(s)"
        if created == len(results):
            return 200, {"details": details, "errorCode": 0, "messages": results}
        return (200 if created else 400), {
            "details": details,
            "errorCode": 201,
            "messages": results,
        }

    def _message(self, msg: dict) -> list[dict]:
        reference = msg.get("reference")
        recipients = msg.get("to") if isinstance(msg.get("to"), list) else []
        numbers = [r.get("number", "") for r in recipients if isinstance(r, dict)]
        if not numbers:
            return [_rejected(None, reference, 302, "No phone numbers found.")]

        def rejected_all(code, text):
            return [_rejected(n, reference, code, text) for n in numbers]

        sender = msg.get("from")
        if not isinstance(sender, str) or not _FROM.fullmatch(sender):
            return rejected_all(301, "No FROM field found in a MSG node.")
        if reference is not None and not _REFERENCE.fullmatch(str(reference)):
            return rejected_all(305, "The reference is not 1 to 32 alphanumeric characters.")
        channels = msg.get("allowedchannels")
        if channels is not None and "sms" not in [str(c).lower() for c in channels]:
            return rejected_all(305, "No allowed channel this account can send by.")
        content = (
            (msg.get("body") or {}).get("content") if isinstance(msg.get("body"), dict) else None
        )
        if not content:
            return rejected_all(304, "A body without content was found")
        parts = measure(content).segments
        maximum = int(msg.get("maximumnumberofmessageparts") or 1)
        if parts > maximum:  # assumption: refused as a body CM cannot send (304)
            return rejected_all(304, f"Message needs {parts} parts, at most {maximum} allowed.")
        results = []
        for number in numbers:
            if not _NUMBER.fullmatch(str(number)):
                results.append(
                    _rejected(number, reference, 303, f"Gsm '{number}' is not a number.")
                )
            else:
                results.append(
                    {
                        "to": number,
                        "status": "Accepted",
                        "reference": reference,
                        "parts": parts,
                        "messageDetails": None,
                        "messageErrorCode": 0,
                    }
                )
        return results

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # the numbers stay out of test output
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if server.behaviour == "slow":
                    time.sleep(server.delay)
                if server.behaviour == "http_500":
                    server.received.append({"headers": headers, "json": None})
                    return self._send(500, b"<html>Internal Server Error</html>", "text/html")
                if server.behaviour == "http_401":
                    server.received.append({"headers": headers, "json": None})
                    return self._send(401, b"Unauthorized", "text/plain")
                if server.behaviour == "redirect":
                    server.received.append({"headers": headers, "json": None})
                    self.send_response(301)
                    self.send_header("Location", "http://127.0.0.1:9/v1.0/message")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if server.behaviour == "garbage":
                    server.received.append({"headers": headers, "json": None})
                    return self._send(200, b"OK", "text/plain")
                if self.path != PATH:
                    return self._send(404, b"Not Found", "text/plain")
                if not headers.get("content-type", "").startswith("application/json"):
                    return self._send(
                        400,
                        json.dumps(
                            {"details": "Malformed request", "errorCode": 202, "messages": []}
                        ).encode(),
                        "application/json",
                    )
                status, body = server.answer(headers, raw)
                self._send(status, json.dumps(body).encode("utf-8"), "application/json")

            def _send(self, status, data, content_type):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


def _rejected(number, reference, code: int, details: str) -> dict:
    return {
        "to": number,
        "status": "Rejected",
        "reference": reference,
        "parts": 0,
        "messageDetails": details,
        "messageErrorCode": code,
    }

"""The CM.com gateway against a local server that checks requests as CM documents
them and answers in CM's shapes (cm_server.py)."""

import json
import logging
import socket

import pytest

from halte.outreach.channels import DeliveryError
from halte.outreach.channels import deliver as deliver_by_channel
from halte.outreach.models import Message, MessageChannel
from halte.outreach.sms import get_gateway
from halte.outreach.sms.cm import CmGateway, cm_reference
from halte.outreach.tests.cm_server import CmServer

TOKEN = "3f2b6c1e-8d4a-4b7e-9c0f-1a2b3c4d5e6f"
NUMBER = "+31612345678"
KEY = "care_started:episode:12:client"
# Dutch with ë (so UCS-2), the euro sign, a line break and an emoji (a surrogate pair).
TEXT = "Beste mevrouw Van den Berg,\nuw zorg begint maandag. Eigen bijdrage: € 0. Tot ziens! 🙂"


@pytest.fixture
def cm(settings):
    with CmServer(TOKEN) as server:
        settings.SMS_BACKEND = "cm"
        settings.CM_API_URL = server.url
        settings.CM_PRODUCT_TOKEN = TOKEN
        settings.SMS_SENDER = "WijkzorgN"
        settings.SMS_TIMEOUT_SECONDS = 1
        settings.SMS_MAX_SEGMENTS = 6
        yield server


def _only_message(server):
    assert len(server.received) == 1
    (msg,) = server.received[0]["json"]["messages"]["msg"]
    return msg


def test_an_accepted_message_returns_its_reference_and_arrives_exactly(cm):
    provider_id = get_gateway().send(NUMBER, TEXT, KEY)

    assert provider_id == cm_reference(KEY)
    assert len(provider_id) == 32 and provider_id.isalnum()
    request = cm.received[0]
    assert request["headers"]["x-cm-producttoken"] == TOKEN
    assert request["headers"]["content-type"].startswith("application/json")
    # The token goes in the header only, not in the body as well.
    assert "authentication" not in request["json"]["messages"]
    msg = _only_message(cm)
    assert msg["to"] == [{"number": "0031612345678"}]
    assert msg["body"] == {"type": "auto", "content": TEXT}
    assert msg["from"] == "WijkzorgN"
    assert msg["allowedChannels"] == ["SMS"]
    assert msg["reference"] == provider_id
    assert msg["maximumNumberOfMessageParts"] == 6


def test_every_attempt_at_a_message_carries_the_same_reference(cm):
    first = get_gateway().send(NUMBER, "Eerste poging", KEY)
    second = get_gateway().send(NUMBER, "Eerste poging", KEY)
    other = get_gateway().send(NUMBER, "Eerste poging", KEY.replace("client", "relation:3"))

    assert first == second != other
    assert [r["json"]["messages"]["msg"][0]["reference"] for r in cm.received] == [
        first,
        first,
        other,
    ]


def test_a_wrong_product_token_is_a_permanent_failure(cm, settings):
    settings.CM_PRODUCT_TOKEN = "00000000-0000-0000-0000-000000000000"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_auth", False)
    assert len(cm.received) == 1  # it was asked, and said no


def test_a_bare_401_from_in_front_of_the_gateway_is_a_permanent_failure(cm):
    cm.behaviour = "http_401"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_auth", False)


def test_a_server_error_is_temporary(cm):
    cm.behaviour = "http_500"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_http_500", True)
    assert len(cm.received) == 1


def test_a_gateway_that_cannot_be_reached_is_temporary(cm, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CM_API_URL = f"http://127.0.0.1:{port}/v1.0/message"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_unreachable", True)


def test_a_gateway_that_does_not_answer_in_time_is_temporary(cm):
    cm.behaviour, cm.delay = "slow", 2.5

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_timeout", True)
    # The request went and its answer was lost: CM may have taken it.
    assert failure.value.maybe_sent


def test_an_empty_balance_is_temporary(cm):
    cm.balance_empty = True

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    # Once the account is topped up, the queued messages go out.
    assert (failure.value.code, failure.value.temporary) == ("gateway_balance", True)


def test_a_redirect_is_not_followed_with_the_message(cm):
    cm.behaviour = "redirect"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_http_301", False)
    assert len(cm.received) == 1


def test_a_sender_the_gateway_refuses_is_a_permanent_failure(cm, settings):
    settings.SMS_SENDER = "Wijkzorg-Noord"  # a hyphen, and 14 long

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_sender_invalid", False)


def test_a_text_longer_than_the_parts_allowed_is_refused_by_the_gateway(cm):
    gateway = CmGateway(url=cm.url, product_token=TOKEN, sender="WijkzorgN", timeout=1, max_parts=1)

    with pytest.raises(DeliveryError) as failure:
        gateway.send(NUMBER, "a" * 161, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_text_invalid", False)
    assert _only_message(cm)["maximumNumberOfMessageParts"] == 1


def test_a_number_not_in_e164_is_refused_before_the_gateway(cm):
    with pytest.raises(DeliveryError) as failure:
        get_gateway().send("0612345678", TEXT, KEY)

    assert (failure.value.code, failure.value.temporary) == ("gateway_number_invalid", False)
    assert cm.received == []


def test_an_answer_that_is_not_cms_is_not_taken_as_sent(cm):
    cm.behaviour = "garbage"

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send(NUMBER, TEXT, KEY)

    # Whether the text left is unknown: not sent again by itself.
    assert (failure.value.code, failure.value.temporary) == ("gateway_bad_response", False)


def test_the_server_refuses_what_cm_refuses():
    """The local server is only worth its tests if it says no where CM does."""
    server = CmServer(TOKEN)
    headers = {"x-cm-producttoken": TOKEN}

    def ask(msg, headers=headers):
        return server.answer(headers, json.dumps({"messages": {"msg": [msg]}}).encode())

    good = {
        "from": "Halte",
        "to": [{"number": "0031612345678"}],
        "body": {"type": "auto", "content": "Hallo"},
        "reference": "abc123",
    }
    assert ask(good)[0] == 200
    assert ask(good, headers={})[1]["errorCode"] == 101
    # Token in the body, keys in another case: CM reads it too.
    body = {"MESSAGES": {"Authentication": {"ProductToken": TOKEN}, "MSG": [good]}}
    assert server.answer({}, json.dumps(body).encode())[0] == 200
    for change, code in [
        ({"to": [{"number": "+31612345678"}]}, 303),
        ({"from": "Wijkzorg-Noord"}, 301),
        ({"body": {"type": "auto", "content": ""}}, 304),
        ({"reference": "care_started:episode:12"}, 305),
    ]:
        status, answer = ask({**good, **change})
        assert status == 400
        assert answer["errorCode"] == 201
        assert answer["messages"][0]["status"] == "Rejected"
        assert answer["messages"][0]["messageErrorCode"] == code


def test_neither_number_nor_text_reaches_the_log(cm, settings, caplog):
    caplog.set_level(logging.DEBUG)
    get_gateway().send(NUMBER, TEXT, KEY)
    for behaviour in ("http_500", "http_401", "garbage"):
        cm.behaviour = behaviour
        with pytest.raises(DeliveryError):
            get_gateway().send(NUMBER, TEXT, KEY)
    cm.behaviour = "normal"
    settings.CM_PRODUCT_TOKEN = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(DeliveryError):
        get_gateway().send(NUMBER, TEXT, KEY)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "CM.com accepted an SMS" in logged and "gateway_auth" in logged
    for secret in (NUMBER, "0031612345678", "612345678", "Van den Berg", TOKEN):
        assert secret not in logged


def _message(address=NUMBER, body=TEXT):
    return Message(channel=MessageChannel.SMS, address=address, body=body, idempotency_key=KEY)


def test_the_sms_channel_delivers_an_outbox_message_through_the_gateway(cm):
    provider_id = deliver_by_channel(_message())

    assert provider_id == cm_reference(KEY)
    msg = _only_message(cm)
    assert msg["to"] == [{"number": "0031612345678"}]
    assert msg["body"]["content"] == TEXT


@pytest.mark.parametrize(
    ("address", "body", "code"),
    [
        ("+31334612345", "Hallo", "sms_not_mobile"),  # a landline
        (NUMBER, "ë" * (67 * 6 + 1), "sms_text_too_long"),  # 7 parts in UCS-2
        (NUMBER, "  ", "sms_text_empty"),
    ],
)
def test_the_sms_channel_refuses_what_no_gateway_can_send(cm, address, body, code):
    with pytest.raises(DeliveryError) as failure:
        deliver_by_channel(_message(address, body))

    assert (failure.value.code, failure.value.temporary) == (code, False)
    assert cm.received == []

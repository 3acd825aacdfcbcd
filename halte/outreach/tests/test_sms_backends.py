"""The development backends (file, console) and the choice between backends."""

import io
import json

import pytest

from halte.outreach.channels import DeliveryError
from halte.outreach.channels import deliver as deliver_by_channel
from halte.outreach.models import Message, MessageChannel
from halte.outreach.sms import get_gateway
from halte.outreach.sms.cm import CmGateway
from halte.outreach.sms.console import ConsoleGateway
from halte.outreach.sms.file import FileGateway

TEXT = "Goedemorgen! Uw intake is morgen om 10:00.\nVragen? Bel 033 461 23 45. Wijkteam Noord 🙂"


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_SENDER = "WijkzorgN"
    return settings.SMS_FILE_DIR


def test_the_file_backend_writes_one_json_file_per_message(sms_dir):
    gateway = get_gateway()
    assert isinstance(gateway, FileGateway)

    first = gateway.send("+31612345678", TEXT, "intake_planned:intake:4:client")
    second = gateway.send("+31687654321", "Tweede", "intake_planned:intake:4:relation:9")

    files = sorted(sms_dir.iterdir())
    assert [f.name for f in files] == [f"{first}.json", f"{second}.json"]  # sorted by time
    record = json.loads(files[0].read_text(encoding="utf-8"))
    assert record["to"] == "+31612345678"
    assert record["text"] == TEXT
    assert record["from"] == "WijkzorgN"
    assert record["reference"] == "intake_planned:intake:4:client"
    assert (record["encoding"], record["segments"]) == ("ucs2", 2)
    assert record["id"] == first


def test_the_file_backend_reports_a_folder_it_cannot_write_as_temporary(sms_dir):
    sms_dir.parent.mkdir(parents=True, exist_ok=True)
    sms_dir.write_text("a file where the folder should be")

    with pytest.raises(DeliveryError) as failure:
        get_gateway().send("+31612345678", TEXT, "k")

    assert (failure.value.code, failure.value.temporary) == ("sms_file_unwritable", True)


def test_the_sms_channel_writes_an_outbox_message_to_the_folder(sms_dir):
    message = Message(
        channel=MessageChannel.SMS,
        address="+31612345678",
        body=TEXT,
        idempotency_key="care_started:episode:12:client",
    )

    provider_id = deliver_by_channel(message)

    record = json.loads((sms_dir / f"{provider_id}.json").read_text(encoding="utf-8"))
    assert (record["to"], record["text"]) == ("+31612345678", TEXT)
    assert len(list(sms_dir.iterdir())) == 1  # no half-written file beside it


def test_the_console_backend_prints_the_message_to_its_stream(settings):
    stream = io.StringIO()
    gateway = ConsoleGateway(sender="WijkzorgN", stream=stream)

    provider_id = gateway.send("+31612345678", TEXT, "care_ended:episode:3:client")

    printed = stream.getvalue()
    assert "to +31612345678" in printed and TEXT in printed and "2 part(s)" in printed
    assert provider_id.startswith("console-")


def test_the_setting_chooses_the_backend(settings):
    settings.SMS_BACKEND = "console"
    assert isinstance(get_gateway(), ConsoleGateway)
    settings.SMS_BACKEND = "cm"
    settings.CM_PRODUCT_TOKEN = "3f2b6c1e-8d4a-4b7e-9c0f-1a2b3c4d5e6f"
    settings.SMS_MAX_SEGMENTS = 4
    gateway = get_gateway()
    assert isinstance(gateway, CmGateway)
    assert (gateway.url, gateway.max_parts) == (settings.CM_API_URL, 4)


def test_staff_read_what_an_sms_error_code_means():
    from django.utils import translation

    from halte.outreach.sms.base import describe_error

    with translation.override("nl"):
        assert describe_error("gateway_auth") == (
            "De sms-gateway weigerde het producttoken van Halte."
        )
        assert describe_error("gateway_http_503") == "De sms-gateway antwoordde met een HTTP-fout."
        assert describe_error("gateway_error_777") == "De sms-gateway weigerde het bericht."

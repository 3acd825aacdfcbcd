"""Development and demo backend: one JSON file per text message in a folder
(SMS_FILE_DIR, var/sms by default), so `make demo` shows what would have been sent.

A file appears whole or not at all (written beside, then renamed), and its name sorts
by the time it was written."""

import json
import logging
import os
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from halte.outreach.channels import DeliveryError
from halte.outreach.sms.base import SmsGateway
from halte.outreach.sms.validation import measure

logger = logging.getLogger(__name__)


class FileGateway(SmsGateway):
    name = "file"

    def __init__(self, *, directory: Path | str, sender: str):
        self.directory = Path(directory)
        self.sender = sender

    def send(self, to_e164: str, text: str, reference: str) -> str:
        now = datetime.now(UTC)
        provider_id = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"
        length = measure(text)
        record = {
            "id": provider_id,
            "from": self.sender,
            "to": to_e164,
            "text": text,
            "reference": reference,
            "encoding": length.encoding,
            "segments": length.segments,
            "written_at": now.isoformat(),
        }
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(record, out, ensure_ascii=False, indent=2)
                os.replace(temporary, self.directory / f"{provider_id}.json")
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            logger.warning("SMS file backend could not write: %s", type(error).__name__)
            raise DeliveryError("sms_file_unwritable", temporary=True) from None
        logger.info("SMS written to the SMS folder as %s", provider_id)
        return provider_id

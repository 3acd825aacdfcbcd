"""Field types shared by the API's input schemas: shapes and bounds, no meaning."""

import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from halte.core.moments import local
from halte.core.validation import BIDI_CONTROLS, character_problem

# The largest id a database row can have; a larger one names nothing (and would
# overflow the database's integer).
MAX_ID = 2**63 - 1


def _refuse_hidden_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in text; Django's forms refuse it the same way. The
    # other control characters and the bidirectional overrides are refused as the
    # services refuse them (core.validation.character_problem); whether a line break
    # fits the field is the service's to say.
    if "\x00" in value:
        raise PydanticCustomError("null_character", "Null characters are not allowed.")
    problem = character_problem(value, multiline=True)
    if problem is not None:
        kind = "bidi_character" if BIDI_CONTROLS & set(value) else "control_character"
        raise PydanticCustomError(kind, str(problem))
    return value


def text(max_length: int):
    """A string of at most `max_length` characters, without NUL, other control
    characters (tab and line breaks aside) or bidirectional overrides."""
    return Annotated[
        str, StringConstraints(max_length=max_length), AfterValidator(_refuse_hidden_characters)
    ]


# A moment going out: in the organisation's time zone with an offset RFC 3339 can
# write (2026-11-23T17:00:00+01:00); in UTC where that zone has none (moments.local).
LocalDateTime = Annotated[datetime.datetime, AfterValidator(local)]

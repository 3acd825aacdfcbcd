"""The caller lookup renders its answer itself: the bytes must be those ninja would send
after validating them against CallersOut."""

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from halte.api.tests.helpers import Api
from halte.clients.models import Salutation
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.contact.queries import callers_for_number
from halte.contact.schemas import CallersOut

pytestmark = pytest.mark.django_db


def _as_ninja_renders(matches) -> bytes:
    validated = CallersOut.model_validate({"matches": matches, "more": matches.more})
    return json.dumps(validated.model_dump(), cls=NinjaJSONEncoder).encode()


@pytest.mark.parametrize("limit", [20, 2])
def test_it_sends_the_bytes_ninja_would_send(client, personas, teams, limit, monkeypatch):
    for salutation in (Salutation.MRS, Salutation.MR, ""):
        person = ClientFactory(team=teams["noord"], salutation=salutation, name_prefix="van 't")
        PhoneFactory(client=person, e164="+31337122160")
        relation = RelationFactory(client=person, name="Zoë Çelik", may_act_on_behalf=True)
        PhoneFactory(client=person, relation=relation, e164="+31337122160")
    monkeypatch.setattr(
        "halte.contact.api.callers_for_number",
        lambda e164, user: callers_for_number(e164, user, limit=limit),
    )

    response = Api(client, personas["front_office"]).get("/callers", {"number": "033 712 2160"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    expected = _as_ninja_renders(callers_for_number("+31337122160", limit=limit))
    assert response.content == expected
    assert len(response.json()["matches"]) == min(limit, 6)


def test_it_sends_an_empty_answer_as_ninja_would(client, personas):
    response = Api(client, personas["front_office"]).get("/callers", {"number": "0612345678"})

    assert response.content == _as_ninja_renders(callers_for_number("+31612345678"))

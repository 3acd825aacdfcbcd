"""The demo seeds kcc's list "still to write up" with two missed calls."""

import io

import pytest
from django.core.management import call_command

from halte.contact.queries import unwritten_calls
from halte.core.models import User


@pytest.mark.django_db
def test_it_gives_kcc_two_missed_calls_to_write_up():
    call_command("seed_demo", "--clients", "50", verbosity=0, stdout=io.StringIO())
    calls = unwritten_calls(User.objects.get(username="kcc"))
    assert sorted(call.call_id for call in calls) == ["demo-missed-1", "demo-missed-2"]
    assert all(call.is_missed_call for call in calls)
    known = next(call for call in calls if call.call_id == "demo-missed-1")
    assert (known.relation.name, bool(known.caller_e164)) == ("Marieke de Vries", True)

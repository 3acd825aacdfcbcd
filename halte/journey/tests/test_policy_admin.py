"""The journey policy at /beheer/: the administrator sets the norms within sensible
bounds (a norm beyond them would make every referral late, or an estimate reach past
what a date can hold)."""

import pytest

from halte.journey.models import JourneyPolicy

pytestmark = pytest.mark.django_db

ACCEPTED = {
    "contact_within_days": 60,
    "plan_intake_within_days": 60,
    "decide_within_days": 60,
    "update_every_days": 365,
    "outflow_weeks": 104,
}


def _post(client, personas, **changes):
    policy = JourneyPolicy.current()
    client.force_login(personas["administrator"])
    return client.post(
        f"/beheer/journey/journeypolicy/{policy.pk}/change/", {**ACCEPTED, **changes}
    )


def test_the_administrator_sets_each_norm_up_to_its_bound(client, personas):
    response = _post(client, personas)

    assert response.status_code == 302
    stored = JourneyPolicy.objects.values(*ACCEPTED).get()
    assert stored == ACCEPTED


@pytest.mark.parametrize("field", ACCEPTED)
def test_a_norm_beyond_its_bound_is_refused_in_dutch_and_nothing_is_stored(client, personas, field):
    JourneyPolicy.current()  # the one row, with its defaults
    before = JourneyPolicy.objects.values(*ACCEPTED).get()

    response = _post(client, personas, **{field: ACCEPTED[field] + 1})

    assert response.status_code == 200
    assert (
        f"Zorg ervoor dat deze waarde hoogstens {ACCEPTED[field]} is." in response.content.decode()
    )
    assert JourneyPolicy.objects.values(*ACCEPTED).get() == before

"""`manage.py seed_demo`: the journeys in the demo (halte.demo.journey.seeder)."""

import io
from itertools import groupby

import pytest
from django.core.management import call_command
from django.utils import timezone

from halte.audit.models import AuditEntry
from halte.clients.models import Client, ClientStatus
from halte.core.models import User
from halte.core.roles import Role
from halte.journey import queries
from halte.journey.models import (
    CareEpisode,
    EventKind,
    Intake,
    JourneyPolicy,
    LeftReason,
    Referral,
    Stage,
    WaitingListEntry,
)

# Where the journey bar stands for a referral in each stage: (stop, state).
_CURRENT_STOP = {
    Stage.RECEIVED: ("referral", "current"),
    Stage.CONTACTED: ("referral", "current"),
    Stage.INTAKE_PLANNED: ("intake", "current"),
    Stage.INTAKE_DONE: ("intake", "current"),
    Stage.WAITING: ("waiting", "current"),
    Stage.CARE_STARTED: ("care", "current"),
    Stage.DECLINED: ("end", "done"),
    Stage.WITHDRAWN: ("end", "done"),
    Stage.REFERRED_ELSEWHERE: ("end", "done"),
}


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--clients", "300", verbosity=0, stdout=io.StringIO())


def _fixed(**names) -> Client:
    return Client.objects.get(**names)


def test_it_has_referrals_in_every_stage_with_and_without_owner(demo):
    stages = set(Referral.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    received = Referral.objects.filter(stage=Stage.RECEIVED)
    assert received.filter(owner=None).exists()
    assert received.exclude(owner=None).exists()
    closed = Referral.objects.filter(
        stage__in=[Stage.DECLINED, Stage.WITHDRAWN, Stage.REFERRED_ELSEWHERE]
    )
    assert not closed.filter(closed_reason="").exists()
    assert set(Referral.objects.values_list("source", flat=True)) >= {
        "gp",
        "hospital",
        "relative",
        "self",
        "municipality",
    }


def test_it_holds_intakes_with_relatives_and_indications(demo):
    held = Intake.objects.exclude(held_at=None)
    assert held.filter(outcome="care_needed").exclude(indicated_product=None).exists()
    assert Intake.objects.filter(relatives_present__isnull=False).exists()
    for intake in Intake.objects.prefetch_related("relatives_present").select_related("referral"):
        for relative in intake.relatives_present.all():
            assert relative.client_id == intake.referral.client_id


def test_it_gives_every_waiting_queue_outflow_to_estimate_from(demo):
    today = timezone.localdate()
    weeks = JourneyPolicy.current().outflow_weeks
    queues = set(WaitingListEntry.objects.filter(left_on=None).values_list("product_id", "team_id"))
    assert len(queues) > 3
    for product_id, team_id in queues:
        assert queries.queue_outflow(product_id, team_id, today, weeks).started > 0
    left = WaitingListEntry.objects.filter(left_reason=LeftReason.CARE_STARTED)
    assert not left.filter(referral__care_episode=None).exists()
    waiting = WaitingListEntry.objects.filter(left_on=None)
    wlz = WaitingListEntry.objects.filter(product__financing="wlz")
    assert wlz.exists() and not wlz.filter(care_office=None).exists()
    assert not WaitingListEntry.objects.exclude(product__financing="wlz").exclude(care_office=None)
    assert waiting.exclude(bridging_care="").exists()
    assert waiting.filter(next_update_due__lte=today).exists()
    assert waiting.filter(norm_date__lte=today + queries.NORM_WARNING).exists()


def test_it_gives_running_care_a_contact_person_of_the_team_who_is_the_clients(demo):
    running = CareEpisode.objects.filter(ended_on=None).select_related("client")
    assert running.exists()
    members = set(User.teams.through.objects.values_list("user_id", "team_id"))
    roles = dict(User.objects.values_list("id", "role"))
    for episode in running:
        assert (episode.contact_person_id, episode.team_id) in members
        assert roles[episode.contact_person_id] == Role.CARE_PROFESSIONAL
        assert episode.client.primary_contact_id == episode.contact_person_id
        assert episode.client.status == ClientStatus.IN_CARE
    in_care = Client.objects.filter(status=ClientStatus.IN_CARE)
    assert not in_care.exclude(care_episodes__ended_on=None).exists()
    ended = CareEpisode.objects.exclude(ended_on=None)
    assert ended.exclude(end_reason="").count() == ended.count() > 0


def test_it_writes_events_in_time_order_that_match_the_stage(demo):
    events = queries.JourneyEvent.objects.exclude(referral=None).order_by("referral_id", "id")
    referrals = {r.pk: r for r in Referral.objects.prefetch_related("care_episode")}
    for referral_id, steps in groupby(events, key=lambda e: e.referral_id):
        steps = list(steps)
        referral = referrals[referral_id]
        assert [e.at for e in steps] == sorted(e.at for e in steps), referral_id
        assert steps[0].kind == EventKind.REFERRAL_RECEIVED
        assert steps[0].at == referral.received_at
        bar = queries.journey_bar(steps)
        last = [stop for stop in bar if stop.state in ("current", "done")][-1]
        expected = _CURRENT_STOP[referral.stage]
        if referral.stage == Stage.CARE_STARTED and referral.care_episode.ended_on:
            expected = ("end", "done")
        assert (last.name, last.state) == expected, referral_id
    assert set(Referral.objects.values_list("id", flat=True)) == set(referrals)


def test_it_puts_the_fixed_clients_on_their_journeys(demo):
    kees = WaitingListEntry.objects.get(
        client__preferred_name="Kees", client__family_name="Bakker", left_on=None
    )
    row = queries.waiting_row(kees)
    assert row.position == 3 and row.estimate.known
    riek = _fixed(preferred_name="Riek", family_name="Berg")
    assert riek.primary_contact.username == "wijkverpleegkundige"
    janus = Referral.objects.filter(
        client__preferred_name="Janus", client__family_name="Riet"
    ).latest("received_at")
    assert janus.stage == Stage.RECEIVED and janus.owner is None
    truus = CareEpisode.objects.get(client__preferred_name="Truus", client__family_name="Wit")
    assert truus.end_reason == "deceased"


def test_it_fills_the_planners_queues(demo):
    counts = queries.queue_counts(User.objects.get(username="planner"))
    assert all(counts.values()), counts


def test_seeding_journeys_writes_no_audit_entries(demo):
    assert Referral.objects.exists()
    assert not AuditEntry.objects.exists()

"""Building blocks for the announcement tests: clients who agreed to announcements,
with journey rows written directly (the segment reads rows, not how they came)."""

import datetime

from django.utils import timezone

from halte.clients.models import ContactChannel
from halte.clients.tests.factories import ClientFactory
from halte.journey.models import (
    CareEpisode,
    Referral,
    Stage,
    WaitingListEntry,
    WaitingStatus,
)
from halte.journey.tests.factories import product
from halte.outreach import announcements
from halte.outreach.models import Announcement

TEXTS = {
    "nl": {
        "subject": "Wegwerkzaamheden Stationsweg",
        "body": "Beste {{ name }}, door werk aan de Stationsweg komt de zorg van "
        "{{ team }} misschien later. Vragen? Bel {{ team_phone }}.",
    },
    "en": {
        "subject": "Road works Stationsweg",
        "body": "Dear {{ name }}, because of road works the nurse of {{ team }} may come "
        "later. Questions? Call {{ team_phone }}.",
    },
}


def agreed(team, n=0, **fields):
    """A client who agreed to announcements, reached by email."""
    values = {
        "team": team,
        "announcements": True,
        "email": f"client{n}-{team.pk}@example.nl",
        "contact_channel": ContactChannel.EMAIL,
    }
    return ClientFactory(**(values | fields))


def referral(client, *, stage=Stage.RECEIVED, care=None):
    now = timezone.now()
    return Referral.objects.create(
        client=client,
        source="gp",
        product=care or product(),
        team=client.team,
        received_at=now,
        stage=stage,
        stage_since=now,
    )


def waiting(client, care=None, *, left=False):
    care = care or product()
    entry = WaitingListEntry.objects.create(
        referral=referral(client, stage=Stage.WAITING, care=care),
        client=client,
        product=care,
        team=client.team,
        status=WaitingStatus.ACTIVE,
        waiting_since=timezone.localdate(),
        norm_date=timezone.localdate() + datetime.timedelta(days=42),
        next_update_due=timezone.localdate() + datetime.timedelta(days=28),
        left_on=timezone.localdate() if left else None,
        left_reason="care_started" if left else "",
    )
    return entry


def in_care(client, nurse, care=None, *, ended=False):
    today = timezone.localdate()
    return CareEpisode.objects.create(
        client=client,
        product=care or product(),
        team=client.team,
        contact_person=nurse,
        starts_on=today - datetime.timedelta(days=30),
        ended_on=today if ended else None,
        end_reason="recovered" if ended else "",
    )


def announcement(user, segment=None, texts=None, title="Wegwerkzaamheden") -> Announcement:
    return announcements.announcement_create(
        user=user,
        title=title,
        texts=texts or TEXTS,
        segment=segment or {},
    )

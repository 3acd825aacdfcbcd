"""Life in the demo organisation while `make demo` runs: every minute a referral
arrives, an intake is planned, care starts or a contact person changes, each through
the real services. Their events make messages, so the outbox fills as the demo runs.

Only when HALTE_DEMO_ACTIVITY is set (`make demo` sets it); never in production,
where the demo app is not installed."""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from halte.audit.context import Actor
from halte.clients.models import Client, ClientStatus
from halte.core.errors import Conflict
from halte.core.models import User
from halte.core.roles import Role
from halte.journey import services
from halte.journey.models import CareEpisode, CareProduct, Referral, ReferralSource, Stage


def _planner(rng: random.Random) -> User | None:
    planners = list(User.objects.filter(role=Role.PLANNER, is_active=True)[:20])
    return rng.choice(planners) if planners else None


def _nurse(rng: random.Random, team_id: int, *, other_than: int | None = None) -> User | None:
    nurses = list(
        User.objects.filter(role=Role.CARE_PROFESSIONAL, is_active=True, teams__id=team_id).exclude(
            pk=other_than
        )[:30]
    )
    return rng.choice(nurses) if nurses else None


def _pick(rng: random.Random, queryset):
    ids = list(queryset.values_list("pk", flat=True)[:200])
    return queryset.model.objects.get(pk=rng.choice(ids)) if ids else None


def referral_arrives(rng: random.Random, actor: Actor) -> str:
    client = _pick(
        rng,
        Client.objects.filter(status=ClientStatus.PROSPECT, team__isnull=False).exclude(
            referrals__stage__in=[Stage.RECEIVED, Stage.CONTACTED, Stage.INTAKE_PLANNED]
        ),
    )
    product = _pick(rng, CareProduct.objects.filter(active=True, financing="zvw"))
    if client is None or product is None:
        return ""
    services.referral_register(
        actor=actor,
        client=client,
        source=rng.choice([ReferralSource.GP, ReferralSource.HOSPITAL]),
        product=product,
        owner=actor.user,
    )
    return "referral"


def intake_planned(rng: random.Random, actor: Actor) -> str:
    referral = _pick(rng, Referral.objects.filter(stage__in=[Stage.RECEIVED, Stage.CONTACTED]))
    if referral is None:
        return ""
    if referral.stage == Stage.RECEIVED:
        referral = services.referral_move(actor=actor, referral=referral, stage=Stage.CONTACTED)
    nurse = _nurse(rng, referral.team_id)
    when = timezone.localtime() + datetime.timedelta(days=rng.randint(1, 6))
    services.intake_plan(
        actor=actor,
        referral=referral,
        planned_at=when.replace(hour=rng.choice([9, 10, 11, 13, 14]), minute=0, second=0),
        held_by=nurse,
    )
    return "intake"


def care_starts(rng: random.Random, actor: Actor) -> str:
    referral = _pick(rng, Referral.objects.filter(stage=Stage.WAITING))
    if referral is None:
        return ""
    nurse = _nurse(rng, referral.team_id)
    if nurse is None:
        return ""
    services.care_start(
        actor=actor, referral=referral, starts_on=timezone.localdate(), contact_person=nurse
    )
    return "care"


def contact_person_changes(rng: random.Random, actor: Actor) -> str:
    episode = _pick(rng, CareEpisode.objects.filter(ended_on__isnull=True))
    if episode is None:
        return ""
    nurse = _nurse(rng, episode.team_id, other_than=episode.contact_person_id)
    if nurse is None:
        return ""
    services.contact_person_change(actor=actor, episode=episode, contact_person=nurse)
    return "contact_person"


STEPS = [referral_arrives, intake_planned, care_starts, contact_person_changes]


def step(rng: random.Random | None = None) -> str:
    """Let one thing happen; returns what (empty when nothing could)."""
    rng = rng or random.Random()  # noqa: S311 - demo data, not security
    actor = Actor(_planner(rng))
    if actor.user is None:
        return ""
    for happen in rng.sample(STEPS, len(STEPS)):
        try:
            with transaction.atomic():
                done = happen(rng, actor)
        except (ValidationError, Conflict):  # a pick the services refuse: try another kind
            continue
        if done:
            return done
    return ""

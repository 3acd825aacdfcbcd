"""Building blocks for journey tests: a referral taken to any stage through the services."""

import datetime
import importlib

from django.utils import timezone

from halte.audit.context import Actor
from halte.journey import services
from halte.journey.models import CareProduct, IntakeOutcome, Stage, WaitingStatus


def product(code: str = "wijkverpleging") -> CareProduct:
    """A product of the default care offer. A transactional test before this one may
    have flushed the tables the data migration filled: then it is made again."""
    offer = importlib.import_module("halte.journey.migrations.0002_default_care_offer")
    name, financing, norm_days = next(row[1:] for row in offer.DEFAULT_OFFER if row[0] == code)
    return CareProduct.objects.get_or_create(
        code=code, defaults={"name": name, "financing": financing, "norm_days": norm_days}
    )[0]


def referral_at(stage: str, *, planner, nurse, client, received_days_ago: int = 10, **kwargs):
    """A referral for `client` taken through the real services up to `stage`."""
    actor = Actor(planner)
    received = timezone.now() - datetime.timedelta(days=received_days_ago)
    referral = services.referral_register(
        actor=actor,
        client=client,
        source="gp",
        product=kwargs.pop("care", None) or product(),
        received_at=received,
        owner=planner,
    )
    if stage == Stage.RECEIVED:
        return referral
    referral = services.referral_move(actor=actor, referral=referral, stage=Stage.CONTACTED)
    if stage == Stage.CONTACTED:
        return referral
    intake = services.intake_plan(
        actor=actor,
        referral=referral,
        planned_at=received + datetime.timedelta(days=2),
        held_by=nurse,
    )
    if stage == Stage.INTAKE_PLANNED:
        return intake.referral
    services.intake_complete(
        actor=Actor(nurse),
        intake=intake,
        held_at=received + datetime.timedelta(days=2),
        outcome=IntakeOutcome.CARE_NEEDED,
        indicated_product=referral.product,
        hours_per_week="4.5",
    )
    referral.refresh_from_db()
    if stage == Stage.INTAKE_DONE:
        return referral
    status = WaitingStatus.ACTIVE_PLACEMENT if referral.product.is_wlz else WaitingStatus.ACTIVE
    services.waiting_list_place(actor=actor, referral=referral, status=status, **kwargs)
    referral.refresh_from_db()
    return referral

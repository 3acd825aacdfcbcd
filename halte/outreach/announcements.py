"""Announcements: one message to a segment of clients who agreed to receive them
("road works on the Stationsweg, the nurse may come later", news about the care offer).

- The segment is one queryset (team, postcode range, care product, journey stage,
  language), never wider than what the announcement's author may see; who of it is
  reached, and by which channel, is `recipients.reach` per client, read in chunks.
- Sending moves the announcement draft/scheduled -> sending with one conditional
  UPDATE, so a second click (or a second scheduler) starts nothing; the task then
  composes one message per recipient under an idempotency key naming the
  announcement, the client and the recipient, so a task run twice adds nothing."""

import dataclasses
import datetime
import re
from collections import Counter
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from halte.clients.access import clients_visible_to
from halte.clients.models import Client, ClientStatus, ContactChannel
from halte.core import language as languages
from halte.core.models import Team
from halte.core.roles import ClientScope, client_scope
from halte.core.validation import (
    PLANNED_MOMENT,
    REQUIRED,
    TOO_LONG,
    Errors,
    character_problem,
    check_moment,
)
from halte.journey.models import CareEpisode, CareProduct, Referral, Stage, WaitingListEntry
from halte.outreach import placeholders
from halte.outreach.compose import (
    FALLBACK_LANGUAGE,
    Occasion,
    enqueue_on_commit,
    message_for,
    save_and_enqueue,
    values_for,
)
from halte.outreach.models import (
    Announcement,
    AnnouncementStatus,
    Message,
    MessageChannel,
    MessageStatus,
    Trigger,
)
from halte.outreach.recipients import Purpose, Reach, Reason, Recipient, reach, with_reach

CHUNK = 500
POSTCODE_AREA = re.compile(r"[1-9][0-9]{3}")
# Composing that has not beaten for this long was left by a worker that stopped.
STALLED_AFTER = datetime.timedelta(minutes=10)
SAMPLE_SIZE = 50
SUBJECT_MAX = 200
BODY_MAX = 5000


class JourneyStage(models.TextChoices):
    """Where a client stands, as a segment filter."""

    REFERRED = "referred", _("Referred (no waiting list or care yet)")
    WAITING = "waiting", _("On the waiting list")
    IN_CARE = "in_care", _("In care")
    ENDED = "ended", _("Care ended")


# A referral not yet on the waiting list or in care.
_EARLY_STAGES = [Stage.RECEIVED, Stage.CONTACTED, Stage.INTAKE_PLANNED, Stage.INTAKE_DONE]

INVALID_POSTCODE_AREA = _("Enter the four digits of a postcode, such as 3811.")
POSTCODE_RANGE_ORDER = _("The first postcode must not be higher than the last.")
POSTCODE_RANGE_BOTH = _("Enter both ends of the range (3811 to 3811 for one area).")
UNKNOWN_TEAMS = _("Unknown team, or not one of yours.")
UNKNOWN_PRODUCTS = _("Unknown care product.")
UNKNOWN_STAGE = _("Unknown journey stage.")
DUTCH_REQUIRED = _("The Dutch text is required: it goes to everyone without their own.")
SUBJECT_REQUIRED = _("The Dutch subject is required: an email and a letter need one.")
BODY_REQUIRED = _("A text in this language needs a message.")
NOT_EDITABLE = _("Only a draft can be changed; this announcement is %(status)s.")

# Who is left out before reach() is asked: the same reasons, in its order.
_REFUSALS = {
    Reason.DECEASED: Q(status=ClientStatus.DECEASED),
    Reason.NO_MESSAGES: ~Q(status=ClientStatus.DECEASED) & Q(contact_channel=ContactChannel.NONE),
    Reason.NOT_OPTED_IN: ~Q(status=ClientStatus.DECEASED)
    & ~Q(contact_channel=ContactChannel.NONE)
    & Q(announcements=False),
}


# The segment


def empty_segment() -> dict:
    return {
        "teams": [],
        "postcode_from": "",
        "postcode_to": "",
        "products": [],
        "stages": [],
        "languages": [],
    }


def _ids(values) -> list[int]:
    found = []
    for value in values or []:
        try:
            found.append(int(value))
        except (TypeError, ValueError):
            found.append(-1)  # refused below as unknown
    return sorted(set(found))


def _postcode_area(errors: Errors, field: str, value) -> str:
    value = str(value or "").strip()
    if value and not POSTCODE_AREA.fullmatch(value):
        errors.add(field, INVALID_POSTCODE_AREA)
    return value


_RANGE_FIELDS = {"postcode_from", "postcode_to"}


def clean_segment(raw: dict, user) -> dict:
    """The segment with its values checked, or ValidationError naming each field.
    Teams are those the user may reach: a team lead's are their own."""
    raw = raw or {}
    errors = Errors()
    segment = empty_segment()
    teams = _ids(raw.get("teams"))
    if teams:
        allowed = set(_reachable_team_ids(user))
        if not set(teams) <= allowed:
            errors.add("teams", UNKNOWN_TEAMS)
    segment["teams"] = teams
    start = _postcode_area(errors, "postcode_from", raw.get("postcode_from"))
    end = _postcode_area(errors, "postcode_to", raw.get("postcode_to"))
    if bool(start) != bool(end):
        errors.add("postcode_to" if start else "postcode_from", POSTCODE_RANGE_BOTH)
    elif start and end and not _RANGE_FIELDS & errors.by_field.keys() and start > end:
        # Only two valid areas are compared: "3811" to "38" is an invalid end, not
        # a range the wrong way round.
        errors.add("postcode_to", POSTCODE_RANGE_ORDER)
    segment["postcode_from"], segment["postcode_to"] = start, end
    products = _ids(raw.get("products"))
    if products and CareProduct.objects.filter(pk__in=products).count() != len(products):
        errors.add("products", UNKNOWN_PRODUCTS)
    segment["products"] = products
    stages = sorted(set(raw.get("stages") or []), key=str)
    if any(stage not in JourneyStage.values for stage in stages):
        errors.add("stages", UNKNOWN_STAGE)
    segment["stages"] = stages
    codes = []
    for code in raw.get("languages") or []:
        codes.append(errors.capture("languages", languages.validate, code))
    segment["languages"] = sorted({code for code in codes if code})
    errors.raise_if_any()
    return segment


def _reachable_team_ids(user) -> list[int]:
    if client_scope(user) == ClientScope.ALL:
        return list(Team.objects.values_list("pk", flat=True))
    if client_scope(user) == ClientScope.OWN_TEAMS:
        return user.team_ids()
    return []


def teams_for(user):
    """The teams a user may address: all, or a team lead's own."""
    return Team.objects.filter(pk__in=_reachable_team_ids(user)).order_by("name")


def segment_clients(segment: dict, user):
    """Every client in the segment that `user` may see, by id: one query."""
    clients = clients_visible_to(user)
    if segment.get("teams"):
        clients = clients.filter(team_id__in=segment["teams"])
    if segment.get("postcode_from") and segment.get("postcode_to"):
        # Postcodes are stored as "3811AB": the range is a slice of the postcode index.
        clients = clients.filter(
            postcode__gte=f"{segment['postcode_from']}AA",
            postcode__lte=f"{segment['postcode_to']}ZZ",
        )
    if segment.get("languages"):
        clients = clients.filter(language__in=segment["languages"])
    journey = _journey_condition(segment.get("stages") or [], segment.get("products") or [])
    if journey is not None:
        clients = clients.filter(journey)
    return clients.order_by("pk")


def _journey_condition(stages: list[str], products: list[int]) -> Q | None:
    """Clients in any of the stages (for one of the products, when named); products
    alone: an open referral, a waiting-list place or running care for one of them."""
    if not stages and not products:
        return None
    if not stages:
        stages = [JourneyStage.REFERRED, JourneyStage.WAITING, JourneyStage.IN_CARE]
    product = Q(product_id__in=products) if products else Q()
    mine = Q(client_id=OuterRef("pk"))
    condition = Q()
    for stage in stages:
        if stage == JourneyStage.REFERRED:
            rows = Referral.objects.filter(mine, product, stage__in=_EARLY_STAGES)
            condition |= Q(Exists(rows))
        elif stage == JourneyStage.WAITING:
            rows = WaitingListEntry.objects.filter(mine, product, left_on__isnull=True)
            condition |= Q(Exists(rows))
        elif stage == JourneyStage.IN_CARE:
            rows = CareEpisode.objects.filter(mine, product, ended_on__isnull=True)
            condition |= Q(Exists(rows))
        elif stage == JourneyStage.ENDED:
            ended = Q(status=ClientStatus.ENDED)
            if products:
                rows = CareEpisode.objects.filter(mine, product, ended_on__isnull=False)
                ended &= Q(Exists(rows))
            condition |= ended
    return condition


def _may_receive(clients):
    """Those of `clients` reach() could reach: the others it would leave out at once."""
    return clients.exclude(
        Q(status=ClientStatus.DECEASED)
        | Q(contact_channel=ContactChannel.NONE)
        | Q(announcements=False)
    )


def _refused_counts(clients) -> Counter:
    counts = clients.aggregate(
        **{reason.value: Count("pk", filter=condition) for reason, condition in _REFUSALS.items()}
    )
    return Counter({Reason(reason): n for reason, n in counts.items() if n})


def _chunks(clients) -> Iterator[list[Client]]:
    """The clients with what reach() reads, CHUNK at a time (keyset by id)."""
    last = 0
    while True:
        chunk = list(with_reach(clients.filter(pk__gt=last).select_related("team")[:CHUNK]))
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def recipients(clients) -> Iterator[Reach]:
    """Per client: its recipients and who of its people is left out (reach)."""
    for chunk in _chunks(_may_receive(clients)):
        for client in chunk:
            yield reach(client, Purpose.ANNOUNCEMENT)


# The texts


def clean_texts(raw: dict) -> dict:
    """{"nl": {"subject", "body"}, ...} checked: Dutch required, known languages, known
    placeholders; empty languages dropped. Errors name `texts.<lang>.<field>`."""
    errors = Errors()
    texts = {}
    if not isinstance(raw, dict):
        raw = {}
    for code, text in raw.items():
        text = text if isinstance(text, dict) else {}
        subject = str(text.get("subject") or "").strip()
        body = str(text.get("body") or "").strip()
        if code != FALLBACK_LANGUAGE and not (subject or body):
            continue
        field = f"texts.{code}"
        try:
            code = languages.validate(code)
        except ValidationError as error:
            errors.add(field, error.messages[0])
            continue
        if code == FALLBACK_LANGUAGE and not subject:
            errors.add(f"{field}.subject", SUBJECT_REQUIRED)
        if code == FALLBACK_LANGUAGE and not body:
            errors.add(f"{field}.body", DUTCH_REQUIRED)
        elif not body:
            errors.add(f"{field}.body", BODY_REQUIRED)
        for name, value, limit in (("subject", subject, SUBJECT_MAX), ("body", body, BODY_MAX)):
            if len(value) > limit:
                errors.add(f"{field}.{name}", TOO_LONG % {"max": limit})
            # The text goes out to clients: no hidden characters, the subject on one line.
            if problem := character_problem(value, multiline=name == "body"):
                errors.add(f"{field}.{name}", problem)
            try:
                placeholders.check_text(Trigger.ANNOUNCEMENT, value)
            except ValidationError as error:
                errors.add(f"{field}.{name}", error.messages[0])
        texts[code] = {"subject": subject, "body": body}
    if FALLBACK_LANGUAGE not in texts and f"texts.{FALLBACK_LANGUAGE}.body" not in errors.by_field:
        errors.add(f"texts.{FALLBACK_LANGUAGE}.body", DUTCH_REQUIRED)
    errors.raise_if_any()
    return dict(sorted(texts.items(), key=lambda item: (item[0] != FALLBACK_LANGUAGE, item[0])))


def text_language(announcement: Announcement, language: str) -> str:
    """The language the recipient reads it in: theirs when written, else Dutch."""
    return language if language in announcement.texts else FALLBACK_LANGUAGE


def render(announcement: Announcement, recipient: Recipient) -> tuple[str, str, str]:
    """(language, subject, body) as the recipient receives it. A text message has no
    subject: it says everything in its text."""
    language = text_language(announcement, recipient.language)
    text = announcement.texts[language]
    occasion = Occasion(
        trigger=Trigger.ANNOUNCEMENT,
        client_id=recipient.client.pk,
        key=f"{announcement.pk}:client:{recipient.client.pk}",
    )
    with translation.override(language):
        values = values_for(recipient, occasion, language)
        # Without a subject of its own a language borrows the Dutch one.
        subject = text.get("subject") or announcement.texts[FALLBACK_LANGUAGE]["subject"]
        subject = placeholders.fill(subject, values).strip()
        body = placeholders.fill(text["body"], values).strip()
    if recipient.channel == MessageChannel.SMS:
        subject = ""
    return language, subject, body


# Writing


def _title(errors: Errors, title) -> str:
    title = str(title or "").strip()
    if not title:
        errors.add("title", REQUIRED)
    elif len(title) > 200:
        errors.add("title", TOO_LONG % {"max": 200})
    if problem := character_problem(title, multiline=False):
        errors.add("title", problem)
    return title


def validate(*, user, title, texts, segment) -> tuple[str, dict, dict]:
    """Every field checked at once: (title, texts, segment) or one ValidationError."""
    found: dict[str, list] = {}
    errors = Errors()
    title = _title(errors, title)
    found.update(errors.by_field)
    cleaned = {}
    for name, clean, args in (
        ("texts", clean_texts, (texts,)),
        ("segment", clean_segment, (segment, user)),
    ):
        try:
            cleaned[name] = clean(*args)
        except ValidationError as error:
            found.update(error.message_dict)
    if found:
        raise ValidationError(found)
    return title, cleaned["texts"], cleaned["segment"]


def announcement_create(*, user, title, texts, segment) -> Announcement:
    title, texts, segment = validate(user=user, title=title, texts=texts, segment=segment)
    return Announcement.objects.create(title=title, texts=texts, segment=segment, created_by=user)


def announcement_update(announcement: Announcement, *, user, title, texts, segment) -> bool:
    """Change a draft; False when it is no longer one (sent or scheduled meanwhile)."""
    title, texts, segment = validate(user=user, title=title, texts=texts, segment=segment)
    changed = Announcement.objects.filter(
        pk=announcement.pk, status=AnnouncementStatus.DRAFT
    ).update(title=title, texts=texts, segment=segment, updated_at=timezone.now())
    if changed:
        announcement.title, announcement.texts, announcement.segment = title, texts, segment
    return bool(changed)


def send_now(announcement: Announcement) -> bool:
    """Start sending: one conditional UPDATE, so of two clicks one wins."""
    now = timezone.now()
    started = Announcement.objects.filter(
        pk=announcement.pk,
        status__in=[AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED],
    ).update(status=AnnouncementStatus.SENDING, send_at=now, updated_at=now)
    if started:
        _enqueue_compose(announcement.pk)
    announcement.refresh_from_db()
    return bool(started)


def schedule(announcement: Announcement, send_at: datetime.datetime) -> bool:
    """Send at `send_at` (the periodic job starts it); a draft or scheduled one only."""
    errors = Errors()
    check_moment(errors, "send_at", send_at, PLANNED_MOMENT)
    errors.raise_if_any()
    changed = Announcement.objects.filter(
        pk=announcement.pk,
        status__in=[AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED],
    ).update(status=AnnouncementStatus.SCHEDULED, send_at=send_at, updated_at=timezone.now())
    announcement.refresh_from_db()
    return bool(changed)


def unschedule(announcement: Announcement) -> bool:
    """Back to draft, before the job started it."""
    changed = Announcement.objects.filter(
        pk=announcement.pk, status=AnnouncementStatus.SCHEDULED
    ).update(status=AnnouncementStatus.DRAFT, send_at=None, updated_at=timezone.now())
    announcement.refresh_from_db()
    return bool(changed)


def cancel(announcement: Announcement) -> bool:
    changed = Announcement.objects.filter(
        pk=announcement.pk,
        status__in=[AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED],
    ).update(status=AnnouncementStatus.CANCELLED, updated_at=timezone.now())
    announcement.refresh_from_db()
    return bool(changed)


def start_due(until: datetime.datetime) -> list[int]:
    """Start every scheduled announcement whose time has come; each by its own
    conditional UPDATE, so two jobs (or a click) start it once."""
    started = []
    due = Announcement.objects.filter(status=AnnouncementStatus.SCHEDULED, send_at__lte=until)
    for pk in due.values_list("pk", flat=True):
        won = Announcement.objects.filter(pk=pk, status=AnnouncementStatus.SCHEDULED).update(
            status=AnnouncementStatus.SENDING, updated_at=timezone.now()
        )
        if won:
            _enqueue_compose(pk)
            started.append(pk)
    return started + resume_stalled(until)


def resume_stalled(now: datetime.datetime) -> list[int]:
    """Compose again what a stopped worker left half done (no heartbeat for
    STALLED_AFTER). The idempotency keys keep those already made from a second
    message; the claim on `updated_at` keeps two jobs from both resuming it."""
    stalled = Announcement.objects.filter(
        status=AnnouncementStatus.SENDING, updated_at__lt=now - STALLED_AFTER
    ).values_list("pk", "updated_at")
    resumed = []
    for pk, beat in stalled:
        if Announcement.objects.filter(pk=pk, updated_at=beat).update(updated_at=timezone.now()):
            _enqueue_compose(pk)
            resumed.append(pk)
    return resumed


def _enqueue_compose(pk: int) -> None:
    from halte.outreach import announcement_tasks

    transaction.on_commit(lambda: announcement_tasks.send_announcement.enqueue(pk))


def compose_all(announcement_id: int) -> int:
    """The task's work: compose the recipients' messages CHUNK clients at a time
    (each chunk one insert and one commit, so the page shows progress). A run
    after the first, or beside it, finds the rows and adds none. Returns how many
    messages were made now."""
    announcement = (
        Announcement.objects.select_related("created_by").filter(pk=announcement_id).first()
    )
    if announcement is None or announcement.status != AnnouncementStatus.SENDING:
        return 0
    clients = segment_clients(announcement.segment, announcement.created_by)
    # The progress bar's measure until the exact number is known at the end: one
    # message per client who may receive it (relatives add some, no address takes some).
    estimate = _may_receive(clients).count()
    Announcement.objects.filter(pk=announcement.pk).update(recipients_total=estimate)
    made = 0
    for chunk in _chunks(_may_receive(clients)):
        rows = [
            _message(announcement, recipient)
            for client in chunk
            for recipient in reach(client, Purpose.ANNOUNCEMENT).recipients
        ]
        made += _queue_chunk(rows)
        # A heartbeat: composing that stops beating was left by a stopped worker.
        Announcement.objects.filter(pk=announcement.pk).update(updated_at=timezone.now())
    composed = Message.objects.filter(announcement_id=announcement.pk).count()
    Announcement.objects.filter(pk=announcement.pk, status=AnnouncementStatus.SENDING).update(
        status=AnnouncementStatus.DONE, recipients_total=composed, updated_at=timezone.now()
    )
    return made


def _message(announcement: Announcement, recipient: Recipient) -> Message:
    language, subject, body = render(announcement, recipient)
    return message_for(
        recipient,
        trigger=Trigger.ANNOUNCEMENT,
        key=f"announcement:{announcement.pk}:client:{recipient.client.pk}:{recipient.key}",
        language=language,
        subject=subject,
        body=body,
        announcement_id=announcement.pk,
    )


def _queue_chunk(rows: list[Message]) -> int:
    """Insert the chunk's new rows at once (one commit, so progress shows) and send
    each after it. A key taken meanwhile by another run of the task fails the insert:
    then row by row, each key once."""
    keys = [row.idempotency_key for row in rows]
    taken = set(
        Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    new = [row for row in rows if row.idempotency_key not in taken]
    try:
        with transaction.atomic():
            Message.objects.bulk_create(new)
            for row in new:
                enqueue_on_commit(row)
    except IntegrityError:
        with transaction.atomic():
            return sum(save_and_enqueue(row) is not None for row in new)
    return len(new)


# Reading


@dataclasses.dataclass
class Preview:
    clients: int = 0  # in the segment
    recipients: int = 0  # messages that would be composed
    sample: list = dataclasses.field(default_factory=list)  # the first SAMPLE_SIZE
    left_out: Counter = dataclasses.field(default_factory=Counter)  # Reason -> people
    by_language: Counter = dataclasses.field(default_factory=Counter)  # text language -> n
    # Text language -> (recipient, subject, body) for one recipient who reads it.
    texts: dict = dataclasses.field(default_factory=dict)

    @property
    def left_out_rows(self) -> list[tuple[str, int]]:
        from halte.outreach.recipients import REASON_TEXT

        return [(str(REASON_TEXT[reason]), n) for reason, n in self.left_out.most_common()]

    @property
    def client_ids(self) -> list[int]:
        shown = [r.client.pk for r in self.sample]
        shown += [recipient.client.pk for recipient, _s, _b in self.texts.values()]
        return shown


def preview(announcement: Announcement) -> Preview:
    """Who would receive it now, who not and why, and the text in each language.
    Reads the segment in one query per CHUNK clients, plus two."""
    clients = segment_clients(announcement.segment, announcement.created_by)
    result = Preview(clients=clients.count(), left_out=_refused_counts(clients))
    samples: dict[str, Recipient] = {}
    for found in recipients(clients):
        for person in found.left_out:
            result.left_out[person.reason] += 1
        for recipient in found.recipients:
            result.recipients += 1
            language = text_language(announcement, recipient.language)
            result.by_language[language] += 1
            samples.setdefault(language, recipient)
            if len(result.sample) < SAMPLE_SIZE:
                result.sample.append(recipient)
    for language in announcement.texts:
        recipient = samples.get(language) or (result.sample[0] if result.sample else None)
        if recipient is None:
            continue
        recipient = dataclasses.replace(recipient, language=language)
        _language, subject, body = render(announcement, recipient)
        result.texts[language] = (recipient, subject, body)
    return result


_HANDLED = (
    MessageStatus.SENT,
    MessageStatus.FAILED,
    MessageStatus.UNCERTAIN,
    MessageStatus.CANCELLED,
)


def progress(announcement: Announcement) -> dict:
    """The messages composed so far by status, and whether anything still moves."""
    return progress_many([announcement])[announcement.pk]


def progress_many(items) -> dict[int, dict]:
    """`progress` of several announcements in one grouped query."""
    now = timezone.now()
    counts = {
        item.pk: dict.fromkeys([*MessageStatus.values, "composed", "waiting", "later"], 0)
        for item in items
    }
    rows = (
        Message.objects.filter(announcement_id__in=list(counts))
        .values("announcement_id", "status")
        .annotate(n=Count("pk"), due=Count("pk", filter=Q(send_after__lte=now)))
        .order_by()
    )
    for row in rows:
        found = counts[row["announcement_id"]]
        found[row["status"]] += row["n"]
        found["composed"] += row["n"]
        if row["status"] == MessageStatus.SENDING:
            found["waiting"] += row["n"]
        elif row["status"] == MessageStatus.QUEUED:
            found["waiting"] += row["due"]
            found["later"] += row["n"] - row["due"]
    return {item.pk: _progress(item, counts[item.pk]) for item in items}


def _progress(announcement: Announcement, counts: dict) -> dict:
    total = max(announcement.recipients_total, counts["composed"])
    handled = sum(counts[status] for status in _HANDLED)
    composing = announcement.status == AnnouncementStatus.SENDING
    return {
        **counts,
        "total": total,
        "handled": handled,
        "percent": round(100 * handled / total) if total else (0 if composing else 100),
        "composing": composing,
        "running": composing or counts["waiting"] > 0,
    }


def visible_announcements(user):
    """The announcements a user may see: all for those who reach every client; a team
    lead's own otherwise (their segments stop at their teams)."""
    rows = Announcement.objects.select_related("created_by")
    if client_scope(user) == ClientScope.ALL:
        return rows
    return rows.filter(created_by=user)

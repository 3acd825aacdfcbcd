from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from halte.core import bsn as bsn_codec
from halte.core import phone as phone_codec
from halte.core import postcode as postcode_codec
from halte.core.models import Team, TimeStampedModel
from halte.core.text import SEARCH_NAME_LENGTH, family_search_terms, search_terms


class AddressForm(models.TextChoices):
    FORMAL = "u", _("Formal (u)")
    INFORMAL = "je", _("Informal (je)")


class Salutation(models.TextChoices):
    MRS = "mrs", _("Mrs (mevrouw)")
    MR = "mr", _("Mr (meneer)")
    NEUTRAL = "neutral", _("Neutral (first and last name)")


class ContactChannel(models.TextChoices):
    """How the client (or a relative) wants to hear from the organisation in writing."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    NONE = "none", _("No messages")


class MessageCopy(models.TextChoices):
    """Whether a relative receives the client's messages."""

    NO = "", _("No")
    COPY = "copy", _("Also, beside the client")
    INSTEAD = "instead", _("Instead of the client")


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospective client")
    IN_CARE = "in_care", _("In care")
    ENDED = "ended", _("Care ended")
    DECEASED = "deceased", _("Deceased")


class Client(TimeStampedModel):
    client_number = models.PositiveIntegerField(_("client number"), unique=True)
    bsn_encrypted = models.TextField(blank=True, editable=False)
    bsn_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    given_names = models.CharField(_("given names"), max_length=100)
    name_prefix = models.CharField(_("name prefix"), max_length=20, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=60, blank=True)
    address_form = models.CharField(
        _("form of address"), max_length=2, choices=AddressForm.choices, default=AddressForm.FORMAL
    )
    salutation = models.CharField(
        _("salutation"), max_length=8, choices=Salutation.choices, default=Salutation.NEUTRAL
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    street = models.CharField(_("street"), max_length=100, blank=True)
    house_number = models.PositiveIntegerField(_("house number"), null=True, blank=True)
    house_number_suffix = models.CharField(_("house number suffix"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    language = models.CharField(_("language"), max_length=2, default="nl")
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.PROSPECT
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        verbose_name=_("care team"),
    )
    primary_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_clients",
        verbose_name=_("fixed contact person"),
    )
    hard_of_hearing = models.BooleanField(_("hard of hearing"), default=False)
    # Messages: the channel the client prefers (empty: the first one Halte can use),
    # messages about their own journey unless they opted out, announcements only
    # when they agreed.
    contact_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=ContactChannel.choices, blank=True
    )
    journey_messages = models.BooleanField(_("messages about their care"), default=True)
    announcements = models.BooleanField(_("announcements and news"), default=False)
    what_matters = models.TextField(_("what matters to me"), blank=True)
    what_matters_updated_at = models.DateTimeField(null=True, blank=True)
    # Folded name ("jan van den berg") kept by the services: the source of the
    # search indexes (FTS5 on SQLite, trigram on PostgreSQL).
    search_name = models.CharField(max_length=SEARCH_NAME_LENGTH, editable=False)
    # The folded family name with its tussenvoegsel ("van den berg"): search ranks
    # a hit on it first.
    search_family = models.CharField(max_length=SEARCH_NAME_LENGTH, editable=False, default="")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [models.Index(fields=["postcode", "house_number"], name="client_postcode")]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="client_version_positive"),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=r"^[1-9][0-9]{3}[A-Z]{2}$"),
                name="client_postcode_format",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.given_names, self.name_prefix, self.family_name] if p)

    @property
    def formal_name(self) -> str:
        """How a letter or a caller addresses the client: 'mevrouw Van den Berg'.

        Without a first name before it, the tussenvoegsel takes a capital.
        """
        surname = " ".join(p for p in [self.name_prefix.capitalize(), self.family_name] if p)
        if self.salutation == Salutation.MRS:
            return gettext("Mrs %(surname)s") % {"surname": surname}
        if self.salutation == Salutation.MR:
            return gettext("Mr %(surname)s") % {"surname": surname}
        return self.full_name

    @property
    def postcode_display(self) -> str:
        return postcode_codec.display(self.postcode)

    @property
    def has_bsn(self) -> bool:
        return bool(self.bsn_encrypted)

    @property
    def bsn_masked(self) -> str:
        return bsn_codec.mask(bsn_codec.decrypt(self.bsn_encrypted)) if self.has_bsn else ""

    def age(self, today: date | None = None) -> int | None:
        if self.date_of_birth is None:
            return None
        today = today or date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def refresh_search_name(self) -> None:
        self.search_name = search_terms(
            given_names=self.given_names,
            preferred_name=self.preferred_name,
            name_prefix=self.name_prefix,
            family_name=self.family_name,
        )
        self.search_family = family_search_terms(self.family_name, self.name_prefix)


class ClientNumberCounter(models.Model):
    """One row: the last client number handed out. Taking its row lock makes
    concurrent creations wait for each other instead of clashing on max + 1."""

    last = models.PositiveIntegerField(default=100000)

    def __str__(self):
        return str(self.last)


class RelationKind(models.TextChoices):
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    INFORMAL_CARER = "informal_carer", _("Informal carer")
    NEIGHBOUR = "neighbour", _("Neighbour")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    GP = "gp", _("GP")
    CASE_MANAGER = "case_manager", _("Case manager")
    OTHER = "other", _("Other")


class Relation(TimeStampedModel):
    """Someone around the client: family, informal carer, representative, GP."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="relations", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("relation"), max_length=24, choices=RelationKind.choices)
    email = models.EmailField(_("email"), blank=True)
    may_receive_information = models.BooleanField(_("may receive information"), default=False)
    may_act_on_behalf = models.BooleanField(_("may act on behalf of the client"), default=False)
    emergency_contact = models.BooleanField(_("emergency contact"), default=False)
    # Only a relative who may receive information can receive the client's messages.
    message_copy = models.CharField(
        _("receives the client's messages"),
        max_length=8,
        choices=MessageCopy.choices,
        blank=True,
        default=MessageCopy.NO,
    )
    contact_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=ContactChannel.choices, blank=True
    )
    # Empty: the client's language.
    language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.CheckConstraint(
                condition=Q(message_copy="") | Q(may_receive_information=True),
                name="relation_messages_need_consent",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class PhoneLabel(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", pgettext_lazy("phone type", "Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class Phone(models.Model):
    """A number of the client (relation empty) or of one of the client's relations.

    One table for both, so recognising a caller is one indexed lookup on e164.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    e164 = models.CharField(_("phone number"), max_length=16, db_index=True)
    label = models.CharField(
        _("label"), max_length=8, choices=PhoneLabel.choices, default=PhoneLabel.MOBILE
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            # The card's "own numbers" (client = ? AND relation IS NULL): two equality
            # columns, so no planner statistics can lure SQLite onto the relation index,
            # which holds a million NULLs.
            models.Index(fields=["client", "relation"], name="phone_client_relation"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "e164"],
                condition=Q(relation__isnull=True),
                name="phone_unique_per_client",
            ),
            models.UniqueConstraint(
                fields=["relation", "e164"],
                condition=Q(relation__isnull=False),
                name="phone_unique_per_relation",
            ),
            models.CheckConstraint(condition=Q(e164__startswith="+"), name="phone_is_e164"),
        ]

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        return phone_codec.display(self.e164)


class PreferenceKind(models.TextChoices):
    LIKE = "like", _("Likes")
    DISLIKE = "dislike", _("Dislikes")
    DAILY_RHYTHM = "daily_rhythm", _("Daily rhythm")
    CULTURE_RELIGION = "culture_religion", _("Culture and religion")
    COMMUNICATION = "communication", _("Communication")


class Preference(TimeStampedModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(_("kind"), max_length=20, choices=PreferenceKind.choices)
    text = models.CharField(_("preference"), max_length=500)
    noted_on = models.DateField(_("noted on"))
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "-noted_on", "id"]
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")


class CareNote(TimeStampedModel):
    """A care professional's note: only roles with VIEW_CARE_NOTES read these."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=5000)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("care note")
        verbose_name_plural = _("care notes")

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from halte.core.models import TimeStampedModel

TOKEN_PREFIX = "halte_"  # noqa: S105 - a public prefix that makes leaked tokens greppable


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Whether a token is accepted: written by api.services alone, each change with its audit
# entry in the same transaction (api_tokens_revoke, api_token_set_expiry).
ACCESS_FIELDS = frozenset({"revoked_at", "expires_at"})


def _refuse_unaudited(fields) -> None:
    if written := sorted(ACCESS_FIELDS.intersection(fields)):
        raise PermissionError(
            f"{', '.join(written)} of API tokens change through halte.api.services"
            " (api_tokens_revoke, api_token_set_expiry), which audits each change."
        )


class ApiTokenQuerySet(models.QuerySet):
    """update() and bulk_update() refuse the access fields, which would change
    unaudited; the other fields (the last use) are written as usual."""

    def update(self, **kwargs):
        _refuse_unaudited(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused before its transaction begins (it would mark the caller's as failed).
        _refuse_unaudited(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def _update_audited(self, **kwargs) -> int:
        """For api.services, which writes the audit entry in the same transaction."""
        return super().update(**kwargs)


class ApiToken(TimeStampedModel):
    """A bearer token for a staff user or an integration. Only its hash is stored.

    Empty `scopes` means: whatever the user's role may do; scopes only narrow that.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("staff member"),
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # From this moment the token is refused, as a revoked one is; empty: no end.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def save(self, *args, **kwargs):
        """A stored token's revocation and expiry change through api.services alone (a
        save from a shell would change them unaudited); a new token is made with both."""
        update_fields = kwargs.get("update_fields")
        fields = ACCESS_FIELDS if update_fields is None else ACCESS_FIELDS & set(update_fields)
        if fields and not self._state.adding:
            stored = ApiToken.objects.filter(pk=self.pk).values(*fields).first() or {}
            _refuse_unaudited(name for name in stored if stored[name] != getattr(self, name))
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return self.name

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

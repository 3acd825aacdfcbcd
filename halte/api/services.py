"""Writes of the API app: making tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.api.models import ApiToken, hash_token
from halte.core.api.scopes import Scope, unknown_scopes
from halte.core.validation import PLANNED_MOMENT

UNKNOWN_SCOPES = _("Unknown scope(s): %(unknown)s. Known scopes: %(known)s.")
EXPIRY_IN_PAST = _("The expiry must lie in the future.")


def expiry_problem(expires_at):
    """The message for an expiry a token may not be given, else None: a moment that
    has passed, or one beyond the range of moments planned ahead (a year 9999 is no
    expiry; no expiry at all is None)."""
    if expires_at is None:
        return None
    if expires_at <= timezone.now():
        return EXPIRY_IN_PAST
    return PLANNED_MOMENT.problem(expires_at)


@transaction.atomic
def api_token_create(*, user, name: str, scopes, expires_at=None) -> tuple[ApiToken, str]:
    """Make a token for `user`, refused from `expires_at` on (None: never); return the
    stored row and the token itself.

    The token is returned only here: the database keeps its hash.
    """
    if (problem := expiry_problem(expires_at)) is not None:
        raise ValidationError({"expires_at": [problem]})
    unknown = unknown_scopes(scopes)
    if unknown:
        raise ValidationError(
            {
                "scopes": [
                    UNKNOWN_SCOPES
                    % {
                        "unknown": ", ".join(unknown),
                        "known": ", ".join(s.value for s in Scope),
                    }
                ]
            }
        )
    token = ApiToken.generate()
    api_token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_token(token),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    api_token.full_clean()
    api_token.save(force_insert=True)
    return api_token, token


@transaction.atomic
def api_token_set_expiry(*, api_token: ApiToken, expires_at) -> ApiToken:
    """Refuse `api_token` from `expires_at` on (None: never). A revoked token stays
    revoked; a token whose expiry has passed may be given a new one."""
    if (problem := expiry_problem(expires_at)) is not None:
        raise ValidationError({"expires_at": [problem]})
    api_token.expires_at = expires_at
    api_token.save(update_fields=["expires_at", "updated_at"])
    return api_token


def api_tokens_revoke(*, tokens) -> int:
    """Revoke the given tokens (a queryset) that are still live; return how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

"""Writes of the API app: making tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.api.models import ApiToken, hash_token
from halte.core.api.scopes import Scope, unknown_scopes

UNKNOWN_SCOPES = _("Unknown scope(s): %(unknown)s. Known scopes: %(known)s.")
EXPIRY_IN_PAST = _("The expiry must lie in the future.")


@transaction.atomic
def api_token_create(*, user, name: str, scopes, expires_at=None) -> tuple[ApiToken, str]:
    """Make a token for `user`, refused from `expires_at` on (None: never); return the
    stored row and the token itself.

    The token is returned only here: the database keeps its hash.
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [EXPIRY_IN_PAST]})
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


def api_tokens_revoke(*, tokens) -> int:
    """Revoke the given tokens (a queryset) that are still live; return how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

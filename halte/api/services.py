"""Writes of the API app: making tokens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.api.models import ApiToken, hash_token
from halte.core.api.scopes import Scope, unknown_scopes

UNKNOWN_SCOPES = _("Unknown scope(s): %(unknown)s. Known scopes: %(known)s.")


@transaction.atomic
def api_token_create(*, user, name: str, scopes) -> tuple[ApiToken, str]:
    """Make a token for `user`; return the stored row and the token itself.

    The token is returned only here: the database keeps its hash.
    """
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
        user=user, name=name, token_hash=hash_token(token), scopes=sorted(set(scopes))
    )
    api_token.full_clean()
    api_token.save(force_insert=True)
    return api_token, token


def api_tokens_revoke(*, tokens) -> int:
    """Revoke the given tokens (a queryset) that are still live; return how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

"""Writes of the API app: making tokens, changing their expiry and revoking them.

A token grants access as its user's role does (narrowed by its scopes), so each of
these writes one audit entry in the same transaction (NEN 7513: a grant of access is
itself logged): the entry is the actor's, and its part names the token (id, its name
as a code), whose token it is, its scopes and its expiry; never the token or its hash.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halte.api.models import ApiToken, hash_token
from halte.audit.context import Actor
from halte.audit.labels import API_TOKEN_SCOPE_CODES, NO_SCOPES, moment_code
from halte.audit.models import Action, AuditEntry
from halte.audit.services import audit_record
from halte.core.api.scopes import Scope, unknown_scopes
from halte.core.validation import PLANNED_MOMENT

UNKNOWN_SCOPES = _("Unknown scope(s): %(unknown)s. Known scopes: %(known)s.")
EXPIRY_IN_PAST = _("The expiry must lie in the future.")


# The writes below take `with transaction.atomic()`, not the decorator: mutmut (make
# mutate) leaves decorated functions unmutated.


def expiry_problem(expires_at):
    """The message for an expiry a token may not be given, else None: a moment that
    has passed, or one beyond the range of moments planned ahead (a year 9999 is no
    expiry; no expiry at all is None)."""
    if expires_at is None:
        return None
    if expires_at <= timezone.now():
        return EXPIRY_IN_PAST
    return PLANNED_MOMENT.problem(expires_at)


def api_token_create(
    *, actor: Actor, user, name: str, scopes, expires_at=None
) -> tuple[ApiToken, str]:
    """Make a token for `user`, refused from `expires_at` on (None: never); return the
    stored row and the token itself. `actor` made it (the audit entry is theirs).

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
    with transaction.atomic():
        api_token.full_clean()
        api_token.save(force_insert=True)
        audit_record(
            actor,
            action=Action.CREATE,
            part=token_part(api_token, [f"expires={moment_code(expires_at)}"]),
        )
    return api_token, token


def api_token_set_expiry(*, actor: Actor, api_token: ApiToken, expires_at) -> ApiToken:
    """Refuse `api_token` from `expires_at` on (None: never). A revoked token stays
    revoked; a token whose expiry has passed may be given a new one. An unchanged
    expiry writes nothing."""
    if (problem := expiry_problem(expires_at)) is not None:
        raise ValidationError({"expires_at": [problem]})
    with transaction.atomic():
        stored = ApiToken.objects.select_for_update().get(pk=api_token.pk)
        api_token.expires_at = expires_at
        if stored.expires_at == expires_at:
            return api_token
        api_token.updated_at = timezone.now()
        ApiToken.objects.filter(pk=api_token.pk)._update_audited(
            expires_at=expires_at, updated_at=api_token.updated_at
        )
        expiry = [
            f"expires_from={moment_code(stored.expires_at)}",
            f"expires_to={moment_code(expires_at)}",
        ]
        audit_record(actor, action=Action.UPDATE, part=token_part(api_token, expiry))
        return api_token


def api_tokens_revoke(*, actor: Actor, tokens) -> int:
    """Revoke the given tokens (a queryset) that are still live, one audit entry each;
    return how many."""
    with transaction.atomic():
        live = list(
            ApiToken.objects.select_for_update()
            .filter(pk__in=tokens.values("pk"), revoked_at__isnull=True)
            .order_by("pk")
        )
        if not live:
            return 0
        ApiToken.objects.filter(pk__in=[api_token.pk for api_token in live])._update_audited(
            revoked_at=timezone.now()
        )
        for api_token in live:
            audit_record(actor, action=Action.REVOKE, part=token_part(api_token))
        return len(live)


# The part of a token's entry: each code `name=value` with a value of at most 40 of
# [a-z0-9_] (halte.audit.labels), and the whole within the part's 200 characters.
_PART_LENGTH = AuditEntry._meta.get_field("part").max_length
_NAME_CODE_LENGTH = 40


def name_code(name: str) -> str:
    """The token's name as the log can hold it: lower case letters and digits without
    their accents, the rest one underscore ("Telefonie-koppeling 2" ->
    "telefonie_koppeling_2", "Één" -> "een")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")[:_NAME_CODE_LENGTH]


def token_part(api_token: ApiToken, extra=()) -> str:
    """The token (id), whose it is (staff member id), its scopes, `extra` (its expiry)
    and, in the room left, its name as a code. The name is last: with the longest ids
    and every scope it is cut short, never the rest."""
    scopes = [API_TOKEN_SCOPE_CODES[scope] for scope in sorted(api_token.scopes)] or [NO_SCOPES]
    codes = [
        f"api_token={api_token.pk}",
        f"staff_member={api_token.user_id}",
        *scopes,
        *extra,
    ]
    part = ",".join(codes)
    if len(part) > _PART_LENGTH:  # ids of ten digits and more with every scope
        raise ValueError(f"The audit part of token {api_token.pk} is too long: {part!r}")
    room = _PART_LENGTH - len(part) - len(",token_name=")
    name = name_code(api_token.name)[: max(room, 0)].rstrip("_")
    return f"{part},token_name={name}" if name else part

"""Personal API tokens: created with a name, shown once, stored hashed, revocable, expiring.

A token stands in for the password, so a new password revokes every token: whoever changed or
reset it (the owner, or somebody who took over the mailbox) must not find old tokens still live.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User

MAX_LIVE_TOKENS = 20


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the secret key, which is not stored and cannot be shown again."""
    name = " ".join(name.split())[:100] or "API token"
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
    if live.count() >= MAX_LIVE_TOKENS:
        raise ValidationError(
            _("You already have %(MAX_LIVE_TOKENS)s tokens: revoke one first.")
            % {"MAX_LIVE_TOKENS": MAX_LIVE_TOKENS}
        )
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
    )
    return token, key


def api_tokens_revoke_all(*, user: User) -> int:
    """After a password change or reset: every live token of the account stops working."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_revoke(*, user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("No such token (or it was already revoked)."))

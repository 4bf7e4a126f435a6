"""Personal API tokens: created with a name, shown once, stored hashed, revocable."""

import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ApiToken, User

MAX_LIVE_TOKENS = 20


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the secret key, which is not stored and cannot be shown again."""
    name = " ".join(name.split())[:100] or "API token"
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(f"You already have {MAX_LIVE_TOKENS} tokens: revoke one first.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise ValidationError("No such token (or it was already revoked).")

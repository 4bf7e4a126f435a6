"""`Authorization: Token <key>` against our hashed ApiToken rows (DESIGN §7)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.request import Request

from accounts.models import ApiToken, User

# Writing last_used_at on every request would turn every read into a write; once a minute is enough
# for "last used" on the profile page.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.expires_at is None or token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This token has expired: create a new one on your profile page.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is inactive."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        return super().authenticate(request)  # type: ignore[return-value]

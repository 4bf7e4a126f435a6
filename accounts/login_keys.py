"""What the login limiter counts (accounts.login_throttle) and its fallback
(accounts.login_throttle_fallback) share: the window, the lockout, and the counters' keys.

Keys hold a keyed hash (HMAC with the site's secret key) of the address and of the account,
never the address or the email itself.
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

from accounts.models import normalize_email_address

WINDOW_SECONDS = 15 * 60
_HMAC_SALT = "accounts.login_throttle"


@dataclass(frozen=True)
class Lockout:
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return (
            f"Too many failed login attempts. For your safety, logging in is paused for {minutes} "
            f"minute{'s' if minutes != 1 else ''}. You can reset your password meanwhile."
        )


def _keyed_hash(kind: str, value: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{kind}:{value}", algorithm="sha256").hexdigest()[:40]


def _keys(email: str, client_ip: str) -> list[tuple[str, int]]:
    return [
        (
            f"login-fail:account:{_keyed_hash('account', normalize_email_address(email))}",
            settings.LOGIN_FAILURES_PER_ACCOUNT,
        ),
        (f"login-fail:ip:{_keyed_hash('ip', client_ip)}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]

"""Refuse logins for a while after repeated failures, per account and per client address.

Counters live in the shared cache (Redis in production), so every web node sees the same counts;
while the cache is down they live in the database (accounts.login_throttle_fallback).
Keys hold a hash of the address, never the address itself.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from accounts import login_throttle_fallback as fallback
from accounts.models import normalize_email_address

WINDOW_SECONDS = 15 * 60


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


def _keys(email: str, client_ip: str) -> list[tuple[str, int]]:
    account = hashlib.sha256(normalize_email_address(email).encode()).hexdigest()[:32]
    return [
        (f"login-fail:account:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"login-fail:ip:{client_ip}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


@fallback.or_database_when_cache_is_down(fallback.login_lockout)
def login_lockout(email: str, client_ip: str) -> Lockout | None:
    """The lockout in force for this account or address, if any."""
    now = time.time()
    waits = [cache.get(f"{key}:until") for key, _limit in _keys(email, client_ip)]
    remaining = [int(until - now) + 1 for until in waits if until and until > now]
    return Lockout(retry_after=max(remaining)) if remaining else None


@fallback.or_database_when_cache_is_down(fallback.login_failure_record)
def login_failure_record(email: str, client_ip: str) -> None:
    for key, limit in _keys(email, client_ip):
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            failures = 1
        if failures >= limit:
            cache.set(f"{key}:until", time.time() + WINDOW_SECONDS, timeout=WINDOW_SECONDS)


@fallback.or_database_when_cache_is_down(fallback.login_success_record)
def login_success_record(email: str, client_ip: str) -> None:
    account_key = _keys(email, client_ip)[0][0]
    cache.delete_many([account_key, f"{account_key}:until"])


def client_ip(meta: dict[str, str]) -> str:
    """The client address. Behind the reverse proxy, the proxy's REMOTE_ADDR is replaced by the
    last X-Forwarded-For hop the proxy added (docs/deployment.md: NUM_PROXIES)."""
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return meta.get("REMOTE_ADDR", "unknown")

"""The login limiter's counts in the database, for while the cache (Redis) is down (issue 18).

accounts.login_throttle counts failures in the cache. With Redis down every login answered 500;
letting logins through uncounted instead would hand an attacker unlimited guesses for as long as
the outage lasts. So each of its functions is wrapped: when the cache raises, the same rule runs
on accounts.models.LoginFailureCount. Counts kept here are not carried back to the cache when it
returns (a lockout taken during the outage ends with it: at worst one more window of guesses).
"""

import functools
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from redis.exceptions import RedisError

from accounts.login_keys import WINDOW_SECONDS, Lockout, _keys
from accounts.models import LoginFailureCount

logger = logging.getLogger(__name__)


def _key_hash(cache_key: str) -> str:
    return hashlib.sha256(cache_key.encode()).hexdigest()


def login_lockout(email: str, client_ip: str) -> Lockout | None:
    now = timezone.now()
    hashes = [_key_hash(key) for key, _limit in _keys(email, client_ip)]
    until = [
        row.locked_until
        for row in LoginFailureCount.objects.filter(key_hash__in=hashes, locked_until__gt=now)
        if row.locked_until
    ]
    if not until:
        return None
    return Lockout(retry_after=int((max(until) - now).total_seconds()) + 1)


def login_attempt_begin(email: str, client_ip: str) -> Lockout | None:
    """The cache's rule on the database: refuse while locked, else count this attempt first (F()
    makes concurrent attempts each count) and lock when a count goes over its limit."""
    now = timezone.now()
    window = timedelta(seconds=WINDOW_SECONDS)
    locked = login_lockout(email, client_ip)
    if locked is not None:
        return locked
    with transaction.atomic():
        # Counts whose window has passed are forgotten, as the cache forgets its keys.
        LoginFailureCount.objects.filter(window_ends_at__lte=now).delete()
        for key, limit in _keys(email, client_ip):
            key_hash = _key_hash(key)
            LoginFailureCount.objects.get_or_create(
                key_hash=key_hash, defaults={"window_ends_at": now + window}
            )
            LoginFailureCount.objects.filter(key_hash=key_hash).update(failures=F("failures") + 1)
            if LoginFailureCount.objects.filter(key_hash=key_hash, failures__gt=limit).update(
                locked_until=now + window
            ):
                return Lockout(retry_after=WINDOW_SECONDS)
    return None


def login_success_record(email: str, client_ip: str) -> None:
    """The account starts again from nothing; the address gets its count back."""
    (account_key, _), (address_key, _) = _keys(email, client_ip)
    LoginFailureCount.objects.filter(key_hash=_key_hash(account_key)).delete()
    LoginFailureCount.objects.filter(key_hash=_key_hash(address_key), failures__gt=0).update(
        failures=F("failures") - 1
    )


def login_reset_for_account(email: str) -> None:
    account_key = _keys(email, "")[0][0]
    LoginFailureCount.objects.filter(key_hash=_key_hash(account_key)).delete()


def or_database_when_cache_is_down[**P, R](
    fallback: Callable[P, R],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the decorated cache-based function, or `fallback` when the cache is unreachable."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except (RedisError, OSError) as error:
                logger.warning(
                    "login limiter: the cache is unavailable (%r); counting in the database", error
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate

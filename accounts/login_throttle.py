"""Refuse logins for a while after repeated failures, per account and per client address.

Counters live in the shared cache (Redis in production), so every web node sees the same counts;
while the cache is down they live in the database (accounts.login_throttle_fallback).
Keys hold a keyed hash (HMAC with the site's secret key) of the address and of the account, never
the address or the email itself: whoever reads the cache learns neither who tried to log in nor
from where, and cannot test a guessed address against the keys without the secret.

An attempt is counted *before* its password is checked, atomically (Redis INCR, or a file lock
around the file cache's read-modify-write): 40 parallel wrong passwords against a limit of 5
check at most 5 passwords. A successful login gives its count back.
"""

import fcntl
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache

from accounts import login_throttle_fallback as fallback
from accounts.login_keys import WINDOW_SECONDS, Lockout, _keys

__all__ = ["WINDOW_SECONDS", "Lockout", "_keys"]  # re-exported: callers and tests name them here


@contextmanager
def _file_cache_lock() -> Iterator[None]:
    """The file cache's incr() is a read and a write: hold an exclusive lock around it (flock
    excludes other processes and, with a descriptor of its own, other threads)."""
    location = Path(settings.CACHES["default"]["LOCATION"])
    location.mkdir(parents=True, exist_ok=True)
    with open(location / "login-throttle.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _count(key: str) -> int:
    """Add one to a counter that lives WINDOW_SECONDS from its first count; the new value."""
    backend = caches["default"]  # the backend itself (`cache` is a proxy to it)
    if isinstance(backend, RedisCache):
        redis_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(redis_key, write=True)
        # One transaction: create with its expiry if missing, then increment. INCR is atomic and
        # the expiry can never be lost between the two.
        with client.pipeline(transaction=True) as pipe:
            pipe.set(redis_key, 0, ex=WINDOW_SECONDS, nx=True)
            pipe.incr(redis_key)
            return int(pipe.execute()[1])
    if isinstance(backend, FileBasedCache):
        with _file_cache_lock():
            return _add_and_incr(key)
    return _add_and_incr(key)  # the local-memory cache's incr holds its own lock


def _add_and_incr(key: str) -> int:
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _uncount(key: str) -> None:
    if isinstance(caches["default"], FileBasedCache):
        with _file_cache_lock():
            _decr(key)
    else:
        _decr(key)


def _decr(key: str) -> None:
    try:
        if (cache.get(key) or 0) > 0:
            cache.decr(key)
    except ValueError:  # expired meanwhile: nothing to give back
        pass


@fallback.or_database_when_cache_is_down(fallback.login_lockout)
def login_lockout(email: str, client_ip: str) -> Lockout | None:
    """The lockout in force for this account or address, if any (counts nothing)."""
    now = time.time()
    waits = [cache.get(f"{key}:until") for key, _limit in _keys(email, client_ip)]
    remaining = [int(until - now) + 1 for until in waits if until and until > now]
    return Lockout(retry_after=max(remaining)) if remaining else None


@fallback.or_database_when_cache_is_down(fallback.login_attempt_begin)
def login_attempt_begin(email: str, client_ip: str) -> Lockout | None:
    """Count this attempt; a Lockout if it is over a limit (then the password must not be checked).

    Call before checking the password, and `login_success_record` after a success.
    """
    now = time.time()
    keys = _keys(email, client_ip)
    for key, _limit in keys:
        until = cache.get(f"{key}:until")
        if until and until > now:
            return Lockout(retry_after=max(1, math.ceil(until - now)))
        if until:  # a lockout that is over: its window starts again from nothing
            cache.delete_many([key, f"{key}:until"])
    for key, limit in keys:
        if _count(key) > limit:
            cache.add(f"{key}:until", now + WINDOW_SECONDS, timeout=WINDOW_SECONDS)
            until = cache.get(f"{key}:until") or now + WINDOW_SECONDS
            return Lockout(retry_after=max(1, math.ceil(until - now)))
    return None


@fallback.or_database_when_cache_is_down(fallback.login_success_record)
def login_success_record(email: str, client_ip: str) -> None:
    """The password was right: the account starts again from nothing, the address gets its count
    back (a busy office behind one address must not lock itself out by logging in)."""
    (account_key, _), (address_key, _) = _keys(email, client_ip)
    cache.delete_many([account_key, f"{account_key}:until"])
    _uncount(address_key)


@fallback.or_database_when_cache_is_down(fallback.login_reset_for_account)
def login_reset_for_account(email: str) -> None:
    """The owner proved control of the mailbox (password reset): the account is unlocked."""
    account_key = _keys(email, "")[0][0]
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

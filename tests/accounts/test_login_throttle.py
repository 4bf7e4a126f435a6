"""The login throttle's keys and its lock-out under parallel attempts (issue 17 §2).

The parallel test runs real threads, each with its own database connection, against the real
cache of the setup (the file cache on the embedded default, Redis with REDIS_URL).
"""

import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts import login_throttle
from accounts.models import User
from tests.factories import VerifiedUserFactory

ADDRESS = "203.0.113.7"
WRONG = "not the password at all"


@pytest.mark.django_db
def test_the_cache_keys_hold_a_keyed_hash_never_the_address_or_the_email() -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(3):
        client.post("/accounts/login/", {"username": "victim@example.org", "password": WRONG})

    (account_key, _), (address_key, _) = login_throttle._keys("victim@example.org", ADDRESS)
    assert cache.get(address_key) == 3
    assert cache.get(account_key) == 3
    for key in (account_key, address_key):
        assert ADDRESS not in key
        assert "victim" not in key
    # Neither the address nor a plain (unkeyed) hash of it, which anyone could recompute.
    plain = hashlib.sha256(ADDRESS.encode()).hexdigest()
    assert plain[:32] not in address_key
    assert cache.get(f"login-fail:ip:{ADDRESS}") is None
    assert cache.get(f"login-fail:ip:{plain}") is None
    # The hash depends on the secret key.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECRET_KEY", "another-secret-" + "y" * 40)
        assert login_throttle._keys("victim@example.org", ADDRESS)[1][0] != address_key


@pytest.mark.django_db
def test_no_cache_key_contains_the_address(settings: object) -> None:
    Client(REMOTE_ADDR=ADDRESS).post(
        "/accounts/login/", {"username": "victim@example.org", "password": WRONG}
    )
    backend = settings.CACHES["default"]  # type: ignore[attr-defined]
    if "redis" in backend["BACKEND"].lower():
        prefix = backend["KEY_PREFIX"]
        redis = cache._cache.get_client(write=False)  # type: ignore[attr-defined]
        keys = [key.decode() for key in redis.scan_iter(match=f"{prefix}*")]
        assert len(keys) == 2
        assert not any(ADDRESS in key or "victim" in key for key in keys)
    else:
        # The file cache names its files by a hash of the key; neither names nor contents may hold
        # the address or the account.
        stored = [path for path in Path(backend["LOCATION"]).rglob("*") if path.is_file()]
        assert stored
        for path in stored:
            assert ADDRESS not in path.name and b"victim" not in path.read_bytes()
            assert ADDRESS.encode() not in path.read_bytes()


def _form_attempt(email: str) -> int:
    return (
        Client(REMOTE_ADDR=ADDRESS)
        .post("/accounts/login/", {"username": email, "password": WRONG})
        .status_code
    )


def _api_attempt(email: str) -> int:
    client = APIClient(REMOTE_ADDR=ADDRESS)
    return client.post("/api/v1/auth/token/", {"email": email, "password": WRONG}, format="json").status_code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", [_form_attempt, _api_attempt], ids=["form", "api"])
def test_forty_parallel_wrong_passwords_check_at_most_five(
    attempt: Callable[[str], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == 5
    user = VerifiedUserFactory(email="target@example.org")
    checks: list[int] = []
    lock = threading.Lock()
    real_check = User.check_password

    def counting_check(self: User, raw_password: str) -> bool:
        with lock:
            checks.append(1)
        time.sleep(0.05)  # a slow hash: every attempt is in flight at once
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting_check)
    start = threading.Barrier(40)
    statuses: list[int] = []

    def run() -> None:
        try:
            start.wait()
            status = attempt(user.email)
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(statuses) == 40
    assert len(checks) == 5, f"{len(checks)} passwords were checked"
    assert statuses.count(429) == 35

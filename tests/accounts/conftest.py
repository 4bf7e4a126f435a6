"""Fixtures for the accounts tests."""

import uuid
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from pytest_django import Settings


@pytest.fixture(autouse=True)
def fresh_cache(settings: Settings) -> Iterator[None]:
    """Login-failure counters live in the cache: every test starts with none.

    A key prefix of its own gives each test an empty cache without flushing anything: on Redis the
    cache shares its database with the Celery broker, and in either backend with whoever else runs
    tests on this machine at the same time, so `cache.clear()` would drop their tasks and counters.
    """
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    assert cache.get("login-fail:ip:127.0.0.1") is None
    yield

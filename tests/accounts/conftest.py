"""Fixtures for the accounts tests."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django import Settings


@pytest.fixture(autouse=True)
def fresh_cache(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Login-failure counters live in the cache: every test starts with an empty one of its own.

    Not `cache.clear()`: on Redis the cache shares its database with the Celery broker (and with
    whoever else runs tests on this machine), so flushing it would drop their tasks; a key prefix of
    this test's own isolates it instead. The file cache gets a folder of its own, which also keeps
    it under FileBasedCache's 300-entry cull, where it would drop counters at random.
    """
    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}
    assert cache.get("login-fail:ip:127.0.0.1") is None
    yield

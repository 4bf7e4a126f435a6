import pytest


@pytest.fixture(autouse=True)
def own_throttle_counts(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """These tests read many pages and write many items as one persona: a cache of their own keeps
    their throttle counts from reaching other tests (the test database reuses user ids)."""
    import uuid

    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}

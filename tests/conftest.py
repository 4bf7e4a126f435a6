"""Shared fixtures and personas (STYLE: alice, mod, mallory, anon)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
BUDAPEST_MD = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
ARABIC_PARTIAL = REPO_ROOT / "tests" / "fixtures" / "un_cybercrime_convention_ar_arts1-15_partial.md"


@pytest.fixture
def budapest_text() -> str:
    return BUDAPEST_MD.read_text(encoding="utf-8")


@pytest.fixture
def arabic_text() -> str:
    return ARABIC_PARTIAL.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def celery_eager_unless_integration(request: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests run tasks inline; only `integration` tests publish to the real broker for a real worker.

    This keeps unit tests from leaving messages on the shared broker for the integration worker.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous

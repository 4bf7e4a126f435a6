"""Shared fixtures and personas (STYLE: alice, mod, mallory, anon)."""

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

import pytest

from tests.factories import import_small_treaty
from treaty.models import DraftVersion


@pytest.fixture
def version(db: None) -> DraftVersion:
    """The small sample treaty (tests.factories): slug "sample", articles 1-3."""
    return import_small_treaty().version


@pytest.fixture
def new_annotation() -> dict[str, object]:
    return {
        "treaty": "sample",
        "provision": "art-2.1",
        "quote": {"exact": "interception"},
        "tags": ["privacy", "surveillance-powers"],
        "severity": 3,
        "position": "oppose",
        "body": "This power has **no** judicial authorisation.",
    }

"""The three synthetic drafts most drafts tests read: D/1, D/2 (current, follows D/1), D/3."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft

THIRD = {
    # Article 1 paragraph 2 moves to a new article 4; article 2's paragraphs are merged.
    "1": ["Alpha placeholder sentence about scope."],
    "2": ["Gamma placeholder sentence about duties of each party. Delta placeholder sentence on records."],
    "2a": "Zeta placeholder sentence added in the second draft.",
    "3": "Epsilon placeholder sentence that stays the same in every draft.",
    "4": ["Beta placeholder sentence about defined terms."],
}


@pytest.fixture
def drafts(tmp_path: Path, django_capture_on_commit_callbacks) -> None:
    for label, articles, extra in (
        ("D/1", FIRST, ["--date", "2024-01-10"]),
        ("D/2", SECOND, ["--follows", "D/1", "--date", "2024-03-01", "--current"]),
        ("D/3", THIRD, ["--follows", "D/2", "--date", "2024-06-01"]),
    ):
        path = write_draft(tmp_path, f"{label[-1]}.md", articles)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_treaty", str(path), "--slug", "sample", "--version", label, *extra)

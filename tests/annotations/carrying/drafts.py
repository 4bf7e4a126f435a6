"""Two synthetic drafts with annotations on the first, for the carrying tests (placeholder text)."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

from accounts.models import User
from annotations.models import Annotation
from annotations.services import QuoteInput, annotation_create
from tests.treaty.drafts.drafts import write_draft
from treaty.models import DraftVersion

EARLIER = {
    "1": ["Alpha placeholder sentence about scope.", "Beta placeholder sentence about terms."],
    "2": ["Gamma placeholder sentence about duties of each party.", "Delta placeholder sentence on records."],
    "3": "Epsilon placeholder sentence that stays the same in every draft.",
    "4": "Omega placeholder sentence that the next draft deletes outright, every word.",
}
LATER = {
    # 1(2) reworded; article 2 renumbered 5 with a lead-in; article 4 deleted.
    "1": ["Alpha placeholder sentence about scope.", "Beta placeholder sentence about the defined terms."],
    "3": "Epsilon placeholder sentence that stays the same in every draft.",
    "5": ["Gamma placeholder sentence about duties of each party.", "Delta placeholder sentence on records."],
}
# (provision key, quote) on the earlier draft, and the state each is carried with.
QUOTES = [
    ("art-3", "stays the same", "exact"),
    ("art-1.2", "placeholder sentence", "moved"),
    ("art-1.2", "about terms", "needs_review"),
    ("art-2.1", "duties of each party", "moved"),
    ("art-4", "deletes outright", "orphaned"),
    ("art-1.1", "", "exact"),
]


def import_draft(tmp_path: Path, label: str, articles: dict, *extra: str) -> DraftVersion:
    path = write_draft(tmp_path, label.replace("/", "-") + ".md", articles)
    call_command("import_treaty", str(path), "--slug", "sample", "--version", label, *extra)
    return DraftVersion.objects.get(treaty__slug="sample", label=label)


def annotate(author: User, version: DraftVersion, key: str, exact: str = "", body: str = "") -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy"],
        severity=2,
        position="concern",
        body=body or f"Placeholder comment on {key} {exact}".strip(),
        quote=QuoteInput(exact=exact) if exact else None,
    )

"""Sibling versions of one draft (its texts in other languages) share their provision keys, so that
annotations on any of them count together (DESIGN §3 "Languages"). An import whose keys differ
from the siblings already stored is refused, or accepted with the difference recorded
(`--allow-key-mismatch`) and shown on the version's pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Subquery

from treaty.models import DraftVersion, Provision

# How many differing keys an error message lists before "and N more".
_LISTED = 20


@dataclass(frozen=True)
class KeyDifference:
    against: str  # the language of the sibling compared with
    missing: list[str]  # keys the sibling has and the new text lacks, in the sibling's order
    extra: list[str]  # keys the new text has and the sibling lacks, in the new text's order

    def describe(self) -> str:
        parts = []
        for what, keys in (("missing", self.missing), ("not in the other languages", self.extra)):
            if keys:
                more = f" and {len(keys) - _LISTED} more" if len(keys) > _LISTED else ""
                parts.append(f"{what}: {', '.join(keys[:_LISTED])}{more}")
        return "; ".join(parts)

    def as_record(self) -> dict[str, object]:
        return {"against": self.against, "missing": self.missing, "extra": self.extra}


def sibling_key_difference(
    *, treaty_slug: str, label: str, language: str, keys: list[str]
) -> KeyDifference | None:
    """How `keys` differ from those of the draft's first other-language sibling that matches its
    own siblings (the oldest import), or None when they agree or there is no sibling yet."""
    # One query: the keys of the oldest sibling, with its language (none at all: no sibling yet).
    sibling = (
        DraftVersion.objects.filter(treaty__slug=treaty_slug, label=label)
        .exclude(language=language)
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = list(
        Provision.objects.filter(version_id=Subquery(sibling))
        .order_by("order")
        .values_list("key", "version__language")
    )
    if not rows:
        return None
    stored = [key for key, _ in rows]
    stored_set, new_set = set(stored), set(keys)
    if stored_set == new_set:
        return None
    return KeyDifference(
        against=rows[0][1],
        missing=[key for key in stored if key not in new_set],
        extra=[key for key in keys if key not in stored_set],
    )

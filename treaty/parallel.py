"""The parallel reading view (issue 16 §2): one unit of a draft in two of its language versions,
side by side, aligned by provision key (`?with=ar` on an article or part page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from treaty.models import DraftVersion, Provision


@dataclass(frozen=True)
class ParallelRow:
    key: str
    left: Provision | None  # the page's version; None: a key only the other version has
    right: Provision | None  # the other version; None: a key it lacks (--allow-key-mismatch)


@dataclass(frozen=True)
class ParallelView:
    other: DraftVersion
    other_unit: Provision | None
    rows: list[ParallelRow]
    # The other languages the page could be read beside (for the links), the chosen one included.
    choices: list[DraftVersion]


def parallel_choices(version: DraftVersion, versions: list[DraftVersion]) -> list[DraftVersion]:
    return [v for v in versions if v.label == version.label and v.pk != version.pk]


def parallel_view(
    version: DraftVersion,
    versions: list[DraftVersion],
    unit: Provision,
    provisions: list[Provision],
    language: str,
) -> ParallelView:
    """The unit beside its text in `language`. Http404 naming the language when the draft has no
    text in it. Two queries: the other unit, and what is inside it."""
    choices = parallel_choices(version, versions)
    other = next((v for v in choices if v.language.lower() == language.lower()), None)
    if other is None:
        have = ", ".join(v.language for v in choices) or "none"
        raise Http404(
            f"Draft {version.label} has no text in {language!r} to read beside this one (it has: {have})."
        )
    other_unit = Provision.objects.filter(version=other, key=unit.key).first()
    others = list(Provision.objects.filter(article=other_unit).order_by("order")) if other_unit else []
    right = {p.key: p for p in others}
    left_keys = {unit.key, *(p.key for p in provisions)}
    rows = [ParallelRow(p.key, p, right.get(p.key)) for p in [unit, *provisions]]
    # A key only the other text has goes after the row of the key printed before it there.
    for index, extra in enumerate(others):
        if extra.key in left_keys:
            continue
        before = next((p.key for p in reversed(others[:index]) if p.key in left_keys), None)
        position = next((i + 1 for i, row in enumerate(rows) if row.key == before), len(rows))
        rows.insert(position, ParallelRow(extra.key, None, extra))
        left_keys.add(extra.key)
    # The unit's own row holds its lead-in (its heading is the page's title); others their text.
    rows = [row for row in rows if _shows(row.left, unit) or _shows(row.right, other_unit)]
    return ParallelView(other=other, other_unit=other_unit, rows=rows, choices=choices)


def _shows(provision: Provision | None, unit: Provision | None) -> bool:
    if provision is None:
        return False
    return bool(provision.text or (provision.heading and provision != unit))

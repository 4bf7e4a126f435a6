"""What changed between two drafts of a treaty (DESIGN §7 `compare`): a read of the stored mapping.

Any two drafts can be compared, in either order: a pair the worker has not mapped yet (two drafts
that are not neighbours) is mapped on first request and stored, so later reads are reads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from treaty.drafts.mapping_runs import mapping_run_ensure
from treaty.drafts.matching import ADDED, DELETED, MERGED, MODIFIED, MOVED, SAME, SPLIT
from treaty.importers.tree import printed_article_number
from treaty.models import DraftVersion, MappingRun, ProvisionMapping, Treaty

RELATIONS = (SAME, MODIFIED, MOVED, SPLIT, MERGED, ADDED, DELETED)


class CompareError(Exception):
    """A compare request that cannot be answered: `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.detail = detail
        super().__init__(detail)


@dataclass
class ArticleChange:
    from_number: str | None
    to_number: str | None
    relation: str
    similarity: float
    provisions: list[dict[str, Any]] = field(default_factory=list)
    position: float = 0.0

    @property
    def title(self) -> str:
        """How a reader names it: "Article 4a", "Preamble", "Annex 3" (the later draft's number)."""
        return unit_title(self.to_number or self.from_number or "")

    @property
    def changes(self) -> int:
        """How many provisions changed (anything but `same`)."""
        return sum(1 for p in self.provisions if p["relation"] != SAME)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from_number": self.from_number,
            "to_number": self.to_number,
            "relation": self.relation,
            "similarity": self.similarity,
            "changes": self.changes,
            "provisions": self.provisions,
        }


@dataclass
class Comparison:
    treaty: Treaty
    from_version: DraftVersion
    to_version: DraftVersion
    run: MappingRun
    summary: dict[str, int]
    articles: list[ArticleChange]

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_version.label,
            "to": self.to_version.label,
            "language": self.to_version.language,
            "summary": self.summary,
            "articles": [article.as_dict() for article in self.articles],
        }


def compare_versions_choose(
    treaty: Treaty, *, from_label: str | None, to_label: str | None, language: str | None
) -> tuple[DraftVersion, DraftVersion]:
    """The two versions to compare: the labels asked for, in a language both drafts have."""
    if not from_label or not to_label:
        raise CompareError(400, "name the two drafts to compare: ?from=LABEL&to=LABEL")
    versions = list(DraftVersion.objects.filter(treaty=treaty, label__in=[from_label, to_label]))
    for label in (from_label, to_label):
        if not any(v.label == label for v in versions):
            raise CompareError(404, f"No draft {label!r} of this treaty.")
    shared = {v.language for v in versions if v.label == from_label} & {
        v.language for v in versions if v.label == to_label
    }
    if language:
        if language not in shared:
            raise CompareError(
                404, f"Drafts {from_label!r} and {to_label!r} are not both in language {language!r}."
            )
    elif shared:
        language = "en" if "en" in shared else sorted(shared)[0]
    else:
        raise CompareError(404, f"Drafts {from_label!r} and {to_label!r} have no language in common.")
    old = next(v for v in versions if v.label == from_label and v.language == language)
    new = next(v for v in versions if v.label == to_label and v.language == language)
    return old, new


def compare_drafts(
    treaty: Treaty,
    *,
    from_label: str | None,
    to_label: str | None,
    language: str | None = None,
    article: str | None = None,
) -> Comparison:
    old, new = compare_versions_choose(treaty, from_label=from_label, to_label=to_label, language=language)
    run = MappingRun.objects.filter(from_version=old, to_version=new).first()
    if run is None or run.status != MappingRun.Status.DONE or run.to_sha256 != new.content_sha256:
        from treaty.drafts.mapping_runs import MappingFailed

        try:
            run = mapping_run_ensure(from_version=old, to_version=new)
        except MappingFailed as error:
            raise CompareError(
                409, f"the mapping from {old.label!r} to {new.label!r} failed: {error}"
            ) from error
    rows = ProvisionMapping.objects.filter(run=run).order_by("order")
    units: list[dict[str, Any]] = run.summary.get("units", [])
    if article:
        old_units = {u["from"] for u in units if u["to"] == article} | {article}
        rows = rows.filter(to_article=article) | rows.filter(to_article="", from_article__in=old_units)
        rows = rows.order_by("order")
        if not rows.exists():
            raise CompareError(404, f"No article {article} in draft {new.label!r} or {old.label!r}.")
    values = list(
        rows.values_list(
            "from_key", "to_key", "from_article", "to_article", "relation", "similarity", "diff", "order"
        )
    )
    return Comparison(treaty, old, new, run, _summary(values), _articles(values, units))


def unit_title(number: str) -> str:
    if number == "pre":
        return "Preamble"
    if number == "final":
        return "Final clause"
    if number.startswith("annex"):
        return f"Annex {number.removeprefix('annex').lstrip('-')}".strip()
    if number[:1].isdigit():
        return f"Article {printed_article_number(number)}"
    return number  # a heading (title or chapter) by its key


def _summary(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    counts = Counter(row[4] for row in rows)
    return {relation: counts.get(relation, 0) for relation in RELATIONS}


def _articles(rows: list[tuple[Any, ...]], units: list[dict[str, Any]]) -> list[ArticleChange]:
    """Rows grouped by article pair; changed articles first, each group in reading order."""
    pair_of_old = {u["from"]: u for u in units if u["from"] is not None}
    pair_of_new = {u["to"]: u for u in units if u["to"] is not None}
    groups: dict[tuple[str | None, str | None], ArticleChange] = {}
    for from_key, to_key, from_article, to_article, relation, similarity, diff, order in rows:
        # A provision is shown under the article it is in now; a deleted one under its old article.
        unit = pair_of_new.get(to_article) if to_article else pair_of_old.get(from_article)
        if unit is None:
            unit = {"from": from_article or None, "to": to_article or None, "similarity": 0.0}
        key = (unit["from"], unit["to"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = ArticleChange(
                unit["from"], unit["to"], "", unit["similarity"], position=order
            )
        group.provisions.append(
            {
                "from_key": from_key or None,
                "to_key": to_key or None,
                "relation": relation,
                "similarity": similarity,
                "diff": diff,
            }
        )
    for group in groups.values():
        group.relation = _article_relation(group)
    ordered = sorted(groups.values(), key=lambda g: g.position)
    return [g for g in ordered if g.relation != SAME] + [g for g in ordered if g.relation == SAME]


def _article_relation(group: ArticleChange) -> str:
    if group.from_number is None:
        return ADDED
    if group.to_number is None:
        return DELETED
    if group.from_number != group.to_number:
        return MOVED  # renumbered or relocated, found by its text
    return SAME if all(p["relation"] == SAME for p in group.provisions) else MODIFIED

"""The line of drafts of a treaty: which draft follows which, and which one is current.

A draft names the label it follows; sibling languages share it. The drafts form a line (each
draft is followed by at most one), never a loop. Making a draft current supersedes the one it
follows, in every language; superseded drafts stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from treaty.drafts.mapping_runs import MappingFailed, mapping_run_ensure
from treaty.generations import public_generation_bump_on_commit
from treaty.models import DraftVersion, MappingRun, Treaty


class LineageRefused(Exception):
    """The draft cannot be placed in the line as asked; nothing was written."""


def lineage_check(*, treaty_slug: str, label: str, follows: str) -> None:
    """Refuse a predecessor that is unknown, belongs to another treaty, or would close a loop."""
    if follows == label:
        raise LineageRefused(f"draft {label!r} cannot follow itself: the lineage would loop")
    predecessors = DraftVersion.objects.filter(treaty__slug=treaty_slug, label=follows)
    if not predecessors.exists():
        elsewhere = sorted(
            DraftVersion.objects.filter(label=follows).values_list("treaty__slug", flat=True).distinct()
        )
        if elsewhere:
            raise LineageRefused(
                f"--follows {follows!r}: that draft belongs to treaty {', '.join(elsewhere)},"
                f" not to {treaty_slug!r}"
            )
        known = draft_labels(treaty_slug)
        hint = (
            f" (its drafts: {', '.join(known)})" if known else f" (treaty {treaty_slug!r} has no drafts yet)"
        )
        raise LineageRefused(f"--follows {follows!r}: no draft with that label in {treaty_slug!r}{hint}")
    parents = _parents(treaty_slug)
    chain = [label, follows]
    seen = {label}
    current = follows
    while parents.get(current):
        current = parents[current]
        chain.append(current)
        if current in seen:
            raise LineageRefused(f"the lineage would loop: {' follows '.join(chain)}")
        seen.add(current)
    if (existing := parents.get(label)) and existing != follows:
        raise LineageRefused(f"draft {label!r} already follows {existing!r}, not {follows!r}")
    taken = sorted({child for child, parent in parents.items() if parent == follows and child != label})
    if taken:
        raise LineageRefused(
            f"draft {taken[0]!r} already follows {follows!r}: a treaty's drafts form a line,"
            f" so {label!r} should follow {taken[0]!r} or the last draft after it"
        )


def _parents(treaty_slug: str) -> dict[str, str]:
    rows = DraftVersion.objects.filter(treaty__slug=treaty_slug).values_list("label", "follows")
    parents: dict[str, str] = {}
    for label, follows in rows:
        if follows or label not in parents:
            parents[label] = follows
    return parents


def _ancestors(treaty_slug: str, label: str) -> list[str]:
    """`label` and every draft before it along `follows` (the lineage has no loops: lineage_check)."""
    parents = _parents(treaty_slug)
    chain: list[str] = []
    while label and label not in chain:
        chain.append(label)
        label = parents.get(label, "")
    return chain


def draft_labels(treaty_slug: str) -> list[str]:
    return sorted(set(DraftVersion.objects.filter(treaty__slug=treaty_slug).values_list("label", flat=True)))


@dataclass(frozen=True)
class Draft:
    """One draft of the line, all languages together."""

    label: str
    follows: str
    date: object
    status: str
    is_current: bool
    languages: list[str]
    article_count: int | None
    provision_count: int | None
    versions: list[DraftVersion]


def draft_line(treaty: Treaty) -> list[Draft]:
    """The treaty's drafts, oldest first along `follows` (drafts outside the line after, by date)."""
    versions = list(
        DraftVersion.objects.filter(treaty=treaty)
        .order_by("label", "language")
        .only(
            "id",
            "treaty_id",
            "label",
            "language",
            "title",
            "date",
            "status",
            "is_current",
            "follows",
            "article_count",
            "provision_count",
            "word_count",
        )
    )
    by_label: dict[str, list[DraftVersion]] = {}
    for version in versions:
        by_label.setdefault(version.label, []).append(version)
    parents = {label: next((v.follows for v in group if v.follows), "") for label, group in by_label.items()}
    children = {parent: label for label, parent in parents.items() if parent}
    ordered: list[str] = []
    for root in sorted(
        (label for label, parent in parents.items() if not parent or parent not in by_label),
        key=lambda label: (str(by_label[label][0].date or ""), label),
    ):
        label: str | None = root
        while label is not None and label not in ordered:
            ordered.append(label)
            label = children.get(label)
    ordered += [label for label in by_label if label not in ordered]
    drafts = []
    for label in ordered:
        group = by_label[label]
        lead = next((v for v in group if v.language == "en"), group[0])
        drafts.append(
            Draft(
                label=label,
                follows=parents[label],
                date=lead.date,
                status=lead.status,
                is_current=any(v.is_current for v in group),
                languages=[v.language for v in group],
                article_count=lead.article_count,
                provision_count=lead.provision_count,
                versions=group,
            )
        )
    return drafts


class CurrentRefused(LineageRefused):
    """The draft cannot be made current (its mapping failed)."""


@transaction.atomic
def draft_make_current(*, version: DraftVersion) -> list[DraftVersion]:
    """Make the draft of `version` (every language of it) the one open for comment, and supersede
    the draft it follows (and the drafts before that one: all of them are earlier texts).
    Refused when the mapping from that draft failed: readers would be sent to a draft whose
    changes cannot be shown. Returns the versions superseded."""
    siblings = list(
        DraftVersion.objects.select_for_update().filter(treaty=version.treaty, label=version.label)
    )
    if version.follows:
        predecessors = list(
            DraftVersion.objects.select_for_update().filter(treaty=version.treaty, label=version.follows)
        )
        for sibling in siblings:
            earlier = next((p for p in predecessors if p.language == sibling.language), None)
            if earlier is None:
                continue
            failed = MappingRun.objects.filter(
                from_version=earlier, to_version=sibling, status=MappingRun.Status.FAILED
            ).first()
            if failed is not None:
                raise CurrentRefused(
                    f"draft {sibling.label!r} ({sibling.language}) cannot be made current: its mapping from"
                    f" {earlier.label!r} failed ({failed.error or 'no reason recorded'});"
                    " import it again without --current to map it again, then make it current"
                )
            try:
                mapping_run_ensure(from_version=earlier, to_version=sibling)
            except MappingFailed as error:
                raise CurrentRefused(
                    f"draft {sibling.label!r} ({sibling.language}) cannot be made current: its mapping from"
                    f" {earlier.label!r} failed ({error})"
                ) from error
    else:
        predecessors = []
    languages = {sibling.language for sibling in siblings}
    DraftVersion.objects.filter(treaty=version.treaty, language__in=languages, is_current=True).exclude(
        label=version.label
    ).update(is_current=False)
    earlier_labels = _ancestors(version.treaty.slug, version.follows)
    superseded = list(
        DraftVersion.objects.filter(treaty=version.treaty, label__in=earlier_labels).exclude(
            status=DraftVersion.Status.SUPERSEDED
        )
    )
    DraftVersion.objects.filter(pk__in=[p.pk for p in superseded]).update(
        status=DraftVersion.Status.SUPERSEDED, is_current=False
    )
    DraftVersion.objects.filter(pk__in=[s.pk for s in siblings]).update(is_current=True)
    public_generation_bump_on_commit(treaty_id=version.treaty_id)  # every page names the current draft
    return superseded

"""An article page's heat: the shading in its margin and its concerns, read from the stored rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from annotations.heat.render import (
    HeatScale,
    heat_scale,
)
from annotations.heat.wording import age_text, plural
from annotations.models import ConcernTag, Heat
from annotations.public_time import public_moment_or_none
from treaty.models import DraftVersion, Provision


@dataclass
class ProvisionHeat:
    """One provision's heat, for the shading in the margin of an article page."""

    key: str
    label: str
    level: int
    annotations: int
    organizations: int
    endorsements: int
    score: int

    @property
    def css_class(self) -> str:
        return f"heat-{self.level}"

    @property
    def counts(self) -> str:
        return " · ".join(
            [
                plural(self.organizations, "organisation", "organisations"),
                plural(self.annotations, "annotation", "annotations"),
                f"score {self.score}",
                plural(self.endorsements, "endorsement", "endorsements"),
            ]
        )


@dataclass
class TagHeat:
    tag: ConcernTag
    annotations: int
    organizations: int
    endorsements: int
    score: int
    css_class: str


@dataclass
class ArticleHeat:
    provisions: dict[int, ProvisionHeat]  # by provision id; only provisions with heat
    tags: list[TagHeat]  # the article's concerns, most organisations first
    annotations: int
    organizations: int
    scale: HeatScale  # of the provisions' organisations
    tag_scale: HeatScale
    computed_at: datetime | None
    age: str


def article_heat_context(
    version: DraftVersion, article: Provision, provisions: list[Provision] | None = None
) -> ArticleHeat:
    """An article's stored heat (all authors) in one query: per provision, its level on a scale of
    the article's own most-discussed provision (by distinct organisations) and every count; per
    concern tag, the article's breakdown.

    Sets `heat` (a ProvisionHeat, or None) on `article` (its lead-in text) and on each of
    `provisions`, so that templates/treaty/_provision.html can show it without a lookup."""
    rows = list(
        Heat.objects.filter(version=version, article=article, segment="")
        .select_related("tag")
        .order_by("provision_id", "tag_id")
    )
    by_provision = [r for r in rows if r.provision_id is not None and r.tag_id is None]
    by_tag = [r for r in rows if r.provision_id is None and r.tag_id is not None]
    total = next((r for r in rows if r.provision_id is None and r.tag_id is None), None)
    scale = heat_scale(max((r.organizations for r in by_provision), default=0))
    tag_scale = heat_scale(max((r.organizations for r in by_tag), default=0))
    labels = {p.pk: (p.key, p.label) for p in [article, *(provisions or [])]}
    heats: dict[int, ProvisionHeat] = {}
    for r in by_provision:
        if r.provision_id is None or not r.annotations:
            continue
        key, label = labels.get(r.provision_id, ("", ""))
        heats[r.provision_id] = ProvisionHeat(
            key=key,
            label=label,
            level=scale.level(r.organizations),
            annotations=r.annotations,
            organizations=r.organizations,
            endorsements=r.endorsements,
            score=r.score,
        )
    tags = sorted(
        (
            TagHeat(
                tag=r.tag,  # type: ignore[arg-type]
                annotations=r.annotations,
                organizations=r.organizations,
                endorsements=r.endorsements,
                score=r.score,
                css_class=tag_scale.css_class(r.organizations),
            )
            for r in by_tag
            if r.annotations
        ),
        key=lambda t: (-t.organizations, -t.annotations, t.tag.order, t.tag.name),
    )
    for provision in [article, *(provisions or [])]:
        provision.heat = heats.get(provision.pk)  # type: ignore[attr-defined]
    # To the minute, as every public time (annotations.public_time).
    computed_at = public_moment_or_none(max((r.computed_at for r in rows), default=None))
    return ArticleHeat(
        provisions=heats,
        tags=tags,
        annotations=total.annotations if total else 0,
        organizations=total.organizations if total else 0,
        scale=scale,
        tag_scale=tag_scale,
        computed_at=computed_at,
        age=age_text(computed_at, timezone.now()) if computed_at else "",
    )

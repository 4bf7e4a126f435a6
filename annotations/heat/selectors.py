"""Reading heat: the treaty matrix (units × tags) and an article's (provisions × tags).

Everything is served from the stored Heat rows (annotations.heat.aggregation keeps them), filtered by one
segment: all authors, one organisation type, or one country.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Organization
from annotations.models import ConcernTag, Heat
from annotations.public_time import public_moment_or_none
from treaty.models import DraftVersion, Provision

METRICS = ("annotations", "organizations", "endorsements", "score")
POSITION_FIELDS = ("pos_concern", "pos_oppose", "pos_amend", "pos_delete", "pos_clarify", "pos_support")
EMPTY = dict.fromkeys(METRICS, 0)


def heat_segment(*, organization_type: str | None, country: str | None) -> str:
    """The stored segment a filter reads. Raises ValidationError naming a bad filter."""
    if organization_type and country:
        raise ValidationError({"detail": _("Filter by organization_type or by country, not both at once.")})
    if organization_type:
        valid = [*Organization.Type.values, "individual"]
        if organization_type not in valid:
            raise ValidationError(
                {"organization_type": _("Use one of: %(choices)s.") % {"choices": ", ".join(valid)}}
            )
        return f"type:{organization_type}"
    if country:
        if len(country) != 2 or not country.isalpha():
            raise ValidationError({"country": _("Use a two-letter ISO 3166 country code, e.g. KE.")})
        return f"country:{country.upper()}"
    return ""


@dataclass
class HeatCell:
    tag: str | None  # None: all tags
    annotations: int = 0
    organizations: int = 0
    endorsements: int = 0
    score: int = 0
    positions: dict[str, int] = field(default_factory=dict)
    # A cell of a country or organisation-type breakdown with fewer distinct organisations than
    # HEAT_MIN_ORGANIZATIONS: its numbers are not kept (all 0 here), only that it is suppressed.
    suppressed: bool = False

    def metrics(self) -> dict[str, int]:
        return {m: getattr(self, m) for m in METRICS}


@dataclass
class HeatRow:
    provision: Provision  # an article (treaty matrix) or a provision (article matrix)
    total: HeatCell
    cells: list[HeatCell]  # one per tag, in tag order


@dataclass
class HeatMatrix:
    version: DraftVersion
    tags: list[ConcernTag]
    rows: list[HeatRow]
    column_totals: list[HeatCell]  # per tag, across the whole version (treaty matrix only)
    grand_total: HeatCell
    computed_at: datetime | None
    segment: str


# The stored rows are read as plain values, not model instances: a treaty matrix is hundreds of
# rows per request, and building instances was most of the heatmap API's time (bench/heat.py).
_STORED_FIELDS = (
    "article_id",
    "provision_id",
    "tag_id",
    "annotations",
    "organizations",
    "endorsements",
    "score",
    *POSITION_FIELDS,
    "computed_at",
)
Stored = dict[str, Any]


def _stored(rows: QuerySet[Heat]) -> list[Stored]:
    return list(rows.order_by().values(*_STORED_FIELDS))


def is_small(organizations: int) -> bool:
    """Too few organisations to show in a breakdown by country or type (DESIGN §6 "Small cells")."""
    return 0 < organizations < settings.HEAT_MIN_ORGANIZATIONS


def _cell(row: Stored | None, tag: str | None, segment: str = "") -> HeatCell:
    if row is None:
        return HeatCell(tag=tag, positions=dict.fromkeys((p[4:] for p in POSITION_FIELDS), 0))
    if segment and is_small(row["organizations"]):
        # Not even the annotation count: with one organisation it would say what that one did.
        return HeatCell(
            tag=tag, positions=dict.fromkeys((p[4:] for p in POSITION_FIELDS), 0), suppressed=True
        )
    return HeatCell(
        tag=tag,
        annotations=row["annotations"],
        organizations=row["organizations"],
        endorsements=row["endorsements"],
        score=row["score"],
        positions={p[4:]: row[p] for p in POSITION_FIELDS},
    )


def heat_tags(tag: str | None) -> list[ConcernTag]:
    """The matrix's columns: the active tags, or the one asked for. Raises ValidationError naming
    an unknown tag."""
    tags = list(ConcernTag.objects.filter(Q(is_active=True) | Q(slug=tag or "")).order_by("order", "name"))
    if tag:
        tags = [t for t in tags if t.slug == tag]
        if not tags:
            raise ValidationError({"tag": _("Unknown concern tag “%(tag)s”.") % {"tag": tag}})
    return tags


def heat_stamp(version: DraftVersion, *, segment: str, article: Provision | None = None) -> tuple[int, Any]:
    """What changes whenever the stored rows a matrix reads change: their number and the last time
    one was written (a recompute always rewrites its roll-up rows; a removed row lowers the count)."""
    rows = Heat.objects.filter(version=version, segment=segment)
    rows = rows.filter(provision__isnull=True) if article is None else rows.filter(article=article)
    stamp = rows.aggregate(n=Count("pk"), last=Max("computed_at"))
    return stamp["n"], stamp["last"]


def treaty_heat(
    version: DraftVersion, *, segment: str = "", tag: str | None = None, tags: list[ConcernTag] | None = None
) -> HeatMatrix:
    """Reading units (articles, preamble, final clause) × tags, with row and column totals. `tags`:
    heat_tags(tag), when the caller has them already."""
    tags = heat_tags(tag) if tags is None else tags
    units = list(
        Provision.objects.filter(version=version, article_id=F("pk"))
        .order_by("order")
        .only("id", "key", "kind", "number", "label", "heading", "order", "parent_id")
    )
    stored = _stored(Heat.objects.filter(version=version, segment=segment, provision__isnull=True))
    by_unit = {(h["article_id"], h["tag_id"]): h for h in stored}
    rows = [
        HeatRow(
            provision=unit,
            total=_cell(by_unit.get((unit.pk, None)), None, segment),
            cells=[_cell(by_unit.get((unit.pk, t.pk)), t.slug, segment) for t in tags],
        )
        for unit in units
    ]
    return HeatMatrix(
        version=version,
        tags=tags,
        rows=rows,
        column_totals=[_cell(by_unit.get((None, t.pk)), t.slug, segment) for t in tags],
        grand_total=_cell(by_unit.get((None, None)), None, segment),
        computed_at=public_moment_or_none(max((h["computed_at"] for h in stored), default=None)),
        segment=segment,
    )


def article_heat(
    version: DraftVersion,
    article: Provision,
    *,
    segment: str = "",
    tag: str | None = None,
    tags: list[ConcernTag] | None = None,
) -> HeatMatrix:
    """An article's provisions × tags; the article's own row is its roll-up."""
    tags = heat_tags(tag) if tags is None else tags
    provisions = list(Provision.objects.filter(article=article).order_by("order"))
    stored = _stored(Heat.objects.filter(version=version, article=article, segment=segment))
    by_key = {(h["provision_id"], h["tag_id"]): h for h in stored}
    rows = [
        HeatRow(
            provision=p,
            total=_cell(by_key.get((p.pk, None)), None, segment),
            cells=[_cell(by_key.get((p.pk, t.pk)), t.slug, segment) for t in tags],
        )
        for p in provisions
    ]
    return HeatMatrix(
        version=version,
        tags=tags,
        rows=rows,
        column_totals=[_cell(by_key.get((None, t.pk)), t.slug, segment) for t in tags],
        grand_total=_cell(by_key.get((None, None)), None, segment),
        computed_at=public_moment_or_none(max((h["computed_at"] for h in stored), default=None)),
        segment=segment,
    )


# --- Activity: what the home page and a treaty's contents show -----------------------------------


@dataclass(frozen=True)
class Activity:
    annotations: int
    organizations: int


def unit_activity(version: DraftVersion) -> dict[int, Activity]:
    """Per reading unit (article, preamble, annex) of a draft version: its published annotations and
    distinct organisations, from the stored heat (one query)."""
    rows = Heat.objects.filter(
        version=version, segment="", tag__isnull=True, provision__isnull=True, article__isnull=False
    ).values_list("article_id", "annotations", "organizations")
    return {unit: Activity(n, orgs) for unit, n, orgs in rows if n}


def draft_activity(version_ids: list[int]) -> dict[int, Activity]:
    """Per draft version: its published annotations and distinct organisations (one query)."""
    rows = Heat.objects.filter(
        version_id__in=version_ids, segment="", tag__isnull=True, provision__isnull=True, article__isnull=True
    ).values_list("version_id", "annotations", "organizations")
    return {version: Activity(n, orgs) for version, n, orgs in rows}


def most_discussed(version_ids: list[int], limit: int = 5) -> list[tuple[Provision, Activity]]:
    """The reading units with the most organisations (then annotations) across these versions."""
    rows = (
        Heat.objects.filter(
            version_id__in=version_ids,
            segment="",
            tag__isnull=True,
            provision__isnull=True,
            article__isnull=False,
            annotations__gt=0,
        )
        .select_related("article__version__treaty")
        .order_by("-organizations", "-annotations", "article__order")[:limit]
    )
    return [(row.article, Activity(row.annotations, row.organizations)) for row in rows]  # type: ignore[misc]

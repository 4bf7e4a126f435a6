"""The treaty heatmap page, its SVG and CSV downloads, and the heat an article page shows.

Everything is read from the stored Heat rows (annotations.heat keeps them; annotations.heatmap
reads them), in a constant number of queries whatever the size of the treaty or the number of
annotations. Filters by organisation type or country read the stored segment of that name.

A position filter also reads the stored rows, which keep per-position *annotation* counts only
(pos_oppose, …): distinct organisations or scores per position would need a live aggregate over
the annotations on every page view, which is what the stored rows exist to avoid. So with a
position the cells count annotations, and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_countries import countries

from accounts.models import Organization
from accounts.privacy import author_visible_to
from annotations import selectors
from annotations.heatmap import HeatCell, HeatMatrix, heat_segment, treaty_heat
from annotations.heatmap_render import (
    HeatScale,
    SvgCell,
    SvgMatrix,
    SvgRow,
    csv_text,
    heat_scale,
    matrix_svg,
)
from annotations.models import Annotation, ConcernTag, Heat, HeatDirty, Status
from annotations.rendering import comment_html
from treaty import selectors as treaty_selectors
from treaty.models import DraftVersion, Provision, Treaty

METRICS = {
    # metric: (one, many, what the legend says it counts)
    "organizations": (
        "organisation",
        "organisations",
        "distinct organisations (an author without one counts as one)",
    ),
    "annotations": ("annotation", "annotations", "published annotations"),
    "score": (
        "point of score",
        "points of score",
        "score: the sum of severities (note 1, concern 2, serious 3)",
    ),
}
DEFAULT_METRIC = "organizations"
POSITIONS = dict(Annotation.Position.choices)
ORGANIZATION_TYPES = [*Organization.Type.choices, ("individual", "Individuals (no organisation)")]
CELL_PAGE_SIZE = 50


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def age_text(then: datetime, now: datetime) -> str:
    """How long ago, shortly: 40 s ago, 3 min ago, 5 h ago, 2 days ago (shown beside an ISO <time>)."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


# --- What the request asks for --------------------------------------------------------------


@dataclass
class HeatmapFilters:
    """The GET parameters of the page and its downloads, checked. `errors` maps a field (or
    "__all__") to the message a reader sees; with any error there is no matrix."""

    metric: str = DEFAULT_METRIC
    tag: str = ""
    position: str = ""
    organization_type: str = ""
    country: str = ""
    segment: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.tag or self.position or self.organization_type or self.country)

    def params(self, **overrides: str) -> dict[str, str]:
        """The filters as query parameters (defaults left out), with some replaced."""
        values = {
            "metric": "" if self.metric == DEFAULT_METRIC else self.metric,
            "tag": self.tag,
            "position": self.position,
            "organization_type": self.organization_type,
            "country": self.country,
        } | overrides
        return {name: value for name, value in values.items() if value}


def heatmap_filters(get: Mapping[str, str]) -> HeatmapFilters:
    """The filters of a request's query string (request.GET), with a message for each bad one."""
    filters = HeatmapFilters(
        metric=(get.get("metric") or DEFAULT_METRIC).strip()[:40],
        tag=(get.get("tag") or "").strip()[:60],
        position=(get.get("position") or "").strip()[:40],
        organization_type=(get.get("organization_type") or "").strip()[:40],
        country=(get.get("country") or "").strip().upper()[:10],
    )
    # A bad value is named in the message, then dropped: the form shows the default instead.
    if filters.metric not in METRICS:
        filters.errors["metric"] = f"Colour by one of: {', '.join(METRICS)} (not “{filters.metric}”)."
        filters.metric = DEFAULT_METRIC
    if filters.position and filters.position not in POSITIONS:
        filters.errors["position"] = f"Use one of: {', '.join(POSITIONS)} (not “{filters.position}”)."
        filters.position = ""
    try:
        filters.segment = heat_segment(
            organization_type=filters.organization_type or None, country=filters.country or None
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            filters.errors["__all__" if name == "detail" else name] = " ".join(messages)
    return filters


@dataclass
class Scope:
    treaty: Treaty
    version: DraftVersion
    versions: list[DraftVersion]
    version_params: dict[str, str]  # keeps a reader on a non-default version

    def query(self, params: dict[str, str]) -> str:
        merged = self.version_params | params
        return "?" + urlencode(merged) if merged else ""


def _scope(request: HttpRequest, slug: str) -> Scope:
    treaty = treaty_selectors.treaty_get(slug)
    versions = treaty_selectors.version_list(treaty)
    version = treaty_selectors.version_choose(
        versions, label=request.GET.get("version") or None, language=request.GET.get("lang") or None
    )
    default = treaty_selectors.version_choose(versions)
    version_params = {} if version.pk == default.pk else {"version": version.label, "lang": version.language}
    return Scope(treaty, version, versions, version_params)


def _matrix(scope: Scope, filters: HeatmapFilters) -> HeatMatrix | None:
    if filters.errors:
        return None
    try:
        return treaty_heat(scope.version, segment=filters.segment, tag=filters.tag or None)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            filters.errors[name] = " ".join(messages)
        return None


def _value(cell: HeatCell, filters: HeatmapFilters) -> int:
    if filters.position:
        return cell.positions.get(filters.position, 0)
    return int(getattr(cell, filters.metric))


def _counts_text(cell: HeatCell) -> str:
    return " · ".join(
        [
            _plural(cell.organizations, "organisation", "organisations"),
            _plural(cell.annotations, "annotation", "annotations"),
            f"score {cell.score}",
            _plural(cell.endorsements, "endorsement", "endorsements"),
        ]
    )


# --- The page's table -----------------------------------------------------------------------


@dataclass
class TableCell:
    value: int
    css_class: str
    url: str  # "" when there is nothing behind it
    counts: str  # every number of the cell, for the tooltip
    spoken: str  # after the number, for a screen reader: "organisations: Article 2, Privacy"


@dataclass
class TableRow:
    unit: Provision
    url: str
    label: str
    heading: str
    cells: list[TableCell]
    total: int


@dataclass
class TableGroup:
    """A chapter (or the rows outside any chapter: preamble, final clause, annexes)."""

    key: str
    heading: str  # "" for rows outside a chapter
    rows: list[TableRow]


@dataclass
class HeatTable:
    groups: list[TableGroup]
    column_totals: list[int]
    grand_total: int
    scale: HeatScale


def _unit_label(unit: Provision) -> str:
    return unit.label or unit.heading or unit.key


def _chapters(version: DraftVersion, units: list[Provision]) -> dict[int, Provision | None]:
    """Each unit's chapter (its outermost heading), from the table of contents: one query."""
    toc = treaty_selectors.table_of_contents(version)
    chapters: dict[int, Provision | None] = {}
    for unit in units:
        ancestors = toc.ancestors(unit)
        chapters[unit.pk] = ancestors[0] if ancestors else None
    return chapters


def _unit_url(scope: Scope, unit: Provision) -> str:
    if unit.kind == Provision.Kind.ARTICLE and unit.number:
        return reverse("treaty:article", args=[scope.treaty.slug, unit.number]) + scope.query({})
    return reverse("treaty:detail", args=[scope.treaty.slug]) + scope.query({}) + f"#{unit.key}"


def cell_url(scope: Scope, unit: Provision, tag: str, position: str) -> str:
    """Where a reader finds the annotations behind a cell. An article: its page, with the panel
    filtered by the tag (and position). The preamble and the final clause have no panel: a
    plain list of their published annotations."""
    filters = {name: value for name, value in (("tag", tag), ("position", position)) if value}
    if unit.kind == Provision.Kind.ARTICLE and unit.number:
        path = reverse("treaty:article", args=[scope.treaty.slug, unit.number])
        return path + scope.query(filters) + "#annotations"
    path = reverse("heatmap:cell-annotations", args=[scope.treaty.slug])
    return path + scope.query({"unit": unit.key, **filters})


def heat_table(scope: Scope, matrix: HeatMatrix, filters: HeatmapFilters) -> HeatTable:
    units = [row.provision for row in matrix.rows]
    chapters = _chapters(scope.version, units)
    maximum = max((_value(cell, filters) for row in matrix.rows for cell in row.cells), default=0)
    scale = heat_scale(maximum)
    one, many, _description = _measure(filters)
    groups: list[TableGroup] = []
    for row in matrix.rows:
        unit = row.provision
        chapter = chapters.get(unit.pk)
        key = chapter.key if chapter else f"outside-{unit.key}"
        if not groups or groups[-1].key != key:
            heading = ""
            if chapter:
                heading = f"{chapter.label} – {chapter.heading}" if chapter.heading else chapter.label
            groups.append(TableGroup(key, heading, []))
        cells = []
        for tag, cell in zip(matrix.tags, row.cells, strict=True):
            value = _value(cell, filters)
            cells.append(
                TableCell(
                    value=value,
                    css_class=scale.css_class(value),
                    url=cell_url(scope, unit, tag.slug, filters.position) if value else "",
                    counts=_counts_text(cell),
                    spoken=f"{one if value == 1 else many}: {_unit_label(unit)}, {tag.name}",
                )
            )
        groups[-1].rows.append(
            TableRow(
                unit=unit,
                url=_unit_url(scope, unit),
                label=_unit_label(unit),
                heading=unit.heading if unit.kind == Provision.Kind.ARTICLE else "",
                cells=cells,
                total=_value(row.total, filters),
            )
        )
    return HeatTable(
        groups=groups,
        column_totals=[_value(cell, filters) for cell in matrix.column_totals],
        grand_total=_value(matrix.grand_total, filters),
        scale=scale,
    )


def _measure(filters: HeatmapFilters) -> tuple[str, str, str]:
    """(one, many, description) of what the cells count."""
    if filters.position:
        label = POSITIONS[filters.position]
        return (
            "annotation",
            "annotations",
            f"published annotations taking the position “{label}”",
        )
    return METRICS[filters.metric]


def _filter_summary(filters: HeatmapFilters, tags: list[ConcernTag]) -> str:
    parts = []
    if filters.tag:
        parts.append(f"concern “{next((t.name for t in tags if t.slug == filters.tag), filters.tag)}”")
    if filters.position:
        parts.append(f"position “{POSITIONS[filters.position]}”")
    if filters.organization_type:
        type_label = dict(ORGANIZATION_TYPES).get(filters.organization_type, filters.organization_type)
        parts.append(f"organisation type “{type_label}”")
    if filters.country:
        parts.append(f"organisations from {countries.name(filters.country) or filters.country}")
    return ", ".join(parts)


def _segment_options(version: DraftVersion) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Organisation types and countries for the filter, each with how many organisations
    contributed (one query over the version totals)."""
    rows = Heat.objects.filter(
        Q(segment__startswith="type:") | Q(segment__startswith="country:"),
        version=version,
        article__isnull=True,
        provision__isnull=True,
        tag__isnull=True,
    ).values_list("segment", "organizations")
    present = dict(rows)
    types = [
        (value, f"{label} ({present[f'type:{value}']})" if f"type:{value}" in present else label)
        for value, label in ORGANIZATION_TYPES
    ]
    codes = sorted(
        (segment.removeprefix("country:") for segment in present if segment.startswith("country:")),
        key=lambda code: str(countries.name(code) or code),
    )
    country_options = [
        (code, f"{countries.name(code) or code} ({present[f'country:{code}']})") for code in codes
    ]
    return types, country_options


@require_GET
def treaty_heatmap(request: HttpRequest, slug: str) -> HttpResponse:
    scope = _scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = _matrix(scope, filters)
    table = heat_table(scope, matrix, filters) if matrix else None
    dirty = list(HeatDirty.objects.filter(version=scope.version).values_list("article_id", flat=True))
    types, country_options = _segment_options(scope.version)
    one, many, counts = _measure(filters)
    now = timezone.now()
    page_params = filters.params()
    context = {
        "treaty": scope.treaty,
        "version": scope.version,
        "versions": scope.versions,
        "query": scope.query({}),
        "version_params": scope.version_params,
        "filters": filters,
        "matrix": matrix,
        "table": table,
        "all_tags": _all_tags(matrix, filters),
        "positions": list(POSITIONS.items()),
        "position_label": POSITIONS.get(filters.position, ""),
        "organization_types": types,
        "countries": country_options,
        "measure_one": one,
        "measure_many": many,
        "measure_description": counts,
        "filter_summary": _filter_summary(filters, matrix.tags if matrix else []),
        "metric_links": [
            (name, METRICS[name][1].capitalize(), scope.query(filters.params(metric=_metric_param(name))))
            for name in METRICS
        ],
        "computed_at": matrix.computed_at if matrix else None,
        "age": age_text(matrix.computed_at, now) if matrix and matrix.computed_at else "",
        "dirty_articles": sum(1 for article_id in dirty if article_id is not None),
        "dirty": bool(dirty),
        "svg_url": reverse("heatmap:treaty-svg", args=[slug]) + scope.query(page_params),
        "csv_url": reverse("heatmap:treaty-csv", args=[slug]) + scope.query(page_params),
        "clear_url": reverse("heatmap:treaty", args=[slug]) + scope.query({}),
    }
    return render(
        request, "annotations/heatmap/treaty_heatmap.html", context, status=400 if filters.errors else 200
    )


def _metric_param(metric: str) -> str:
    return "" if metric == DEFAULT_METRIC else metric


def _all_tags(matrix: HeatMatrix | None, filters: HeatmapFilters) -> list[ConcernTag]:
    # The tag filter offers every active tag, also when the matrix shows one column.
    if matrix is not None and not filters.tag:
        return matrix.tags
    return list(ConcernTag.objects.filter(is_active=True).order_by("order", "name"))


# --- Downloads ------------------------------------------------------------------------------


def _bad_request(filters: HeatmapFilters) -> HttpResponse:
    message = "\n".join(filters.errors.values())
    return HttpResponse(message + "\n", status=400, content_type="text/plain; charset=utf-8")


def _download_name(scope: Scope, extension: str) -> str:
    label = "".join(c if c.isalnum() else "-" for c in f"{scope.version.label}-{scope.version.language}")
    return f"{scope.treaty.slug}-heatmap-{label.strip('-')}.{extension}"


@require_GET
def treaty_heatmap_svg(request: HttpRequest, slug: str) -> HttpResponse:
    scope = _scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = _matrix(scope, filters)
    if matrix is None:
        return _bad_request(filters)
    table = heat_table(scope, matrix, filters)
    _one, many, description = _measure(filters)
    rows: list[SvgRow] = []
    for group in table.groups:
        for index, row in enumerate(group.rows):
            rows.append(
                SvgRow(
                    label=row.label,
                    heading=row.heading,
                    cells=[SvgCell(c.value, table.scale.level(c.value)) for c in row.cells]
                    + [SvgCell(row.total, -1)],
                    group=group.heading if index == 0 else "",
                )
            )
    summary = _filter_summary(filters, matrix.tags)
    version = f"{scope.version.label} ({scope.version.language})"
    title = f"{scope.treaty.title}, {version}: {many} per article and concern"
    computed = (
        f"computed {matrix.computed_at:%Y-%m-%d %H:%M} UTC" if matrix.computed_at else "not computed yet"
    )
    svg = matrix_svg(
        SvgMatrix(
            title=title,
            description=(
                f"Heatmap of {description}, per reading unit (rows) and concern tag (columns)"
                + (f"; filtered by {summary}" if summary else "")
                + "; the last column counts all concerns together and the last row the whole text"
                + f"; {computed}. "
                "Darker blue is more; every cell prints its number."
            ),
            columns=[t.name for t in matrix.tags] + ["All concerns"],
            rows=rows,
            footer=SvgRow(
                label="Whole text",
                heading="",
                cells=[SvgCell(v, -1) for v in table.column_totals] + [SvgCell(table.grand_total, -1)],
            ),
            scale=table.scale,
            legend_title=f"Colour: {many} per cell",
        )
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_download_name(scope, "svg")}"'
    return response


CSV_POSITIONS = list(POSITIONS)
CSV_HEADER = [
    "treaty",
    "version",
    "language",
    "segment",
    "unit_key",
    "article_number",
    "unit_label",
    "unit_heading",
    "tag",
    "tag_name",
    "annotations",
    "organizations",
    "endorsements",
    "score",
    *(f"position_{p}" for p in CSV_POSITIONS),
    "computed_at",
]


@require_GET
def treaty_heatmap_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One row per reading unit × concern tag, every number the stored heat holds. The position
    filter does not apply (every position has a column); the tag and segment filters do."""
    scope = _scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = _matrix(scope, filters)
    if matrix is None:
        return _bad_request(filters)
    computed_at = matrix.computed_at.isoformat() if matrix.computed_at else ""
    rows: list[list[object]] = []
    for row in matrix.rows:
        unit = row.provision
        for tag, cell in zip(matrix.tags, row.cells, strict=True):
            rows.append(
                [
                    scope.treaty.slug,
                    scope.version.label,
                    scope.version.language,
                    matrix.segment or "all",
                    unit.key,
                    unit.number if unit.kind == Provision.Kind.ARTICLE else "",
                    _unit_label(unit),
                    unit.heading,
                    tag.slug,
                    tag.name,
                    cell.annotations,
                    cell.organizations,
                    cell.endorsements,
                    cell.score,
                    *(cell.positions.get(p, 0) for p in CSV_POSITIONS),
                    computed_at,
                ]
            )
    response = HttpResponse(csv_text(CSV_HEADER, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(scope, "csv")}"'
    return response


# --- The annotations behind a cell of a unit without an article page -------------------------


@require_GET
def heatmap_cell_annotations(request: HttpRequest, slug: str) -> HttpResponse:
    """Published annotations on one reading unit (the preamble, the final clause), optionally of
    one concern tag and position: what a heatmap cell counts. Articles have their own page."""
    scope = _scope(request, slug)
    key = request.GET.get("unit", "")
    unit = Provision.objects.filter(version=scope.version, key=key, article_id=F("pk")).first()
    if unit is None:
        raise Http404(f"No reading unit {key!r} in this version.")
    tag_slug = request.GET.get("tag", "")
    position = request.GET.get("position", "")
    tag = ConcernTag.objects.filter(slug=tag_slug).first() if tag_slug else None
    if tag_slug and tag is None:
        raise Http404(f"No concern tag {tag_slug!r}.")
    if position and position not in POSITIONS:
        raise Http404(f"No position {position!r}.")
    annotations = selectors.with_display_data(
        Annotation.objects.filter(
            version=scope.version, article=unit, status=Status.APPROVED, deleted_at__isnull=True
        ),
        request.user,
    ).order_by("provision__order", "created_at", "id")
    if tag is not None:
        annotations = annotations.filter(tags=tag)
    if position:
        annotations = annotations.filter(position=position)
    page = Paginator(annotations, CELL_PAGE_SIZE).get_page(request.GET.get("page"))
    for annotation in page.object_list:
        annotation.author_view = author_visible_to(  # type: ignore[attr-defined]
            request.user,
            author=annotation.author,
            organization=annotation.organization,
            attribution=annotation.attribution,
        )
        annotation.body_html = comment_html(annotation.body)  # type: ignore[attr-defined]
        annotation.tag_list = list(annotation.tags.all())  # type: ignore[attr-defined]
    base = {"unit": unit.key, "tag": tag_slug, "position": position}
    base = {name: value for name, value in base.items() if value}
    context = {
        "treaty": scope.treaty,
        "version": scope.version,
        "query": scope.query({}),
        "unit": unit,
        "unit_url": _unit_url(scope, unit),
        "tag": tag,
        "position_label": POSITIONS.get(position, ""),
        "page": page,
        "previous_url": scope.query(base | {"page": str(page.previous_page_number())})
        if page.has_previous()
        else "",
        "next_url": scope.query(base | {"page": str(page.next_page_number())}) if page.has_next() else "",
        "heatmap_url": reverse("heatmap:treaty", args=[slug]) + scope.query({}),
    }
    return render(request, "annotations/heatmap/cell_annotations.html", context)


# --- An article page's heat (wired into treaty/views.py and its templates by their owner) ------


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
                _plural(self.organizations, "organisation", "organisations"),
                _plural(self.annotations, "annotation", "annotations"),
                f"score {self.score}",
                _plural(self.endorsements, "endorsement", "endorsements"),
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
    computed_at = max((r.computed_at for r in rows), default=None)
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

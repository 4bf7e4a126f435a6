"""The treaty heatmap as a table: the filters a request asks for, the scope it reads, and the rows,
cells and legend that the page, the SVG and the CSV draw from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django_countries import countries

from accounts.models import Organization
from annotations.heat.render import (
    HeatScale,
    heat_scale,
)
from annotations.heat.selectors import HeatCell, HeatMatrix, heat_segment, is_small, treaty_heat
from annotations.heat.wording import plural
from annotations.models import Annotation, ConcernTag, Heat
from treaty import links
from treaty import selectors as treaty_selectors
from treaty.models import DraftVersion, Provision, Treaty

METRICS = {
    # metric: (one, many, what the legend says it counts)
    "organizations": (
        gettext_lazy("organisation"),
        gettext_lazy("organisations"),
        gettext_lazy("distinct organisations (an author without one counts as one)"),
    ),
    "annotations": (
        gettext_lazy("annotation"),
        gettext_lazy("annotations"),
        gettext_lazy("published annotations"),
    ),
    "score": (
        gettext_lazy("point of score"),
        gettext_lazy("points of score"),
        gettext_lazy("score: the sum of severities (note 1, concern 2, serious 3)"),
    ),
}
DEFAULT_METRIC = "organizations"
POSITIONS = dict(Annotation.Position.choices)
ORGANIZATION_TYPES = [
    *Organization.Type.choices,
    ("individual", gettext_lazy("Individuals (no organisation)")),
]
CELL_PAGE_SIZE = 50


@dataclass
class HeatmapFilters:
    """The GET parameters of the page and its downloads, checked. `errors` maps a field (or
    "__all__") to the message a reader sees; with any error there is no matrix."""

    metric: str = DEFAULT_METRIC
    tag: str = ""
    position: str = ""
    organization_type: str = ""
    country: str = ""
    sort: str = ""  # "total": rows by their "All concerns" number, most first; else the text's order
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
            "sort": self.sort,
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
        sort=(get.get("sort") or "").strip()[:20],
    )
    if filters.sort not in ("", "total"):
        filters.errors["sort"] = (
            f"Sort by total, or leave sort out for the text's order (not “{filters.sort}”)."
        )
        filters.sort = ""
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


def heatmap_scope(request: HttpRequest, slug: str) -> Scope:
    treaty = treaty_selectors.treaty_get(slug)
    versions = treaty_selectors.version_list(treaty)
    version = treaty_selectors.version_choose(
        versions, label=request.GET.get("version") or None, language=request.GET.get("lang") or None
    )
    default = treaty_selectors.version_choose(versions)
    version_params = {} if version.pk == default.pk else {"version": version.label, "lang": version.language}
    return Scope(treaty, version, versions, version_params)


def heat_matrix(scope: Scope, filters: HeatmapFilters) -> HeatMatrix | None:
    if filters.errors:
        return None
    try:
        return treaty_heat(scope.version, segment=filters.segment, tag=filters.tag or None)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            filters.errors[name] = " ".join(messages)
        return None


def _value(cell: HeatCell, filters: HeatmapFilters) -> int | None:
    """The number a cell shows, or None when it is suppressed (too few organisations)."""
    if cell.suppressed:
        return None
    if filters.position:
        return cell.positions.get(filters.position, 0)
    return int(getattr(cell, filters.metric))


def _counts_text(cell: HeatCell) -> str:
    return " · ".join(
        [
            plural(cell.organizations, "organisation", "organisations"),
            plural(cell.annotations, "annotation", "annotations"),
            f"score {cell.score}",
            plural(cell.endorsements, "endorsement", "endorsements"),
        ]
    )


# --- The page's table -----------------------------------------------------------------------


@dataclass
class TableCell:
    value: int | None  # None: suppressed
    css_class: str
    url: str  # "" when there is nothing behind it
    counts: str  # every number of the cell, for the tooltip
    spoken: str  # after the number, for a screen reader: "organisations: Article 2, Privacy"
    suppressed: bool = False  # too few organisations in this breakdown: no number is shown


@dataclass
class TableRow:
    unit: Provision
    url: str
    label: str
    heading: str
    cells: list[TableCell]
    total: int | None  # None: suppressed
    total_css: str = ""  # coloured on a scale of its own: totals are larger than cells


@dataclass
class TableGroup:
    """A chapter (or the rows outside any chapter: preamble, final clause, annexes)."""

    key: str
    heading: str  # "" for rows outside a chapter
    rows: list[TableRow]


@dataclass
class HeatTable:
    groups: list[TableGroup]
    column_totals: list[int | None]  # None: suppressed
    grand_total: int | None
    scale: HeatScale


def unit_label(unit: Provision) -> str:
    return unit.label or unit.heading or unit.key


def _chapters(version: DraftVersion, units: list[Provision]) -> dict[int, Provision | None]:
    """Each unit's chapter (its outermost heading), from the table of contents: one query."""
    toc = treaty_selectors.table_of_contents(version)
    chapters: dict[int, Provision | None] = {}
    for unit in units:
        ancestors = toc.ancestors(unit)
        chapters[unit.pk] = ancestors[0] if ancestors else None
    return chapters


def unit_url(scope: Scope, unit: Provision) -> str:
    """The reading unit's own page: an article's, or the preamble's, closing formula's or annex's."""
    return links.unit_path(scope.treaty.slug, unit) + scope.query({})


def cell_url(scope: Scope, unit: Provision, tag: str, position: str) -> str:
    """Where a reader finds the annotations behind a cell: the unit's page (an article, the
    preamble, the closing formula, an annex: each has the annotation panel) with the panel
    filtered by the tag (and position)."""
    filters = {name: value for name, value in (("tag", tag), ("position", position)) if value}
    return links.unit_path(scope.treaty.slug, unit) + scope.query(filters) + "#annotations"


def heat_table(scope: Scope, matrix: HeatMatrix, filters: HeatmapFilters) -> HeatTable:
    units = [row.provision for row in matrix.rows]
    chapters = _chapters(scope.version, units)
    maximum = max((_value(cell, filters) or 0 for row in matrix.rows for cell in row.cells), default=0)
    scale = heat_scale(maximum)
    one, many, _description = measure_words(filters)
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
            if cell.suppressed:
                cells.append(_suppressed_cell(unit, tag))
                continue
            value = _value(cell, filters) or 0
            cells.append(
                TableCell(
                    value=value,
                    css_class=scale.css_class(value),
                    url=cell_url(scope, unit, tag.slug, filters.position) if value else "",
                    counts=_counts_text(cell),
                    spoken=f"{one if value == 1 else many}: {unit_label(unit)}, {tag.display_name}",
                )
            )
        groups[-1].rows.append(
            TableRow(
                unit=unit,
                url=unit_url(scope, unit),
                label=unit_label(unit),
                heading=unit.heading if unit.kind == Provision.Kind.ARTICLE else "",
                cells=cells,
                total=_value(row.total, filters),
            )
        )
    # The totals column is coloured too, on its own scale (a row total is at least its largest cell).
    table_rows = [table_row for group in groups for table_row in group.rows]
    total_scale = heat_scale(max((r.total or 0 for r in table_rows), default=0))
    for table_row in table_rows:
        total = table_row.total
        table_row.total_css = "heat-suppressed" if total is None else total_scale.css_class(total)
    if filters.sort == "total":
        # One list, most discussed first (ties in the text's order): chapters no longer group it.
        ranked = sorted(table_rows, key=lambda r: -(r.total or 0))
        groups = [TableGroup("sorted-by-total", "", ranked)]
    return HeatTable(
        groups=groups,
        column_totals=[_value(cell, filters) for cell in matrix.column_totals],
        grand_total=_value(matrix.grand_total, filters),
        scale=scale,
    )


SUPPRESSED_TEXT = "fewer than {} organisations: not shown, to protect commenters"


def _suppressed_cell(unit: Provision, tag: ConcernTag) -> TableCell:
    why = SUPPRESSED_TEXT.format(settings.HEAT_MIN_ORGANIZATIONS)
    return TableCell(
        value=None,
        css_class="heat-suppressed",
        url="",
        counts=why,
        spoken=f"{why}: {unit_label(unit)}, {tag.display_name}",
        suppressed=True,
    )


def measure_words(filters: HeatmapFilters) -> tuple[str, str, str]:
    """(one, many, description) of what the cells count."""
    if filters.position:
        label = POSITIONS[filters.position]
        return (
            "annotation",
            "annotations",
            f"published annotations taking the position “{label}”",
        )
    one, many, what = METRICS[filters.metric]
    return str(one), str(many), str(what)  # in the language of the request


def filter_summary(filters: HeatmapFilters, tags: list[ConcernTag]) -> str:
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


def segment_options(version: DraftVersion) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Organisation types and countries for the filter, each with how many organisations
    contributed (one query over the version totals)."""
    rows = Heat.objects.filter(
        Q(segment__startswith="type:") | Q(segment__startswith="country:"),
        version=version,
        article__isnull=True,
        provision__isnull=True,
        tag__isnull=True,
    ).values_list("segment", "organizations")
    # A country or type with fewer organisations than the threshold is not offered at all: its
    # presence alone would say that someone from there took part (DESIGN §6 "Small cells").
    present = {segment: n for segment, n in rows if not is_small(n)}
    types = [
        (value, f"{label} ({present[f'type:{value}']})")
        for value, label in ORGANIZATION_TYPES
        if f"type:{value}" in present
    ]
    codes = sorted(
        (segment.removeprefix("country:") for segment in present if segment.startswith("country:")),
        key=lambda code: str(countries.name(code) or code),
    )
    country_options = [
        (code, f"{countries.name(code) or code} ({present[f'country:{code}']})") for code in codes
    ]
    return types, country_options

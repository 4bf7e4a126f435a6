"""The treaty heatmap page, its SVG and CSV downloads, and the annotations behind one cell.

Everything is read from the stored Heat rows (annotations/heat/aggregation.py keeps them;
annotations/heat/selectors.py reads them), in a constant number of queries whatever the size of
the treaty or the number of annotations. Filters by organisation type or country read the stored
segment of that name.

A position filter also reads the stored rows, which keep per-position *annotation* counts only
(pos_oppose, …): distinct organisations or scores per position would need a live aggregate over
the annotations on every page view, which is what the stored rows exist to avoid. So with a
position the cells count annotations, and the page says so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.privacy import author_visible_to
from annotations import selectors
from annotations.heat.render import (
    SvgCell,
    SvgMatrix,
    SvgRow,
    csv_text,
    matrix_svg,
)
from annotations.heat.selectors import HeatMatrix
from annotations.heat.table import (
    CELL_PAGE_SIZE,
    DEFAULT_METRIC,
    METRICS,
    POSITIONS,
    HeatmapFilters,
    Scope,
    filter_summary,
    heat_matrix,
    heat_table,
    heatmap_filters,
    heatmap_scope,
    measure_words,
    segment_options,
    unit_label,
    unit_url,
)
from annotations.heat.wording import age_text
from annotations.models import Annotation, ConcernTag, HeatDirty, Status
from annotations.public_time import in_public_order
from annotations.rendering import comment_html
from treaty.models import Provision
from treaty.page_cache import by_slug, cached_for_anonymous


@require_GET
@cached_for_anonymous(by_slug)
def treaty_heatmap(request: HttpRequest, slug: str) -> HttpResponse:
    scope = heatmap_scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = heat_matrix(scope, filters)
    table = heat_table(scope, matrix, filters) if matrix else None
    dirty = list(HeatDirty.objects.filter(version=scope.version).values_list("article_id", flat=True))
    types, country_options = segment_options(scope.version)
    one, many, counts = measure_words(filters)
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
        "filter_summary": filter_summary(filters, matrix.tags if matrix else []),
        "min_organizations": settings.HEAT_MIN_ORGANIZATIONS,
        "sort_url": reverse("heatmap:treaty", args=[slug])
        + scope.query(filters.params(sort="" if filters.sort else "total")),
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
@cached_for_anonymous(by_slug)
def treaty_heatmap_svg(request: HttpRequest, slug: str) -> HttpResponse:
    scope = heatmap_scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = heat_matrix(scope, filters)
    if matrix is None:
        return _bad_request(filters)
    table = heat_table(scope, matrix, filters)
    _one, many, description = measure_words(filters)
    rows: list[SvgRow] = []
    for group in table.groups:
        for index, row in enumerate(group.rows):
            rows.append(
                SvgRow(
                    label=row.label,
                    heading=row.heading,
                    cells=[SvgCell(c.value, table.scale.level(c.value or 0)) for c in row.cells]
                    + [SvgCell(row.total, -1)],
                    group=group.heading if index == 0 else "",
                )
            )
    summary = filter_summary(filters, matrix.tags)
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
                label=_("Whole text"),
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
    "suppressed",
    "computed_at",
]


@require_GET
@cached_for_anonymous(by_slug)
def treaty_heatmap_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One row per reading unit × concern tag, every number the stored heat holds. The position
    filter does not apply (every position has a column); the tag and segment filters do."""
    scope = heatmap_scope(request, slug)
    filters = heatmap_filters(request.GET)
    matrix = heat_matrix(scope, filters)
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
                    unit_label(unit),
                    unit.heading,
                    tag.slug,
                    tag.name,
                    # A suppressed cell's numbers are empty: fewer organisations than the threshold.
                    *(
                        [""] * (4 + len(CSV_POSITIONS))
                        if cell.suppressed
                        else [
                            cell.annotations,
                            cell.organizations,
                            cell.endorsements,
                            cell.score,
                            *(cell.positions.get(p, 0) for p in CSV_POSITIONS),
                        ]
                    ),
                    "true" if cell.suppressed else "false",
                    computed_at,
                ]
            )
    response = HttpResponse(csv_text(CSV_HEADER, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(scope, "csv")}"'
    return response


# --- The annotations behind a cell of a unit without an article page -------------------------


@require_GET
@cached_for_anonymous(by_slug)
def heatmap_cell_annotations(request: HttpRequest, slug: str) -> HttpResponse:
    """Published annotations on one reading unit (the preamble, the final clause), optionally of
    one concern tag and position: what a heatmap cell counts. Articles have their own page."""
    scope = heatmap_scope(request, slug)
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
        # Every language version of the draft: the cell pools them (annotations/heat/pooled_queries.py).
        Annotation.objects.filter(
            selectors.on_unit_in_every_language(unit), status=Status.APPROVED, deleted_at__isnull=True
        ),
        request.user,
    ).order_by("provision__order", *in_public_order())
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
        "unit_url": unit_url(scope, unit),
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

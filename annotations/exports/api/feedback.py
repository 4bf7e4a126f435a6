"""Aggregated feedback download (DESIGN §7): JSON, or tidy CSV tables (cells, totals) with a JSON
metadata sidecar."""

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from annotations.exports.feedback import ArticleFeedback, Comment, Feedback, treaty_feedback
from annotations.exports.rows import csv_cell
from annotations.heat.api import FILTERS, _scope, heat_cell_json
from annotations.heat.selectors import POSITION_FIELDS, HeatCell
from config.api_errors import service_errors
from config.api_schema import error_responses
from config.throttles import ScopedRateThrottle
from treaty.page_cache import PublicAPIView

POSITIONS = [p[4:] for p in POSITION_FIELDS]


def _counts(cell: HeatCell) -> dict[str, Any]:
    return heat_cell_json(cell)


def feedback_json(feedback: Feedback) -> dict[str, Any]:
    return {
        "provenance": feedback.provenance(),
        "tags": [{"slug": t.slug, "name": t.name} for t in feedback.matrix.tags],
        "articles": [_article(a) for a in feedback.articles],
    }


def _article(article: ArticleFeedback) -> dict[str, Any]:
    unit = article.unit
    return {
        "number": unit.number or None,
        "key": unit.key,
        "title": unit.heading or unit.label,
        "total": _counts(article.total),
        "tags": [{"tag": c.tag, **_counts(c)} for c in article.cells if c.annotations or c.suppressed],
        "featured": [asdict(c) for c in article.featured],
        "proposed_wordings": [asdict(c) for c in article.proposed_wordings],
    }


# Tidy tables (issue 14 §4): the header is the first line, one row per observation, no notes in the
# file. The cells (article × concern tag) and the article totals are two files, because an
# annotation with two tags counts in two cells: summing the cells would count it twice. What the
# files are and how they were made goes in the metadata sidecar (`?format=json&part=metadata`).
_SHARED_COLUMNS = [
    "annotations",
    "organizations",
    "endorsements",
    "score",
    *(f"position_{p}" for p in POSITIONS),
    "featured_comments",
    "proposed_wordings",
    "suppressed",
]
CSV_COLUMNS = ["article", "key", "title", "tag", "tag_name", *_SHARED_COLUMNS]
TOTALS_COLUMNS = ["article", "key", "title", *_SHARED_COLUMNS]
PARTS = ("cells", "totals", "metadata")


def _quoted(comments: list[Comment], text: Callable[[Comment], str]) -> str:
    return "\n\n".join(f"{c.organization or 'Anonymous'}: {text(c)} <{c.permalink}>" for c in comments)


def _row(article: ArticleFeedback, cell: HeatCell) -> list[Any]:
    if cell.suppressed:
        # Fewer organisations than the threshold in this breakdown: no number, no comment.
        return [""] * (len(_SHARED_COLUMNS) - 1) + ["true"]
    featured = [c for c in article.featured if cell.tag is None or cell.tag in c.tags]
    wordings = [c for c in article.proposed_wordings if cell.tag is None or cell.tag in c.tags]
    return [
        cell.annotations,
        cell.organizations,
        cell.endorsements,
        cell.score,
        *(cell.positions.get(p, 0) for p in POSITIONS),
        _quoted(featured, lambda c: c.body),
        _quoted(wordings, lambda c: c.proposed_text),
        "false",
    ]


def _unit(article: ArticleFeedback) -> list[Any]:
    unit = article.unit
    return [unit.number or "", unit.key, unit.heading or unit.label]


def _csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF line ends and minimal quoting, as spreadsheets expect
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    # The BOM makes spreadsheets read UTF-8; pandas and Python's csv ("utf-8-sig") skip it.
    return "\ufeff" + out.getvalue()


def feedback_csv(feedback: Feedback) -> str:
    """One row per article × concern tag with annotations."""
    names = {tag.slug: tag.name for tag in feedback.matrix.tags}
    return _csv_text(
        CSV_COLUMNS,
        (
            [*_unit(article), cell.tag, names.get(cell.tag or "", cell.tag), *_row(article, cell)]
            for article in feedback.articles
            for cell in article.cells
            if cell.annotations or cell.suppressed
        ),
    )


def feedback_totals_csv(feedback: Feedback) -> str:
    """One row per article: every tag together, each annotation and organisation counted once."""
    return _csv_text(
        TOTALS_COLUMNS, ([*_unit(article), *_row(article, article.total)] for article in feedback.articles)
    )


def feedback_file_stem(feedback: Feedback) -> str:
    """What the files hold, in their names: treaty, draft, filters and when (UTC, to the minute)."""
    parts = [feedback.version.treaty.slug, feedback.version.label, "feedback"]
    parts += [f"{key}-{value}" for key, value in sorted(feedback.filters.items()) if key != "version"]
    stamp = feedback.generated_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return "_".join([*(slugify(part) or "x" for part in parts), stamp])


def feedback_metadata(feedback: Feedback) -> dict[str, Any]:
    """The sidecar: how the tables were made and what their columns mean."""
    stem = feedback_file_stem(feedback)
    return {
        **feedback.provenance(),
        "files": {
            f"{stem}.csv": "one row per article × concern tag with annotations (`?format=csv`)",
            f"{stem}_totals.csv": "one row per article, all tags together (`?format=csv&part=totals`)",
        },
        "columns": {
            "article": "the article's number as printed (empty for the preamble, final clauses, annexes)",
            "key": "the provision key (DESIGN: art-6, pre, final, annex)",
            "tag": "the concern tag's slug; tag_name its name",
            "annotations": "approved annotations",
            "organizations": "distinct organisations (an author without one counts as one)",
            "endorsements": "organisations co-signing",
            "score": "the sum of severities (1 note, 2 concern, 3 serious)",
            "position_*": "approved annotations taking that position",
            "featured_comments": "featured comments, 'Organisation: text <permalink>', blank-line separated",
            "proposed_wordings": "proposed wordings, in the same form",
            "suppressed": "true when a breakdown by country or type has fewer organisations than "
            "the site's threshold there: the numbers and comments are left out to protect commenters",
        },
        "not_additive": "An annotation with several tags counts in each of its tags' rows: use the totals "
        "file for per-article totals, never the sum of the cells.",
    }


class TreatyFeedbackView(PublicAPIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]),
            OpenApiParameter(
                "part",
                OpenApiTypes.STR,
                enum=["cells", "totals", "metadata"],
                description="csv: cells (article × tag, default) or totals (per article); json: metadata, "
                "the CSV files' sidecar",
            ),
            *FILTERS,
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400, 404, 429),
        },
        summary="Aggregated feedback per article × concern tag",
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        kind = request.query_params.get("format", "json")
        if kind not in ("json", "csv"):
            raise ValidationError({"format": gettext("Use json or csv.")})
        _, version, segment = _scope(request, slug)
        tag = request.query_params.get("tag") or None
        filters = {
            k: v
            for k, v in request.query_params.dict().items()
            if k in ("version", "language", "tag", "organization_type", "country") and v
        }
        with service_errors():
            feedback = treaty_feedback(version, segment=segment, tag=tag, filters=filters)
        return _answer(feedback, kind, request.query_params.get("part") or "")


def _answer(feedback: Feedback, kind: str, part: str) -> HttpResponse:
    stem = feedback_file_stem(feedback)
    if kind == "csv":
        if part not in ("", "cells", "totals"):
            raise ValidationError(
                {"part": gettext("With format=csv use part=cells (the default) or part=totals.")}
            )
        totals = part == "totals"
        text = feedback_totals_csv(feedback) if totals else feedback_csv(feedback)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}{"_totals" if totals else ""}.csv"'
        return response
    if part not in ("", "metadata"):
        raise ValidationError(
            {"part": gettext("With format=json use part=metadata for the CSV files' sidecar, or none.")}
        )
    if part == "metadata":
        response = HttpResponse(
            json.dumps(feedback_metadata(feedback), ensure_ascii=False, indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    return HttpResponse(
        json.dumps(feedback_json(feedback), ensure_ascii=False), content_type="application/json"
    )

"""Aggregated feedback download (DESIGN §7): JSON or CSV, with a provenance header."""

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from annotations.exports.feedback import ArticleFeedback, Feedback, treaty_feedback
from annotations.exports.rows import csv_cell
from annotations.heat.api import FILTERS, _scope
from annotations.heat.selectors import POSITION_FIELDS, HeatCell
from config.api_errors import service_errors
from config.api_schema import error_responses

POSITIONS = [p[4:] for p in POSITION_FIELDS]


def _counts(cell: HeatCell) -> dict[str, Any]:
    return {**cell.metrics(), "positions": cell.positions}


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
        "tags": [{"tag": c.tag, **_counts(c)} for c in article.cells if c.annotations],
        "featured": [asdict(c) for c in article.featured],
        "proposed_wordings": [asdict(c) for c in article.proposed_wordings],
    }


CSV_COLUMNS = [
    "article",
    "key",
    "title",
    "tag",
    "annotations",
    "organizations",
    "endorsements",
    "score",
    *(f"position_{p}" for p in POSITIONS),
    "featured_comments",
    "proposed_wordings",
]


def feedback_csv(feedback: Feedback) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    # The provenance header: "#"-prefixed lines before the table, which spreadsheets show as text.
    for key, value in feedback.provenance().items():
        writer.writerow(
            [f"# {key}", json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value]
        )
    writer.writerow(CSV_COLUMNS)
    for article in feedback.articles:
        unit = article.unit
        for cell in [article.total, *[c for c in article.cells if c.annotations]]:
            tagged = [c for c in article.featured if cell.tag is None or cell.tag in c.tags]
            wordings = [c for c in article.proposed_wordings if cell.tag is None or cell.tag in c.tags]
            writer.writerow(
                [
                    csv_cell(v)
                    for v in [
                        unit.number or unit.key,
                        unit.key,
                        unit.heading or unit.label,
                        cell.tag or "(all tags)",
                        cell.annotations,
                        cell.organizations,
                        cell.endorsements,
                        cell.score,
                        *(cell.positions.get(p, 0) for p in POSITIONS),
                        "\n\n".join(
                            f"{c.organization or 'Anonymous'}: {c.body} <{c.permalink}>" for c in tagged
                        ),
                        "\n\n".join(
                            f"{c.organization or 'Anonymous'}: {c.proposed_text} <{c.permalink}>"
                            for c in wordings
                        ),
                    ]
                ]
            )
    return "\ufeff" + out.getvalue()


class TreatyFeedbackView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"]), *FILTERS],
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
            raise ValidationError({"format": "Use json or csv."})
        treaty, version, segment = _scope(request, slug)
        tag = request.query_params.get("tag") or None
        filters = {
            k: v
            for k, v in request.query_params.dict().items()
            if k in ("version", "language", "tag", "organization_type", "country") and v
        }
        with service_errors():
            feedback = treaty_feedback(version, segment=segment, tag=tag, filters=filters)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if kind == "csv":
            response = HttpResponse(feedback_csv(feedback), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{treaty.slug}-feedback-{stamp}.csv"'
        else:
            response = HttpResponse(
                json.dumps(feedback_json(feedback), ensure_ascii=False), content_type="application/json"
            )
        return response

"""Heatmap API (DESIGN §7): served from the stored heat rows, with ETag and Last-Modified.

An answer is encoded once per state of the rows it reads and kept in the cache (Redis): the key
holds the version, the filters, what the answer shows of the columns' tags and the rows' stamp
(heat_stamp: their number and last write), so a recompute that changes them, or an edited tag,
makes a new key and nothing has to be invalidated. Without a cache (Redis down) every request
builds its answer.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from annotations.heat.selectors import (
    HeatCell,
    HeatMatrix,
    article_heat,
    heat_segment,
    heat_stamp,
    heat_tags,
    treaty_heat,
)
from annotations.models import ConcernTag
from config.api_errors import service_errors
from config.api_schema import error_responses
from treaty import selectors as treaty_selectors
from treaty.models import DraftVersion, Provision
from treaty.page_cache import PublicAPIView

logger = logging.getLogger(__name__)
CACHE_SECONDS = 600
Encoded = tuple[bytes, str, int | None]  # body, ETag, Last-Modified (epoch seconds)

FILTERS = [
    OpenApiParameter("version", OpenApiTypes.STR, description="draft label (default: the current draft)"),
    OpenApiParameter("language", OpenApiTypes.STR, description="BCP 47 tag of the text"),
    OpenApiParameter("tag", OpenApiTypes.STR, description="only this concern tag's column"),
    OpenApiParameter("organization_type", OpenApiTypes.STR, description="ngo, academic, … or individual"),
    OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166 alpha-2 code of the organisations"),
]


def heat_cell_json(cell: HeatCell) -> dict[str, Any]:
    """A cell's numbers for the API (feedback too): null, and saying so, when suppressed."""
    if cell.suppressed:
        # DESIGN §7: a suppressed segment cell is null, and says so.
        return {**dict.fromkeys(cell.metrics()), "positions": None, "suppressed": True}
    return {**cell.metrics(), "positions": cell.positions}


def _cell(cell: HeatCell) -> dict[str, Any]:
    return {"tag": cell.tag, **heat_cell_json(cell)}


def _common(matrix: HeatMatrix, slug: str) -> dict[str, Any]:
    return {
        "treaty": slug,
        "version": matrix.version.label,
        "language": matrix.version.language,
        "computed_at": matrix.computed_at.isoformat() if matrix.computed_at else None,
        "filters": {"segment": matrix.segment or "all"},
        "tags": [{"slug": t.slug, "name": t.name, "color": t.color} for t in matrix.tags],
    }


def _encode(body: dict[str, Any], matrix: HeatMatrix) -> Encoded:
    """The body as JSON, encoded once: its hash is the ETag. (Through DRF's renderer the body was
    encoded twice, once to hash, once to send.)"""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    etag = quote_etag(hashlib.sha256(payload).hexdigest()[:32])
    return payload, etag, int(matrix.computed_at.timestamp()) if matrix.computed_at else None


def _cached(key: tuple[Any, ...], stamp: tuple[int, Any], build: Callable[[], Encoded]) -> Encoded:
    if not stamp[0]:
        return build()  # no rows: nothing to read, and no write time to tell this state from another
    # The stamp was read before the rows the answer is built from: an answer is never older than
    # its key (a recompute in between makes it newer, and the next request a new key).
    # The suppression threshold shapes the answer too: a deploy that changes it makes new keys.
    suppression = settings.HEAT_MIN_ORGANIZATIONS
    name = "heatmap-api:" + hashlib.sha256(repr((*key, stamp, suppression)).encode()).hexdigest()
    try:
        encoded: Encoded | None = cache.get(name)
    except Exception:  # the cache is down: answer all the same
        logger.warning("heatmap cache unavailable", exc_info=True)
        return build()
    if encoded is None:
        encoded = build()
        try:
            cache.set(name, encoded, timeout=CACHE_SECONDS)
        except Exception:
            logger.warning("heatmap cache unavailable", exc_info=True)
    return encoded


def _version_key(version: DraftVersion) -> tuple[Any, ...]:
    return (version.pk, version.label, version.language)


def _tags_key(tags: list[ConcernTag]) -> tuple[tuple[Any, ...], ...]:
    return tuple((t.pk, t.slug, t.name, t.color) for t in tags)


def _respond(request: Request, encoded: Encoded) -> HttpResponse:
    """Django's conditional-request rules decide on a 304 (RFC 9110: If-None-Match when sent,
    else If-Modified-Since), which keeps these headers."""
    payload, etag, modified = encoded
    response = HttpResponse(payload, content_type="application/json")
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    conditional = get_conditional_response(
        request._request, etag=etag, last_modified=modified, response=response
    )
    return conditional if conditional is not None else response  # given a response, never None


def _scope(request: Request, slug: str):  # type: ignore[no-untyped-def]
    treaty = treaty_selectors.treaty_get(slug)
    versions = treaty_selectors.version_list(treaty)
    version = treaty_selectors.version_choose(
        versions,
        label=request.query_params.get("version") or None,
        language=request.query_params.get("language") or None,
    )
    with service_errors():
        segment = heat_segment(
            organization_type=request.query_params.get("organization_type") or None,
            country=request.query_params.get("country") or None,
        )
    return treaty, version, segment


class TreatyHeatmapView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=FILTERS,
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 404)},
        summary="Heat per article × concern tag",
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        treaty, version, segment = _scope(request, slug)
        with service_errors():
            tags = heat_tags(request.query_params.get("tag") or None)
        stamp = heat_stamp(version, segment=segment)
        key = ("treaty", treaty.slug, _version_key(version), segment, _tags_key(tags))
        return _respond(
            request, _cached(key, stamp, lambda: _treaty_body(treaty.slug, version, segment, tags))
        )


def _treaty_body(slug: str, version: DraftVersion, segment: str, tags: list[ConcernTag]) -> Encoded:
    matrix = treaty_heat(version, segment=segment, tags=tags)
    body = _common(matrix, slug) | {
        "articles": [
            {
                "number": row.provision.number or None,
                "key": row.provision.key,
                "title": row.provision.heading or row.provision.label,
                "total": heat_cell_json(row.total),
                "cells": [_cell(c) for c in row.cells],
            }
            for row in matrix.rows
        ],
        "totals": {
            "cells": [_cell(c) for c in matrix.column_totals],
            "total": heat_cell_json(matrix.grand_total),
        },
    }
    return _encode(body, matrix)


class ArticleHeatmapView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=FILTERS,
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 404)},
        summary="Heat per provision × concern tag",
    )
    def get(self, request: Request, slug: str, number: str) -> HttpResponse:
        treaty, version, segment = _scope(request, slug)
        article = treaty_selectors.article_get(version, number)
        with service_errors():
            tags = heat_tags(request.query_params.get("tag") or None)
        stamp = heat_stamp(version, segment=segment, article=article)
        key = ("article", treaty.slug, _version_key(version), article.pk, segment, _tags_key(tags))
        return _respond(
            request, _cached(key, stamp, lambda: _article_body(treaty.slug, version, article, segment, tags))
        )


def _article_body(
    slug: str, version: DraftVersion, article: Provision, segment: str, tags: list[ConcernTag]
) -> Encoded:
    matrix = article_heat(version, article, segment=segment, tags=tags)
    body = _common(matrix, slug) | {
        "article": {"number": article.number, "key": article.key, "title": article.heading},
        "provisions": [
            {
                "key": row.provision.key,
                "label": row.provision.label,
                "total": heat_cell_json(row.total),
                "cells": [_cell(c) for c in row.cells],
            }
            for row in matrix.rows
        ],
    }
    return _encode(body, matrix)

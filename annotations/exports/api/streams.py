"""Annotation export (DESIGN §7): streamed CSV, NDJSON, or a W3C AnnotationCollection in pages."""

import hashlib
import json
from dataclasses import replace

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.http import HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from annotations.exports import streams, webannotation
from annotations.exports.rows import export_rows
from annotations.list_params import LIST_FILTERS, annotation_filters
from annotations.models import Annotation, Endorsement, Reply
from annotations.selectors import annotations_matching
from config.api_schema import error_responses
from config.throttles import ScopedRateThrottle
from treaty import selectors as treaty_selectors

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson; charset=utf-8",
    "jsonld": webannotation.JSONLD_CONTENT_TYPE,
}
JSONLD_PAGE_SIZE = 1_000


def _is_moderator(request: Request) -> bool:
    return bool(request.user.is_authenticated and getattr(request.user, "is_moderator", False))


def exported_annotations(request: Request, slug: str) -> QuerySet[Annotation]:
    """The public get approved annotations; moderators every status. Never the viewer's own
    unpublished items: an export is a publication."""
    treaty_selectors.treaty_get(slug)  # 404 for an unknown treaty
    filters = annotation_filters(request.query_params)
    viewer = request.user if _is_moderator(request) else None
    return annotations_matching(viewer, replace(filters, treaty=slug, mine=False))


def _fingerprint(annotations: QuerySet[Annotation], variant: str) -> tuple[str, dict[str, object]]:
    """An ETag for the export's content: it changes with any annotation, endorsement or reply in
    it, and differs between representations of the same rows (`variant`: format, page, columns)."""
    summary = annotations.order_by().aggregate(n=Count("pk"), latest=Max("updated_at"), last=Max("pk"))
    endorsements = Endorsement.objects.filter(annotation__in=annotations.values("pk")).aggregate(
        n=Count("pk"), latest=Max("created_at")
    )
    replies = Reply.objects.filter(annotation__in=annotations.values("pk")).aggregate(
        n=Count("pk"), latest=Max("updated_at")
    )
    raw = json.dumps([variant, summary, endorsements, replies], default=str, sort_keys=True)
    return quote_etag(hashlib.sha256(raw.encode()).hexdigest()[:32]), summary


class AnnotationExportView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"

    def get_throttles(self) -> list[BaseThrottle]:
        # A JSON-LD collection is read a page (1,000 annotations) at a time: its pages draw on a
        # budget of their own, so reading a large collection does not use up the one for whole
        # downloads (nor the other way round).
        params = self.request.query_params
        self.throttle_scope = (
            "export_pages" if params.get("format") == "jsonld" and "page" in params else "exports"
        )
        return super().get_throttles()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=list(FORMATS), description="csv (default), ndjson, jsonld"
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="jsonld only: a page of the collection"),
            *[p for p in LIST_FILTERS if p.name != "treaty"],
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            **error_responses(400, 404, 429),
        },
        summary="Export annotations (streamed)",
    )
    def get(self, request: Request, slug: str) -> HttpResponseBase:
        kind = request.query_params.get("format", "csv")
        if kind not in FORMATS:
            raise ValidationError({"format": _("Use one of: %(choices)s.") % {"choices": ", ".join(FORMATS)}})
        annotations = exported_annotations(request, slug)
        with_status = _is_moderator(request)
        page = request.query_params.get("page", "") if kind == "jsonld" else ""
        etag, summary = _fingerprint(annotations, variant=f"{kind} page={page} status={with_status}")
        # Checked before anything is streamed: Django's conditional-request rules (RFC 9110).
        not_modified = get_conditional_response(request._request, etag=etag)
        if not_modified is not None:
            not_modified["ETag"] = etag
            return not_modified
        if kind == "jsonld":
            response = self._jsonld(request, annotations, summary, with_status)
        else:
            response = StreamingHttpResponse(
                streams.stream(annotations, kind, with_status=with_status), content_type=FORMATS[kind]
            )
            stamp = timezone.now().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="{slug}-annotations-{stamp}.{kind}"'
        response["ETag"] = etag
        # Moderators' exports hold unpublished text: never cached by anything in between.
        response["Cache-Control"] = (
            "private, no-store" if with_status else "public, max-age=0, must-revalidate"
        )
        response["Vary"] = "Cookie, Authorization"
        return response

    def _jsonld(
        self,
        request: Request,
        annotations: QuerySet[Annotation],
        summary: dict[str, object],
        with_status: bool,
    ) -> HttpResponseBase:
        query = request.query_params.copy()
        query.pop("page", None)
        info = webannotation.CollectionInfo(
            # On the site's own address, as the annotations' ids: one export never mixes two hosts.
            iri=f"{settings.SITE_URL}{request.path}?{query.urlencode()}",
            total=int(summary["n"]),  # type: ignore[call-overload]
            page_size=JSONLD_PAGE_SIZE,
            modified=summary["latest"],  # type: ignore[arg-type]
            label=_("Annotations on %(value)s") % {"value": request.parser_context["kwargs"]["slug"]},  # type: ignore[index]
        )
        page = request.query_params.get("page")
        if page is None:
            return JsonResponse(
                webannotation.web_annotation_collection(info),
                content_type=webannotation.JSONLD_CONTENT_TYPE,
                json_dumps_params={"ensure_ascii": False},
            )
        if not page.isdigit() or int(page) >= info.pages:
            raise ValidationError({"page": _("Pages run from 0 to %(value)s.") % {"value": info.pages - 1}})
        number = int(page)
        ids = annotations.order_by("pk").values_list("pk", flat=True)[
            number * JSONLD_PAGE_SIZE : (number + 1) * JSONLD_PAGE_SIZE
        ]
        rows = export_rows(Annotation.objects.filter(pk__in=list(ids)))
        return StreamingHttpResponse(
            webannotation.web_annotation_page(info, number, rows, with_status=with_status),
            content_type=webannotation.JSONLD_CONTENT_TYPE,
        )


def marginalia_context_view(request: Request) -> JsonResponse:
    response = JsonResponse(webannotation.marginalia_context_document(), content_type="application/ld+json")
    response["Access-Control-Allow-Origin"] = "*"  # JSON-LD processors elsewhere fetch it
    return response

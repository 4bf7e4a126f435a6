"""Read API for treaties (DESIGN §7, a contract)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_schema import error_responses
from treaty import selectors
from treaty.models import Provision
from treaty.page_cache import PublicAPIView, site_wide
from treaty.serializers import (
    ArticleSerializer,
    DraftVersionSerializer,
    ProvisionSerializer,
    TreatyDetailSerializer,
    TreatySummarySerializer,
)

VERSION_PARAMETERS = [
    OpenApiParameter(
        "version", OpenApiTypes.STR, description="Draft label, e.g. A/AC.291/L.15 (default: current)"
    ),
    OpenApiParameter(
        "language", OpenApiTypes.STR, description="BCP 47 tag of the text (default: English if any)"
    ),
]


def _version(request: Request, treaty):  # type: ignore[no-untyped-def]
    versions = selectors.version_list(treaty)
    version = selectors.version_choose(
        versions,
        label=request.query_params.get("version") or None,
        language=request.query_params.get("language") or request.query_params.get("lang") or None,
    )
    return version, versions


class TreatyListView(PublicAPIView):
    public_cache_scope = staticmethod(site_wide)

    permission_classes = [AllowAny]

    @extend_schema(responses=TreatySummarySerializer(many=True), summary="List treaties")
    def get(self, request: Request) -> Response:
        treaties = selectors.treaty_list()
        for treaty in treaties:
            treaty.current_version = selectors.current_version_label(treaty)  # type: ignore[attr-defined]
        return Response(TreatySummarySerializer(treaties, many=True).data)


class TreatyDetailView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=VERSION_PARAMETERS,
        responses={200: TreatyDetailSerializer, **error_responses(404)},
        summary="A treaty",
    )
    def get(self, request: Request, slug: str) -> Response:
        treaty = selectors.treaty_get(slug)
        version, versions = _version(request, treaty)
        toc = selectors.table_of_contents(version)
        contents: list[dict[str, object]] = []
        loose: dict[str, object] | None = None
        for entry in toc.entries:
            p = entry.provision
            if p.kind == Provision.Kind.ARTICLE:
                if loose is None:
                    loose = {"key": "", "kind": "articles", "label": "", "title": "", "articles": []}
                    contents.append(loose)
                loose["articles"].append(p)  # type: ignore[attr-defined]
            elif p.kind != Provision.Kind.PREAMBLE:
                articles = [a for a in toc.articles if a.pk in _descendant_ids(entry)]
                contents.append(
                    {"key": p.key, "kind": p.kind, "label": p.label, "title": p.heading, "articles": articles}
                )
                loose = None
        data = {
            "slug": treaty.slug,
            "title": treaty.title,
            "short_title": treaty.short_title,
            "description": treaty.description,
            "version": version,
            "versions": versions,
            "contents": contents,
        }
        return Response(TreatyDetailSerializer(data).data)


def _descendant_ids(entry: selectors.TocEntry) -> set[int]:
    ids = set()
    stack = list(entry.children)
    while stack:
        child = stack.pop()
        ids.add(child.provision.pk)
        stack.extend(child.children)
    return ids


class ArticleDetailView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=VERSION_PARAMETERS,
        responses={200: ArticleSerializer, **error_responses(404)},
        summary="An article and its provisions",
    )
    def get(self, request: Request, slug: str, number: str) -> Response:
        treaty = selectors.treaty_get(slug)
        version, _versions = _version(request, treaty)
        article = selectors.article_get(version, number)
        provisions = selectors.unit_provisions(article)
        keys_by_id = {p.pk: p.key for p in provisions}
        data = {
            "number": article.number,
            "title": article.heading,
            "key": article.key,
            "label": article.label,
            "version": version.label,
            "language": version.language,
            "provisions": ProvisionSerializer(provisions, many=True, context={"keys_by_id": keys_by_id}).data,
        }
        return Response(data)


__all__ = ["ArticleDetailView", "DraftVersionSerializer", "TreatyDetailView", "TreatyListView"]

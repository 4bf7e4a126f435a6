"""API for drafts over time (DESIGN §7, a contract): the versions of a treaty, and compare."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_schema import error_responses
from treaty import selectors
from treaty.drafts.compare import CompareError, compare_drafts
from treaty.drafts.lineage import draft_line
from treaty.page_cache import PublicAPIView


class VersionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # A field named "label" shadows Field.label (the field's caption) for type checkers only.
    label = serializers.CharField()  # type: ignore[assignment]
    language = serializers.CharField(help_text=gettext_lazy("BCP 47"))
    title = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=["draft", "adopted", "superseded"])
    is_current = serializers.BooleanField()
    follows = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("Label of the draft this one revises")
    )
    article_count = serializers.IntegerField(allow_null=True)
    provision_count = serializers.IntegerField(allow_null=True)


class VersionListView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: VersionSerializer(many=True), **error_responses(404)},
        summary="The drafts of a treaty, oldest first, each language a version",
    )
    def get(self, request: Request, slug: str) -> Response:
        treaty = selectors.treaty_get(slug)
        rows = [
            {
                "label": version.label,
                "language": version.language,
                "title": version.title,
                "date": version.date,
                "status": version.status,
                "is_current": version.is_current,
                "follows": draft.follows or None,
                "article_count": version.article_count,
                "provision_count": version.provision_count,
            }
            for draft in draft_line(treaty)
            for version in draft.versions
        ]
        return Response(VersionSerializer(rows, many=True).data)


_PROVISION = inline_serializer(
    "CompareProvision",
    {
        "from_key": serializers.CharField(allow_null=True),
        "to_key": serializers.CharField(allow_null=True),
        "relation": serializers.CharField(),
        "similarity": serializers.FloatField(),
        "diff": serializers.ListField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=gettext_lazy('[[op, text], …] with op "=" (kept), "-" (removed) or "+" (added)'),
        ),
    },
)
_COMPARISON = inline_serializer(
    "Comparison",
    {
        "from": serializers.CharField(),
        "to": serializers.CharField(),
        "language": serializers.CharField(),
        "summary": inline_serializer(
            "CompareSummary",
            {
                name: serializers.IntegerField()
                for name in ("same", "modified", "moved", "split", "merged", "added", "deleted")
            },
        ),
        "articles": inline_serializer(
            "CompareArticle",
            {
                "from_number": serializers.CharField(allow_null=True),
                "to_number": serializers.CharField(allow_null=True),
                "relation": serializers.CharField(),
                "similarity": serializers.FloatField(),
                "changes": serializers.IntegerField(help_text=gettext_lazy("provisions that changed")),
                "provisions": _PROVISION,
            },
            many=True,
        ),
    },
)


class CompareView(PublicAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.STR, required=True, description="label of the earlier draft"
            ),
            OpenApiParameter("to", OpenApiTypes.STR, required=True, description="label of the later draft"),
            OpenApiParameter(
                "language", OpenApiTypes.STR, description="BCP 47 (default: English if both have it)"
            ),
            OpenApiParameter("article", OpenApiTypes.STR, description="one article, by its number in `to`"),
        ],
        responses={200: _COMPARISON, **error_responses(400, 404, 409)},
        summary="What changed between two drafts: per article and provision, with a word-level diff",
    )
    def get(self, request: Request, slug: str) -> Response:
        treaty = selectors.treaty_get(slug)
        try:
            comparison = compare_drafts(
                treaty,
                from_label=request.query_params.get("from"),
                to_label=request.query_params.get("to"),
                language=request.query_params.get("language") or None,
                article=request.query_params.get("article") or None,
            )
        except CompareError as error:
            return Response({"detail": error.detail}, status=error.status)
        # The stored diffs are already JSON-ready: no serializer pass over thousands of rows.
        return Response(comparison.as_dict())

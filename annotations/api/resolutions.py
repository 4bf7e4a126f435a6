"""Carried anchors over the API (DESIGN §7): the review queue, decisions on a resolution, outcomes."""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import signed_in_user
from annotations import selectors
from annotations.carrying.outcomes import outcome_set
from annotations.carrying.review import ACTIONS, resolution_decide, review_queue_for
from annotations.models import AnchorResolution, Annotation
from config.api_errors import service_errors
from config.api_schema import error_responses
from config.throttles import WRITE_AND_GENERAL_THROTTLES
from treaty.models import DraftVersion

REVIEW_PAGE_SIZE = 100


class RepickedWordsSerializer(serializers.Serializer[Any]):
    exact = serializers.CharField(max_length=5000)
    prefix = serializers.CharField(required=False, allow_blank=True, max_length=64)
    suffix = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ResolutionDecisionSerializer(serializers.Serializer[Any]):
    version = serializers.CharField(max_length=100, help_text=_("The label of the later draft"))
    language = serializers.CharField(required=False, max_length=35, help_text=_("Default: the annotation's"))
    action = serializers.ChoiceField(choices=sorted(ACTIONS))
    provision = serializers.CharField(required=False, allow_blank=True, max_length=120)
    quote = RepickedWordsSerializer(required=False)


class OutcomeSerializer(serializers.Serializer[Any]):
    version = serializers.CharField(max_length=100)
    language = serializers.CharField(required=False, max_length=35)
    outcome = serializers.ChoiceField(choices=AnchorResolution.Outcome.values)


class ResolutionSerializer(serializers.ModelSerializer[AnchorResolution]):
    annotation = serializers.IntegerField(source="annotation_id")
    version = serializers.CharField(source="version.label")
    language = serializers.CharField(source="version.language")
    provision = serializers.CharField(source="provision_key")
    written_on = serializers.CharField(source="annotation.version.label")
    read_provision = serializers.CharField(source="annotation.target.provision_key")
    read_exact = serializers.CharField(source="annotation.target.exact")

    class Meta:
        model = AnchorResolution
        fields = [
            "id", "annotation", "version", "language", "provision", "exact", "prefix", "suffix",
            "start", "end", "state", "confidence", "candidates", "outcome", "written_on",
            "read_provision", "read_exact",
        ]  # fmt: skip


def _annotation(request: Request, pk: int) -> Annotation:
    annotation = selectors.annotation_get_visible(pk, request.user)
    if annotation is None:
        raise NotFound(gettext("There is no annotation %(pk)s.") % {"pk": pk})
    return annotation


def _version_id(annotation: Annotation, label: str, language: str | None) -> int:
    """The later draft (same treaty, the annotation's language unless told) by its label; 0 when
    there is none, which the services answer as "never carried there"."""
    version = DraftVersion.objects.filter(
        treaty=annotation.version.treaty_id, label=label, language=language or annotation.version.language
    ).first()
    return version.pk if version else 0


class ResolutionDecisionView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES

    @extend_schema(
        request=ResolutionDecisionSerializer,
        responses={200: ResolutionSerializer, **error_responses(400, 403, 404, 415, 429)},
        summary="Review a carried anchor: confirm it, pick the words by hand, or leave it orphaned",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = _annotation(request, pk)
        serializer = ResolutionDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote = data.get("quote") or {}
        with service_errors():
            resolution = resolution_decide(
                actor=signed_in_user(request),
                annotation=annotation,
                version_id=_version_id(annotation, data["version"], data.get("language")),
                action=data["action"],
                provision_key=data.get("provision", ""),
                exact=quote.get("exact", ""),
                prefix=quote.get("prefix", ""),
                suffix=quote.get("suffix", ""),
            )
        return Response(ResolutionSerializer(resolution).data)


class OutcomeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES

    @extend_schema(
        request=OutcomeSerializer,
        responses={200: ResolutionSerializer, **error_responses(400, 403, 404, 415, 429)},
        summary="Mark what became of a carried annotation's concern in a later draft",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = _annotation(request, pk)
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            resolution = outcome_set(
                actor=signed_in_user(request),
                annotation=annotation,
                version_id=_version_id(annotation, data["version"], data.get("language")),
                outcome=data["outcome"],
            )
        return Response(ResolutionSerializer(resolution).data)


class ReanchorQueueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer("ReanchorQueue", {"results": ResolutionSerializer(many=True)}),
            **error_responses(403),
        },
        summary="needs_review and orphaned carried anchors, oldest first (moderators: all; org admins: own)",
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        queue = review_queue_for(user)[:REVIEW_PAGE_SIZE]
        return Response({"results": ResolutionSerializer(queue, many=True).data})

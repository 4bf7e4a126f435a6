"""Annotation endpoints: list/create, read/edit/delete, replies, flags, endorsements, tags."""

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsVerifiedOrReadOnly, signed_in_user
from annotations import selectors, services
from annotations.campaigns.selectors import annotation_groups
from annotations.exports import webannotation
from annotations.exports.rows import export_rows
from annotations.list_params import LIST_FILTERS, annotation_filters
from annotations.models import Annotation, ConcernTag, Reply
from annotations.serializers import (
    AnnotationCreateSerializer,
    AnnotationSerializer,
    AnnotationUpdateSerializer,
    ConcernTagSerializer,
    EndorsementSerializer,
    FlagCreateSerializer,
    FlagOnMyItemSerializer,
    RemovalSerializer,
    ReplyCreateSerializer,
    ReplySerializer,
)
from config.api_errors import service_errors
from config.api_schema import error_responses
from config.throttles import WRITE_AND_GENERAL_THROTTLES, SearchRateThrottle
from treaty import selectors as treaty_selectors
from treaty.page_cache import PublicAPIView, by_treaty_parameter


class AnnotationCursorPagination(CursorPagination):
    # Ordered by id alone: unique and never changed by an edit, so a page boundary cannot move
    # when rows are written between two requests (no row skipped, none repeated).
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="from `next`"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1-100 (default 50)"),
]


def _cursor_page(name: str, results: serializers.BaseSerializer[Any]) -> dict[int, Any]:
    """The responses of a list paged by AnnotationCursorPagination, for the schema."""
    return {
        200: inline_serializer(
            name,
            {
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": results,
            },
        ),
        # 404 for a cursor that is not one of ours (DRF's CursorPagination).
        **error_responses(400, 404),
    }


# Filters of the list that removals do not take: they are from the public view, whoever asks.
NOT_FOR_REMOVALS = ("status", "mine")


def _annotation_for(request: Request, pk: int) -> Annotation:
    annotation = selectors.annotation_get_visible(pk, request.user)
    if annotation is None:
        raise NotFound(_("There is no annotation %(pk)s.") % {"pk": pk})
    return annotation


def _context(request: Request, annotations: list[Annotation]) -> dict[str, Any]:
    """What the serializer needs beside the rows: the viewer, and the groups they belong to."""
    return {"request": request, "groups": annotation_groups([a.pk for a in annotations], request.user)}


def _fresh(request: Request, pk: int) -> dict[str, Any]:
    annotation = _annotation_for(request, pk)
    return AnnotationSerializer(annotation, context=_context(request, [annotation])).data


class AnnotationListView(PublicAPIView):
    public_cache_scope = staticmethod(by_treaty_parameter)
    permission_classes = [IsVerifiedOrReadOnly]
    throttle_classes = [*WRITE_AND_GENERAL_THROTTLES, SearchRateThrottle]
    throttle_scope = "annotations"

    @extend_schema(
        parameters=[*LIST_FILTERS, *PAGE_PARAMETERS],
        responses=_cursor_page("PaginatedAnnotationList", AnnotationSerializer(many=True)),
        summary="List annotations",
        operation_id="annotations_list",
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.annotation_list_visible_to(
            request.user, annotation_filters(request.query_params)
        )
        paginator = AnnotationCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        data = AnnotationSerializer(page, many=True, context=_context(request, page)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=AnnotationCreateSerializer,
        responses={201: AnnotationSerializer, **error_responses(400, 403, 404, 415, 429)},
        summary="Annotate",
    )
    def post(self, request: Request) -> Response:
        serializer = AnnotationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        treaty = treaty_selectors.treaty_get(data["treaty"])
        versions = treaty_selectors.version_list(treaty)
        version = treaty_selectors.version_choose(
            versions, label=data.get("version"), language=data.get("language")
        )
        quote = data.get("quote")
        with service_errors(services.NotFound):
            annotation = services.annotation_create(
                author=signed_in_user(request),
                version=version,
                provision_key=data["provision"],
                quote=services.QuoteInput(**quote) if quote else None,
                tags=data["tags"],
                severity=data["severity"],
                position=data["position"],
                body=data["body"],
                proposed_text=data.get("proposed_text", ""),
                attribution=data.get("attribution"),
                organization_slug=data.get("organization"),
                comment_language=data.get("comment_language"),
            )
        return Response(_fresh(request, annotation.pk), status=status.HTTP_201_CREATED)


class AnnotationRemovedView(APIView):
    """What left public view: the other half of an incremental copy made with `updated_after`."""

    permission_classes = [AllowAny]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "annotations"

    @extend_schema(
        parameters=[*(p for p in LIST_FILTERS if p.name not in NOT_FOR_REMOVALS), *PAGE_PARAMETERS],
        responses=_cursor_page("PaginatedRemovalList", RemovalSerializer(many=True)),
        summary="Annotations that left public view (deleted, rejected, spam, back in the queue)",
        operation_id="annotations_removed_list",
    )
    def get(self, request: Request) -> Response:
        given = sorted(name for name in NOT_FOR_REMOVALS if name in request.query_params)
        if given:
            # Removals are from the public view, whoever asks: these filters mean nothing here.
            raise ValidationError(
                {
                    name: f"Leave out {name}: removals are from the public view, whoever asks."
                    for name in given
                }
            )
        queryset = selectors.annotations_removed_from_public(annotation_filters(request.query_params)).only(
            "id", "updated_at"
        )
        paginator = AnnotationCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        data = RemovalSerializer(page, many=True).data
        return paginator.get_paginated_response(data)


class AnnotationDetailView(APIView):
    permission_classes = [IsVerifiedOrReadOnly]

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "jsonld"])],
        responses={
            (200, "application/json"): AnnotationSerializer,
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            **error_responses(404),
        },
        summary="An annotation (?format=jsonld: as a W3C Web Annotation)",
    )
    def get(self, request: Request, pk: int) -> Response | HttpResponse:
        if request.query_params.get("format") == "jsonld":
            annotation = _annotation_for(request, pk)
            if annotation.deleted_at is not None:
                raise NotFound(_("Annotation %(pk)s was deleted.") % {"pk": pk})
            row = next(export_rows(Annotation.objects.filter(pk=pk)))
            moderator = bool(getattr(request.user, "is_moderator", False))
            document = webannotation.web_annotation(
                row, with_status=moderator or annotation.author_id == request.user.pk
            )
            return JsonResponse(
                document,
                content_type=webannotation.JSONLD_CONTENT_TYPE,
                json_dumps_params={"ensure_ascii": False},
            )
        return Response(_fresh(request, pk))

    @extend_schema(
        request=AnnotationUpdateSerializer,
        responses={200: AnnotationSerializer, **error_responses(400, 403, 404, 415)},
        summary="Edit (author only)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        serializer = AnnotationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(services.NotFound):
            services.annotation_update(
                annotation=annotation, editor=signed_in_user(request), **serializer.validated_data
            )
        return Response(_fresh(request, pk))

    @extend_schema(
        responses={204: None, **error_responses(403, 404)}, summary="Delete (author only; a tombstone stays)"
    )
    def delete(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        with service_errors(services.NotFound):
            services.annotation_delete(annotation=annotation, actor=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReplyListView(APIView):
    permission_classes = [IsVerifiedOrReadOnly]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "replies"

    @extend_schema(
        responses={200: ReplySerializer(many=True), **error_responses(404)},
        summary="Replies (threaded by parent)",
    )
    def get(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        replies = selectors.replies_visible_to(annotation, request.user)
        return Response(ReplySerializer(replies, many=True, context={"request": request}).data)

    @extend_schema(
        request=ReplyCreateSerializer,
        responses={201: ReplySerializer, **error_responses(400, 403, 404, 415, 429)},
        summary="Reply",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        serializer = ReplyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(services.NotFound):
            reply = services.reply_create(
                annotation=annotation,
                author=signed_in_user(request),
                body=serializer.validated_data["body"],
                parent_id=serializer.validated_data.get("parent"),
                comment_language=serializer.validated_data.get("comment_language"),
            )
        return Response(
            ReplySerializer(reply, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class FlagView(APIView):
    permission_classes = [IsVerifiedOrReadOnly]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "flags"

    @extend_schema(
        responses={200: FlagOnMyItemSerializer(many=True), **error_responses(403, 404)},
        summary="Flags on my annotation: reasons and notes, never who flagged (author, moderators)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return _flags_received_response(request, _annotation_for(request, pk))

    @extend_schema(
        request=FlagCreateSerializer,
        responses={
            201: inline_serializer("FlagReceived", {"detail": serializers.CharField()}),
            **error_responses(400, 403, 404, 415, 429),
        },
        summary="Flag for moderators",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        serializer = FlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(services.NotFound):
            services.flag_create(
                user=signed_in_user(request), annotation=annotation, **serializer.validated_data
            )
        return Response(
            {"detail": _("Thank you: moderators will look at it.")}, status=status.HTTP_201_CREATED
        )


def _reply_for(request: Request, pk: int) -> Reply:
    reply = Reply.objects.select_related("annotation").filter(pk=pk, deleted_at__isnull=True).first()
    if reply is None or not selectors.reply_visible_to(reply, request.user):
        raise NotFound(_("There is no reply %(pk)s.") % {"pk": pk})
    _annotation_for(request, reply.annotation_id)
    return reply


def _flags_received_response(request: Request, item: Annotation | Reply) -> Response:
    flags = selectors.flags_received(item, request.user)
    if flags is None:
        raise PermissionDenied(_("Only the author and moderators see the flags on an item."))
    return Response(FlagOnMyItemSerializer(flags, many=True).data)


class ReplyFlagView(APIView):
    """Flag a reply, like an annotation (issue 17 §3); its author reads the reasons."""

    permission_classes = [IsVerifiedOrReadOnly]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "flags"

    @extend_schema(
        responses={200: FlagOnMyItemSerializer(many=True), **error_responses(403, 404)},
        summary="Flags on my reply: reasons and notes, never who flagged (author, moderators)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return _flags_received_response(request, _reply_for(request, pk))

    @extend_schema(
        request=FlagCreateSerializer,
        responses={
            201: inline_serializer("ReplyFlagReceived", {"detail": serializers.CharField()}),
            **error_responses(400, 403, 404, 415, 429),
        },
        summary="Flag a reply for moderators",
    )
    def post(self, request: Request, pk: int) -> Response:
        reply = _reply_for(request, pk)
        serializer = FlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(services.NotFound):
            services.flag_create(user=signed_in_user(request), reply=reply, **serializer.validated_data)
        return Response(
            {"detail": _("Thank you: moderators will look at it.")}, status=status.HTTP_201_CREATED
        )


class EndorsementView(APIView):
    permission_classes = [IsVerifiedOrReadOnly]

    @extend_schema(
        request=EndorsementSerializer,
        responses={201: AnnotationSerializer, **error_responses(400, 403, 404, 415)},
        summary="Co-sign as my organisation",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        serializer = EndorsementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(services.NotFound):
            services.endorsement_create(
                annotation=annotation,
                user=signed_in_user(request),
                organization_slug=serializer.validated_data.get("organization"),
            )
        return Response(_fresh(request, pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("organization", OpenApiTypes.STR)],
        # 200 with the annotation as it is now (not 204): the endorsement count changed.
        responses={200: AnnotationSerializer, **error_responses(400, 403, 404)},
        summary="Withdraw my organisation's endorsement",
    )
    def delete(self, request: Request, pk: int) -> Response:
        annotation = _annotation_for(request, pk)
        with service_errors(services.NotFound):
            services.endorsement_delete(
                annotation=annotation,
                user=signed_in_user(request),
                organization_slug=request.query_params.get("organization"),
            )
        return Response(_fresh(request, pk))


class ConcernTagListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ConcernTagSerializer(many=True), summary="Concern tags (active)")
    def get(self, request: Request) -> Response:
        return Response(ConcernTagSerializer(ConcernTag.objects.filter(is_active=True), many=True).data)

"""Moderation endpoints (DESIGN §7): decide on an item, the queue, bulk decisions, the log."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsModerator, signed_in_user
from annotations.models import Annotation, Flag, ModerationEvent, Reply, Status
from annotations.moderation import services as moderation
from annotations.moderation.queue import QueueFilters, moderation_queue
from annotations.selectors import with_display_data
from annotations.serializers import AnnotationSerializer, ReplySerializer
from config.api_errors import service_errors
from config.api_schema import error_responses

ACTIONS = [a for a in moderation.DECISIONS]


class ModerationRequestSerializer(serializers.Serializer[Any]):
    action = serializers.CharField(
        help_text=gettext_lazy("One of: %(choices)s (replies: approve, reject, spam, note)")
        % {"choices": ", ".join(ACTIONS)}
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    expected_status = serializers.CharField(
        required=False,
        help_text=gettext_lazy("The status you saw; if it changed meanwhile the answer is 409"),
    )


CONFLICT = inline_serializer(
    "ModerationConflict", {"detail": serializers.CharField(), "current_status": serializers.CharField()}
)


def _decide(request: Request, item: Annotation | Reply) -> Any:
    serializer = ModerationRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    try:
        with service_errors():
            decision = moderation.moderate(
                item=item,
                moderator=signed_in_user(request),
                action=data["action"],
                reason=data.get("reason", ""),
                expected_status=data.get("expected_status"),
            )
    except moderation.ModerationConflict as conflict:
        return Response(
            {"detail": str(conflict), "current_status": conflict.current_status},
            status=status.HTTP_409_CONFLICT,
        )
    return decision


class AnnotationModerationView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        request=ModerationRequestSerializer,
        responses={200: AnnotationSerializer, 409: CONFLICT, **error_responses(400, 403, 404, 415)},
        summary="Moderate",
    )
    def post(self, request: Request, pk: int) -> Response:
        annotation = Annotation.objects.filter(pk=pk).first()
        if annotation is None:
            raise NotFound(_("There is no annotation %(pk)s.") % {"pk": pk})
        result = _decide(request, annotation)
        if isinstance(result, Response):
            return result
        fresh = with_display_data(Annotation.objects.filter(pk=pk), request.user).get()
        return Response(AnnotationSerializer(fresh, context={"request": request}).data)


class ReplyModerationView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        request=ModerationRequestSerializer,
        responses={200: ReplySerializer, 409: CONFLICT, **error_responses(400, 403, 404, 415)},
        summary="Moderate a reply",
    )
    def post(self, request: Request, pk: int) -> Response:
        reply = Reply.objects.filter(pk=pk).first()
        if reply is None:
            raise NotFound(_("There is no reply %(pk)s.") % {"pk": pk})
        result = _decide(request, reply)
        if isinstance(result, Response):
            return result
        return Response(ReplySerializer(result.item, context={"request": request}).data)


def _queue_filters(request: Request) -> QueueFilters:
    params = request.query_params
    verified = params.get("organization_verified")
    if verified not in (None, "", "true", "false", "1", "0"):
        raise ValidationError({"organization_verified": _("Use true or false.")})
    reason = params.get("flag_reason") or None
    if reason and reason not in Flag.Reason.values:
        raise ValidationError(
            {"flag_reason": _("Use one of: %(choices)s.") % {"choices": ", ".join(Flag.Reason.values)}}
        )
    return QueueFilters(
        treaty=params.get("treaty") or None,
        article=params.get("article") or None,
        tag=params.get("tag") or None,
        organization=params.get("organization") or None,
        flag_reason=reason,
        organization_verified=None if verified in (None, "") else verified in ("true", "1"),
    )


class ModerationQueueView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR)
            for name in (
                "treaty",
                "article",
                "tag",
                "organization",
                "flag_reason",
                "organization_verified",
                "cursor",
            )
        ]
        + [OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={
            200: inline_serializer(
                "ModerationQueue",
                {
                    "results": serializers.ListField(child=serializers.DictField()),
                    "next": serializers.CharField(allow_null=True),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
            **error_responses(400, 403),
        },
        summary="Pending and flagged items, oldest first",
    )
    def get(self, request: Request) -> Response:
        try:
            page_size = int(request.query_params.get("page_size", 50))
        except ValueError:
            raise ValidationError({"page_size": _("Give a whole number.")}) from None
        try:
            page = moderation_queue(
                _queue_filters(request),
                cursor=request.query_params.get("cursor") or None,
                page_size=page_size,
            )
        except ValueError as error:
            raise ValidationError({"cursor": str(error)}) from None
        context = {"request": request}
        results = []
        for entry in page.entries:
            if isinstance(entry.item, Annotation):
                data = AnnotationSerializer(entry.item, context=context).data
            else:
                data = ReplySerializer(entry.item, context=context).data
                data["annotation"] = entry.item.annotation_id
            results.append(
                {
                    "kind": entry.kind,
                    "open_flags": entry.open_flags,
                    "flag_reasons": entry.flag_reasons,
                    "item": data,
                    # The near-identical pending comments this item stands for: decided together
                    # through moderation/bulk/ with each member and its expected status.
                    "campaign": None
                    if entry.group is None
                    else {
                        "group": entry.group.id,
                        "comments": entry.group.size,
                        "accounts": entry.group.accounts,
                        "organizations": entry.group.organizations,
                        "possible_campaign": entry.group.flagged,
                        "members": [
                            {"id": member.pk, "expected_status": member.status}
                            for member in entry.group.pending
                        ],
                    },
                }
            )
        next_url = None
        if page.next_cursor:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": results, "next": next_url, "counts": page.counts})


class BulkItemSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["annotation", "reply"], default="annotation")
    id = serializers.IntegerField()
    expected_status = serializers.ChoiceField(choices=Status.choices, required=False)


class BulkRequestSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["approve", "reject", "spam"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    # many=True hands max_length on to the ListSerializer; the stubs' __init__ does not list it.
    items = BulkItemSerializer(many=True, allow_empty=False, max_length=200)  # type: ignore[call-arg]


class ModerationBulkView(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        request=BulkRequestSerializer,
        responses={200: OpenApiTypes.OBJECT, **error_responses(400, 403, 415)},
        summary="Approve / reject / mark spam a selection",
    )
    def post(self, request: Request) -> Response:
        serializer = BulkRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "reject" and not data.get("reason", "").strip():
            raise ValidationError(
                {"reason": [_("Give the reason for rejecting them: the authors will see it.")]}
            )
        results = []
        for entry in data["items"]:
            model = Annotation if entry["kind"] == "annotation" else Reply
            item = model.objects.filter(pk=entry["id"]).first()
            outcome: dict[str, Any] = {"kind": entry["kind"], "id": entry["id"]}
            if item is None:
                outcome |= {"result": "not_found"}
            else:
                try:
                    with service_errors():
                        decision = moderation.moderate(
                            item=item,
                            moderator=signed_in_user(request),
                            action=data["action"],
                            reason=data.get("reason", ""),
                            expected_status=entry.get("expected_status"),
                        )
                    outcome |= {"result": "ok", "status": decision.item.status}
                except moderation.ModerationConflict as conflict:
                    outcome |= {
                        "result": "conflict",
                        "detail": str(conflict),
                        "current_status": conflict.current_status,
                    }
                except Exception as error:  # reported per item; the others still proceed
                    outcome |= {"result": "refused", "detail": getattr(error, "detail", str(error))}
            results.append(outcome)
        return Response({"results": results}, status=status.HTTP_200_OK)


class ModerationEventSerializer(serializers.ModelSerializer[ModerationEvent]):
    actor = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    item = serializers.SerializerMethodField()

    class Meta:
        model = ModerationEvent
        fields = ["id", "item", "actor", "action", "from_status", "to_status", "reason", "created_at"]

    def get_item(self, event: ModerationEvent) -> str:
        return f"annotation:{event.annotation_id}" if event.annotation_id else f"reply:{event.reply_id}"

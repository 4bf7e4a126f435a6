"""GET annotations/groups/{id}/: a group of near-identical comments with its members (DESIGN §7)."""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.campaigns.selectors import group_get_visible
from annotations.selectors import annotation_page_path
from config.api_schema import error_responses
from config.throttles import WRITE_AND_GENERAL_THROTTLES

_MEMBERS = inline_serializer(
    "GroupMember",
    {
        "id": serializers.IntegerField(),
        "url": serializers.CharField(),
        "similarity": serializers.FloatField(
            help_text=_("Estimated Jaccard similarity with the first member")
        ),
        "author": serializers.CharField(
            help_text=_("As the viewer may see it: 'Anonymous' hides who and where")
        ),
        "status": serializers.CharField(help_text=_("Moderators only")),
    },
    many=True,
)


class GroupDetailView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "annotations"

    @extend_schema(
        responses={
            200: inline_serializer(
                "Group",
                {
                    "id": serializers.IntegerField(),
                    "size": serializers.IntegerField(),
                    "organizations": serializers.IntegerField(),
                    "members": _MEMBERS,
                },
            ),
            **error_responses(404),
        },
        summary="A group of near-identical comments and its members",
    )
    def get(self, request: Request, pk: int) -> Response:
        detail = group_get_visible(pk, request.user)
        if detail is None:
            raise NotFound(gettext("There is no group %(pk)s.") % {"pk": pk})
        moderator = bool(getattr(request.user, "is_moderator", False))
        members: list[dict[str, Any]] = []
        for member in detail.members:
            row: dict[str, Any] = {
                "id": member.annotation.pk,
                "url": annotation_page_path(member.annotation),
                "similarity": round(member.similarity, 3),
                "author": member.author.label,
            }
            if moderator:
                row["status"] = member.annotation.status
            members.append(row)
        return Response({**detail.summary.as_json(), "members": members})

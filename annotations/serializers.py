from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Attribution
from accounts.privacy import author_visible_to
from annotations.models import (
    BODY_MAX_LENGTH,
    PROPOSED_TEXT_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Annotation,
    ConcernTag,
    Flag,
    Reply,
)
from annotations.public_time import public_moment
from annotations.rendering import comment_html
from annotations.selectors import annotation_page_path


class PublicDateTimeField(serializers.DateTimeField):
    """A time to the minute, as the public sees it (annotations.public_time)."""

    def to_representation(self, value: Any) -> Any:
        return super().to_representation(public_moment(value) if value else value)


class ConcernTagSerializer(serializers.ModelSerializer[ConcernTag]):
    class Meta:
        model = ConcernTag
        fields = ["slug", "name", "description", "color"]


class TargetSerializer(serializers.Serializer[Any]):
    provision = serializers.CharField(source="provision_key")
    # DRF takes declared fields off the class; the stubs read this one as Field.label (drf-stubs#78).
    label = serializers.CharField(source="provision.label")  # type: ignore[assignment]
    exact = serializers.CharField()
    prefix = serializers.CharField()
    suffix = serializers.CharField()
    start = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Unicode code points, inclusive")
    )
    end = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Unicode code points, exclusive"))


class OrganizationRefSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    verified = serializers.BooleanField(source="is_verified")


class AuthorSerializer(serializers.Serializer[Any]):
    # DRF takes declared fields off the class; the stubs read this one as Field.label (drf-stubs#78).
    label = serializers.CharField(  # type: ignore[assignment]
        help_text=gettext_lazy("What to print: a name, an organisation, 'Anonymous' or 'Former member'")
    )
    name = serializers.CharField(allow_null=True)
    organization = OrganizationRefSerializer(allow_null=True)


class GroupRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    size = serializers.IntegerField(help_text=gettext_lazy("Members the viewer may see"))
    organizations = serializers.IntegerField(
        help_text=gettext_lazy(
            "Distinct organisations among them (an author without one, or anonymous, counts as one)"
        )
    )


def _viewer(serializer: serializers.BaseSerializer[Any]) -> Any:
    request = serializer.context.get("request")
    return request.user if request is not None else None


class AnnotationSerializer(serializers.ModelSerializer[Annotation]):
    """An annotation as a given viewer may see it (accounts.privacy decides about the author)."""

    url = serializers.SerializerMethodField()
    treaty = serializers.CharField(source="version.treaty.slug")
    version = serializers.CharField(source="version.label")
    language = serializers.CharField(source="version.language")
    article = serializers.CharField(source="article.number")
    target = TargetSerializer()
    tags = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    endorsements = serializers.IntegerField(source="endorsement_count", read_only=True)
    replies = serializers.IntegerField(source="reply_count", read_only=True)
    created = PublicDateTimeField(source="created_at")
    modified = PublicDateTimeField(source="updated_at")
    edited = PublicDateTimeField(source="edited_at", allow_null=True)
    deleted = serializers.SerializerMethodField()
    rejection_reason = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "url",
            "treaty",
            "version",
            "language",
            "comment_language",
            "article",
            "target",
            "tags",
            "severity",
            "position",
            "body",
            "body_html",
            "proposed_text",
            "attribution",
            "author",
            "status",
            "featured",
            "moderator_note",
            "rejection_reason",
            "endorsements",
            "replies",
            "created",
            "modified",
            "edited",
            "deleted",
            "can_edit",
            "group",
        ]

    def to_representation(self, instance: Annotation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.deleted_at is not None:
            # A tombstone: the thread stays readable, the content and its author are gone.
            for field in (
                "body",
                "body_html",
                "proposed_text",
                "tags",
                "severity",
                "position",
                "moderator_note",
            ):
                data[field] = None
            data["author"] = None
            data["target"]["exact"] = data["target"]["prefix"] = data["target"]["suffix"] = ""
        return data

    def get_url(self, annotation: Annotation) -> str:
        return annotation_page_path(annotation)

    def get_tags(self, annotation: Annotation) -> list[str]:
        return [tag.slug for tag in annotation.tags.all()]

    @extend_schema_field(AuthorSerializer)
    def get_author(self, annotation: Annotation) -> dict[str, Any]:
        view = author_visible_to(
            _viewer(self),
            author=annotation.author,
            organization=annotation.organization,
            attribution=annotation.attribution,
        )
        organization = view.organization
        return {
            "label": view.label,
            "name": view.name,
            "organization": OrganizationRefSerializer(organization).data if organization else None,
        }

    def get_body_html(self, annotation: Annotation) -> str:
        return comment_html(annotation.body)

    def get_deleted(self, annotation: Annotation) -> bool:
        return annotation.deleted_at is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rejection_reason(self, annotation: Annotation) -> str | None:
        viewer = _viewer(self)
        may_see = (
            viewer is not None
            and viewer.is_authenticated
            and (viewer.pk == annotation.author_id or getattr(viewer, "is_moderator", False))
        )
        return annotation.rejection_reason if may_see and annotation.rejection_reason else None

    @extend_schema_field(GroupRefSerializer(allow_null=True))
    def get_group(self, annotation: Annotation) -> dict[str, int] | None:
        # Given by the view (annotations.campaigns.selectors.annotation_groups), counted as the
        # viewer may see the members; absent: in no group this viewer can see.
        summary = self.context.get("groups", {}).get(annotation.pk)
        return summary.as_json() if summary is not None else None

    def get_can_edit(self, annotation: Annotation) -> bool:
        viewer = _viewer(self)
        return bool(
            viewer is not None
            and viewer.is_authenticated
            and viewer.pk == annotation.author_id
            and annotation.deleted_at is None
        )


class QuoteSerializer(serializers.Serializer[Any]):
    exact = serializers.CharField(trim_whitespace=False, max_length=5000)
    prefix = serializers.CharField(trim_whitespace=False, required=False, allow_blank=True, max_length=200)
    suffix = serializers.CharField(trim_whitespace=False, required=False, allow_blank=True, max_length=200)
    start = serializers.IntegerField(
        required=False, min_value=0, help_text=gettext_lazy("Code points; a hint checked against exact")
    )
    end = serializers.IntegerField(required=False, min_value=1)


class AnnotationCreateSerializer(serializers.Serializer[Any]):
    treaty = serializers.SlugField()
    version = serializers.CharField(
        required=False, help_text=gettext_lazy("Draft label; default: the current draft")
    )
    language = serializers.CharField(
        required=False, help_text=gettext_lazy("BCP 47; default: English if any")
    )
    provision = serializers.CharField(max_length=120)
    quote = QuoteSerializer(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.SlugField(), allow_empty=True)
    severity = serializers.IntegerField()
    position = serializers.CharField()
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=BODY_MAX_LENGTH * 2)
    proposed_text = serializers.CharField(
        required=False, allow_blank=True, max_length=PROPOSED_TEXT_MAX_LENGTH * 2
    )
    attribution = serializers.ChoiceField(choices=Attribution.choices, required=False)
    organization = serializers.SlugField(
        required=False, help_text=gettext_lazy("Act for this organisation (default: your only one)")
    )
    comment_language = serializers.CharField(
        required=False,
        max_length=64,
        help_text=gettext_lazy("BCP 47 tag of the comment; default: the interface language"),
    )


class AnnotationUpdateSerializer(serializers.Serializer[Any]):
    tags = serializers.ListField(child=serializers.SlugField(), required=False)
    severity = serializers.IntegerField(required=False)
    position = serializers.CharField(required=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    proposed_text = serializers.CharField(required=False, allow_blank=True)
    attribution = serializers.ChoiceField(choices=Attribution.choices, required=False)
    comment_language = serializers.CharField(
        required=False,
        max_length=64,
        help_text=gettext_lazy("BCP 47 tag of the comment; default: the interface language"),
    )


class ReplySerializer(serializers.ModelSerializer[Reply]):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()
    created = PublicDateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Reply
        fields = [
            "id",
            "parent",
            "author",
            "body",
            "body_html",
            "comment_language",
            "status",
            "created",
            "deleted",
        ]

    def _hidden(self, reply: Reply) -> bool:
        return reply.deleted_at is not None or getattr(reply, "is_tombstone", False)

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, reply: Reply) -> dict[str, Any] | None:
        if self._hidden(reply):
            return None
        view = author_visible_to(
            _viewer(self), author=reply.author, organization=reply.organization, attribution=reply.attribution
        )
        return {
            "label": view.label,
            "name": view.name,
            "organization": OrganizationRefSerializer(view.organization).data if view.organization else None,
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, reply: Reply) -> str | None:
        return None if self._hidden(reply) else reply.body

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body_html(self, reply: Reply) -> str | None:
        return None if self._hidden(reply) else comment_html(reply.body)

    def get_deleted(self, reply: Reply) -> bool:
        return self._hidden(reply)


class ReplyCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=REPLY_MAX_LENGTH * 2)
    # DRF takes declared fields off the class; the stubs read this one as Field.parent (drf-stubs#78).
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    comment_language = serializers.CharField(
        required=False,
        max_length=64,
        help_text=gettext_lazy("BCP 47 tag of the comment; default: the interface language"),
    )


class FlagOnMyItemSerializer(serializers.Serializer[Any]):
    """A flag as its item's author sees it: why, never who."""

    reason = serializers.CharField()
    reason_label = serializers.CharField(source="get_reason_display")
    note = serializers.CharField()
    created = PublicDateTimeField(source="created_at")


class FlagCreateSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(
        choices=[c for c in Flag.Reason.choices if c[0] != Flag.Reason.DUPLICATE]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class EndorsementSerializer(serializers.Serializer[Any]):
    organization = serializers.SlugField(
        required=False, help_text=gettext_lazy("Endorse as this organisation (default: your only one)")
    )


class RemovalSerializer(serializers.Serializer[Any]):
    """An annotation that left public view: its id and when, nothing of what it said or who."""

    id = serializers.IntegerField(read_only=True)
    modified = PublicDateTimeField(source="updated_at", read_only=True)

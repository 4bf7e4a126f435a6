from django.utils.translation import gettext_lazy
from rest_framework import serializers

from treaty.models import DraftVersion, Provision, Treaty


class TreatySummarySerializer(serializers.ModelSerializer[Treaty]):
    current_version = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("Label of the current draft")
    )

    class Meta:
        model = Treaty
        fields = ["slug", "title", "short_title", "current_version"]


class DraftVersionSerializer(serializers.ModelSerializer[DraftVersion]):
    direction = serializers.CharField(read_only=True)

    class Meta:
        model = DraftVersion
        fields = [
            "label",
            "language",
            "direction",
            "title",
            "date",
            "status",
            "is_current",
            "follows",
            "article_count",
            "provision_count",
            "word_count",
        ]


class TocArticleSerializer(serializers.Serializer[Provision]):
    number = serializers.CharField()
    title = serializers.CharField(source="heading")
    key = serializers.CharField()


class TocHeadingSerializer(serializers.Serializer[dict[str, object]]):
    key = serializers.CharField()
    kind = serializers.CharField()
    # DRF takes declared fields off the class; the stubs read this one as Field.label (drf-stubs#78).
    label = serializers.CharField()  # type: ignore[assignment]
    title = serializers.CharField()
    articles = TocArticleSerializer(many=True)


class TreatyDetailSerializer(serializers.Serializer[dict[str, object]]):
    slug = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    description = serializers.CharField()
    version = DraftVersionSerializer(help_text=gettext_lazy("The version the contents are of"))
    versions = DraftVersionSerializer(many=True)
    contents = TocHeadingSerializer(
        many=True,
        help_text=gettext_lazy(
            "Chapters (and sections, titles) with their articles; articles outside any chapter"
            " come under an entry of kind 'articles'"
        ),
    )


class ProvisionSerializer(serializers.ModelSerializer[Provision]):
    # DRF takes declared fields off the class; the stubs read this one as Field.parent (drf-stubs#78).
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = Provision
        fields = ["key", "kind", "label", "marker", "heading", "text", "parent"]

    def get_parent(self, provision: Provision) -> str | None:
        keys: dict[int, str] = self.context["keys_by_id"]
        return keys.get(provision.parent_id) if provision.parent_id else None


class ArticleSerializer(serializers.Serializer[dict[str, object]]):
    number = serializers.CharField()
    title = serializers.CharField()
    key = serializers.CharField()
    # DRF takes declared fields off the class; the stubs read this one as Field.label (drf-stubs#78).
    label = serializers.CharField()  # type: ignore[assignment]
    version = serializers.CharField()
    language = serializers.CharField()
    provisions = ProvisionSerializer(many=True)

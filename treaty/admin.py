from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from treaty.models import DraftVersion, Provision, Treaty


class DraftVersionInline(admin.TabularInline[DraftVersion, Treaty]):
    model = DraftVersion
    fields = ("label", "language", "status", "is_current", "date", "article_count", "imported_at")
    readonly_fields = ("article_count", "imported_at")
    extra = 0
    show_change_link = True


@admin.register(Treaty)
class TreatyAdmin(admin.ModelAdmin[Treaty]):
    list_display = ("title", "short_title", "slug")
    search_fields = ("title", "short_title", "slug")
    inlines = [DraftVersionInline]


@admin.register(DraftVersion)
class DraftVersionAdmin(admin.ModelAdmin[DraftVersion]):
    list_display = ("treaty", "label", "language", "status", "is_current", "article_count", "imported_at")
    list_filter = ("status", "language", "treaty")
    # The text itself comes only from an import (manage.py import_treaty): never edited by hand.
    readonly_fields = (
        "content_sha256",
        "source_format",
        "imported_at",
        "article_count",
        "provision_count",
        "word_count",
        "stats_computed_at",
    )


@admin.register(Provision)
class ProvisionAdmin(admin.ModelAdmin[Provision]):
    list_display = ("key", "label", "kind", "version")
    list_filter = ("kind", "version__treaty")
    search_fields = ("key", "label", "heading", "text")
    list_select_related = ("version", "version__treaty")

    # Treaty wording is data from the official source: the admin shows it, never changes it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Provision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Provision | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Provision]:
        return super().get_queryset(request).defer("text")

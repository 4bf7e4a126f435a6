from django.contrib import admin
from django.http import HttpRequest

from annotations.models import Annotation, ConcernTag


@admin.register(ConcernTag)
class ConcernTagAdmin(admin.ModelAdmin[ConcernTag]):
    """Staff curate the taxonomy: add, edit, reorder (order column) and deactivate (never delete:
    deactivated tags stay on old annotations and in exports)."""

    list_display = ("name", "slug", "color", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def has_delete_permission(self, request: HttpRequest, obj: ConcernTag | None = None) -> bool:
        return False


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin[Annotation]):
    # Read-only here: moderation goes through the moderation console, which keeps the audit log.
    list_display = ("id", "version", "provision", "status", "featured", "created_at", "deleted_at")
    list_filter = ("status", "featured", "version__treaty")
    list_select_related = ("version", "version__treaty", "provision")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Annotation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Annotation | None = None) -> bool:
        return False

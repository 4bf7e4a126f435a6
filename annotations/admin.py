from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from annotations.models import Annotation, ConcernTag

# The other UN languages, each with a name and a description field in the tag's admin form.
TRANSLATED_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _translation_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for code, language in TRANSLATED_LANGUAGES:
        fields[f"name_{code}"] = forms.CharField(
            label=format_lazy(gettext_lazy("{language} ({code}): name"), language=language, code=code),
            max_length=100,
            required=False,
        )
        fields[f"description_{code}"] = forms.CharField(
            label=format_lazy(gettext_lazy("{language} ({code}): description"), language=language, code=code),
            widget=forms.Textarea(attrs={"rows": 2}),
            required=False,
        )
    return fields


class _ConcernTagTranslationsForm(forms.ModelForm[ConcernTag]):
    """One plain field per language and text instead of raw JSON: staff type the translation."""

    class Meta:
        model = ConcernTag
        fields = ["slug", "name", "description", "color", "order", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, _language in TRANSLATED_LANGUAGES:
            self.fields[f"name_{code}"].initial = self.instance.name_translations.get(code, "")
            self.fields[f"description_{code}"].initial = self.instance.description_translations.get(code, "")

    def save(self, commit: bool = True) -> ConcernTag:
        tag = super().save(commit=False)
        for field in ("name", "description"):
            translations = {}
            for code, _language in TRANSLATED_LANGUAGES:
                if text := self.cleaned_data.get(f"{field}_{code}", "").strip():
                    translations[code] = text
            setattr(tag, f"{field}_translations", translations)
        if commit:
            tag.save()
        return tag


# Declared on the class (not added in __init__), so that the admin lays the fields out.
ConcernTagForm: type[_ConcernTagTranslationsForm] = type(
    "ConcernTagForm", (_ConcernTagTranslationsForm,), _translation_fields()
)


@admin.register(ConcernTag)
class ConcernTagAdmin(admin.ModelAdmin[ConcernTag]):
    """Staff curate the taxonomy: add, edit, reorder (order column) and deactivate (never delete:
    deactivated tags stay on old annotations and in exports), and translate names and descriptions."""

    form = ConcernTagForm

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

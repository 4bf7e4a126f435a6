"""The suggestions for a comment's language tag: the six UN languages, each named in itself.

The names are endonyms ("Français", "العربية"), the same in every interface language, so they come
from treaty.languages rather than from template text that the translation catalogue would take."""

from django import template

from treaty.languages import language_autonym

register = template.Library()

# In the UN's order (Arabic, Chinese, English, French, Russian, Spanish); zh-Hans as BCP 47 writes it.
COMMENT_LANGUAGE_TAGS = ("ar", "zh-Hans", "en", "fr", "ru", "es")


@register.simple_tag
def comment_language_suggestions() -> list[tuple[str, str]]:
    """[("ar", "العربية"), ("zh-Hans", "中文"), …]."""
    return [(tag, language_autonym(tag)) for tag in COMMENT_LANGUAGE_TAGS]

"""The language a comment (annotation or reply) is written in (issue 16 §3, DESIGN §7
`comment_language`): the writer's choice, else the interface language they are using."""

from django.core.exceptions import ValidationError
from django.utils import translation

from treaty.languages import UnknownLanguage, comment_language

# Comments stored before languages were recorded: "und", BCP 47's "undetermined" (migration 0016).
UNDETERMINED = "und"


def comment_language_choose(tag: str | None) -> str:
    """The canonical BCP 47 tag of `tag` ("fr-ca" -> "fr-CA"), or of the active interface language
    when none is given; ValidationError naming `comment_language` when it is no valid tag."""
    if tag is None or not tag.strip():
        tag = translation.get_language() or "en"
    try:
        return comment_language(tag)
    except UnknownLanguage as error:
        raise ValidationError({"comment_language": str(error)}) from None

"""What a written text (a comment, a reply, a proposed wording, a flag's note) must be before it is
stored: something a reader can see, and not too long."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters that show nothing: controls and format characters (category Cc, Cf: zero-width
# spaces and joiners, bidi marks, tag characters), separators, and letters or marks that render
# blank (Hangul fillers, the blank Braille pattern, the grapheme joiner, variation selectors).
_BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_BLANK_CHARACTERS = frozenset("ᅟᅠㅤﾠ⠀͏឴឵᠎")


def _shows_nothing(character: str) -> bool:
    code = ord(character)
    return (
        unicodedata.category(character) in _BLANK_CATEGORIES
        or character in _BLANK_CHARACTERS
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def text_is_blank(value: str) -> bool:
    """True when a text would show nothing: empty, or only invisible characters. Bodies of
    annotations and replies made only of zero-width or filler characters are refused like empty
    ones (issue 17)."""
    return all(_shows_nothing(character) for character in value)


def clean_text(value: str, *, field: str, limit: int, required: bool, what: str) -> str:
    """The text as stored: stripped, empty when it would show nothing. Raises ValidationError
    naming `field` when it is required and empty, or longer than `limit`."""
    value = value.strip()
    if text_is_blank(value):
        value = ""
    if required and not value:
        raise ValidationError({field: _("Write %(what)s: it cannot be empty.") % {"what": what}})
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("%(what)s is %(length)s characters long; the limit is %(limit)s.")
                % {"what": what.capitalize(), "length": len(value), "limit": limit}
            }
        )
    return value

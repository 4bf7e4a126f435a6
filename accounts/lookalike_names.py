"""Organisation names that look alike are the same name.

Somebody who registers "Digitаl Rights Watch" (with a Cyrillic "а"), or the real name with a
zero-width space in it, could post as if they were the real organisation. Names are therefore
compared by a *skeleton* (the idea of Unicode TR39 §4): NFKC, invisible format characters removed,
every character replaced by its ASCII look-alike where the Unicode confusables list has one, case
folded, spaces collapsed. Two names with one skeleton are one name.

The confusables list is Unicode's own, as packaged by `confusable-homoglyphs` (the data behind
django-registration's look-alike username check), rather than a hand-made table that would cover
a few alphabets and go stale.
"""

import functools
import unicodedata

from confusable_homoglyphs.confusables import confusables_data
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidirectional controls reorder what is displayed: a name can look unlike its stored letters.
# Refused outright (there is no honest use for them in an organisation's name).
BIDI_CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _preference(candidate: str) -> tuple[int, str]:
    # The representative of a look-alike class: an ASCII lower-case letter, then any ASCII
    # letter or digit, then any ASCII, then the character itself.
    if candidate.isascii() and candidate.islower():
        return (0, candidate)
    if candidate.isascii() and candidate.isalnum():
        return (1, candidate)
    if candidate.isascii():
        return (2, candidate)
    return (3, candidate)


@functools.cache
def _prototype(character: str) -> str:
    homoglyphs = confusables_data.get(character, [])
    candidates = [character] + [h["c"] for h in homoglyphs if len(h["c"]) == 1]
    # Case is folded too: "I", "l" and "1" all end as "i", so "DIGITAL" and "Digita1" meet.
    candidates += [c.casefold() for c in candidates if len(c.casefold()) == 1]
    return min(candidates, key=_preference)


def _is_invisible(character: str) -> bool:
    # Cf: zero-width spaces and joiners, bidi marks, soft hyphen, BOM... Also the fillers that
    # render as blank but are letters (Hangul fillers) and the blank Braille pattern.
    return unicodedata.category(character) == "Cf" or character in INVISIBLE_LETTERS


INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def name_skeleton(name: str) -> str:
    """The form two names are compared in: equal skeletons look alike."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if not _is_invisible(c))
    # Twice: a look-alike's case fold may have look-alikes of its own.
    for _round in range(2):
        text = "".join(_prototype(c) for c in unicodedata.normalize("NFKC", text.casefold()))
    return " ".join(text.split())


def organization_name_clean(name: str) -> str:
    """The name as stored: NFC, spaces collapsed, no bidi controls and no invisible characters."""
    if any(c in BIDI_CONTROLS for c in name):
        raise ValidationError(
            {"name": _("The name contains invisible text-direction characters: type it without them.")}
        )
    name = unicodedata.normalize("NFC", name)
    name = " ".join("".join(c for c in name if not _is_invisible(c)).split())
    if not name:
        raise ValidationError({"name": _("Enter the organisation's name.")})
    return name

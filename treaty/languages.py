"""Languages of treaty texts and of comments (DESIGN §3 "Languages").

Treaty texts are imported in the six official languages of the UN; a comment may be written in
any language, recorded as a BCP 47 tag (RFC 5646) checked against the IANA registry.
"""

from __future__ import annotations

import re

import langcodes

# The languages the importer reads the headings and numbering of (treaty/importers/markers.py).
TEXT_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")

# RFC 5646 §2.1 syntax (langtag, private use or grandfathered), before the registry check:
# langcodes alone also accepts "en_US", which no BCP 47 consumer does.
_LANGTAG = re.compile(
    r"^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"  # language, extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    r"|x(?:-[a-z0-9]{1,8})+"
    r"|i-[a-z]{3,8}|[a-z]{2,3}-[a-z]{2,3}-[a-z]{2,8})$",  # grandfathered (as the registry checks)
    re.IGNORECASE,
)


class UnknownLanguage(ValueError):
    """Not a language tag we can accept; the message says why and what to use instead."""


def comment_language(tag: str) -> str:
    """The canonical form of a valid BCP 47 tag ("EN-us" -> "en-US"); UnknownLanguage otherwise."""
    tag = tag.strip()
    if not tag or len(tag) > 35 or not _LANGTAG.match(tag) or not langcodes.tag_is_valid(tag):
        raise UnknownLanguage(
            f"{tag[:40]!r} is not a valid BCP 47 language tag (such as en, fr, ar, zh-Hans or es-419)"
        )
    return langcodes.standardize_tag(tag)


def text_language(tag: str) -> str:
    """The language of a treaty text to import: a BCP 47 tag whose language is one of the six UN
    languages ("zh-Hans", "fr"); UnknownLanguage otherwise."""
    try:
        canonical = comment_language(tag)
    except UnknownLanguage:
        canonical = ""
    if canonical.split("-")[0].lower() not in TEXT_LANGUAGES:
        raise UnknownLanguage(
            f"unknown language {tag[:40]!r}: the importer reads {', '.join(TEXT_LANGUAGES)}"
            " (a BCP 47 tag such as zh-Hans is accepted)"
        )
    return canonical


def primary_subtag(tag: str) -> str:
    return tag.split("-")[0].lower()


# Each language named in itself, for badges a reader of that language recognises.
_AUTONYMS = {
    "ar": "العربية",
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
    "zh": "中文",
}


def language_autonym(tag: str) -> str:
    """ "ar" -> "العربية"; a language without an entry is shown by its tag."""
    return _AUTONYMS.get(primary_subtag(tag), tag)

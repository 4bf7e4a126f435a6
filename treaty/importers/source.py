"""The raw source as lines: comments removed, line numbers kept, and the language it is written in."""

from __future__ import annotations

import re
import unicodedata

from treaty.importers.tree import TreatyFormatError

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def source_lines(source: str) -> list[str]:
    """The source split into lines (index + 1 is the line number users see in their editor).

    HTML comments are file annotations, not treaty text: they are blanked, keeping their line
    breaks so that every later line keeps its number. Only "\\n" separates lines (not the form feed
    or Unicode line separators that str.splitlines() honours), again so line numbers match editors.
    """
    source = source.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = _HTML_COMMENT.sub(lambda comment: "\n" * comment.group().count("\n"), source)
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        _refuse_unstorable(number, line)
        if "<!--" in line:
            # Importing the rest of the file as treaty text would be worse than stopping.
            raise TreatyFormatError(number, "an HTML comment '<!--' is never closed with '-->'")
    return lines


# PostgreSQL text cannot hold NUL, and no database can store half of a UTF-16 surrogate pair
# (a str can, when it did not come from UTF-8 bytes): the import would fail half-way with a
# database traceback, so it is refused up front with the line and column to fix.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _refuse_unstorable(number: int, line: str) -> None:
    found = _UNSTORABLE.search(line)
    if found:
        char = found.group()
        what = "a NUL character" if char == "\x00" else "an unpaired surrogate"
        raise TreatyFormatError(
            number,
            f"{what} (U+{ord(char):04X}) at column {found.start() + 1} cannot be stored; remove it",
        )


# Latin-script texts are told apart by the words of their headings.
_FRENCH = re.compile(
    r"^(?:Article premier|ARTICLE PREMIER|Chapitre|CHAPITRE|Préambule|PRÉAMBULE|Titre|TITRE)\b", re.M
)
_SPANISH = re.compile(r"^(?:Artículo|ARTÍCULO|Capítulo|CAPÍTULO|Preámbulo|PREÁMBULO)\b", re.M)


def detect_language(lines: list[str]) -> str:
    """The language of a text from its script: "ar" (Arabic), "ru" (Cyrillic), "zh" (CJK
    ideographs); for Latin script "fr" or "es" when its headings are French or Spanish, else "en"."""
    counts = {"ARABIC": 0, "CYRILLIC": 0, "CJK": 0, "LATIN": 0}
    for line in lines:
        for char in line:
            if not char.isalpha():
                continue
            name = unicodedata.name(char, "")
            for script in counts:
                if name.startswith(script):
                    counts[script] += 1
                    break
    script = max(counts, key=lambda name: counts[name])
    if counts[script] and script != "LATIN":
        return {"ARABIC": "ar", "CYRILLIC": "ru", "CJK": "zh"}[script]
    # Heading words, stripped of Markdown's "#": the first language whose headings appear wins.
    text = "\n".join(line.lstrip("#* ").rstrip() for line in lines)
    if _FRENCH.search(text):
        return "fr"
    if _SPANISH.search(text):
        return "es"
    return "en"

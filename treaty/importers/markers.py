"""What a printed line starts with: a heading ("Article 7 – Illegal access", "CHAPTER II",
"المادة 7: ..."), the number of a paragraph, subparagraph or item ("1.", "(a)", "(أ)", "’1’"), or
the closing formula. Shared by every import format, so they all read markers the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from treaty.importers.numbering import (
    ABJAD,
    ABJAD_VARIANTS,
    ARABIC_ORDINALS,
    arabic_item_number,
    arabic_letter_number,
    ascii_digits,
    heading_number,
    is_latin_letter_number,
    is_roman,
)
from treaty.models import Provision

Kind = Provision.Kind

# "(i)", "(v)" and "(x)" are both letters and roman numerals; the tree builder decides from context.
LETTERED = "subparagraph-or-item"

# Direction marks that copied Arabic text carries before a marker.
_MARKS = "[\u200e\u200f\u061c]*"

# After the number: nothing (the heading follows on the next line) or a separator and the heading.
# A "." only separates when a space follows, so "Article 20.d. of the Statute" is not a heading.
_TAIL = r"(?:\s*|\s*(?:\.(?=\s|$)|[:：–—]|(?<=\s)-)\s*(?P<heading>.*?)\s*)$"
# Chapter, section and title headings may put their (capitalised) title after plain spaces.
_TAIL_OR_SPACES = (
    r"(?:\s*|\s*(?:\.(?=\s|$)|[:：–—]|(?<=\s)-)\s*(?P<heading>.*?)\s*|\s+(?P<spaced>[A-Z].*?)\s*)$"
)
_ARABIC_TAIL = r"(?:\s*|\s*[:：.\-–—]\s*(?P<heading>.*?)\s*)$"


def _ordinal_pattern() -> str:
    words = sorted(ARABIC_ORDINALS, key=len, reverse=True)  # longest first: "الثاني عشر" before "الثاني"
    return "|".join(re.escape(word).replace("ا", "[اأإآ]") for word in words)


# Inserted articles: "Article 4a", "Article 6 bis"; a struck one keeps its place: "Article 24 [deleted]".
_LATIN = "bis|ter|quater|quinquies|sexies|septies|octies|novies|decies"
ARTICLE_NUMBER = rf"\d{{1,3}}(?:[a-z]{{1,2}}|\s(?:{_LATIN}))?(?![\w])"
DELETED = r"\[deleted\]"

_HEADINGS = [
    re.compile(
        rf"^{_MARKS}(?P<word>Article|ARTICLE)\s+(?P<number>{ARTICLE_NUMBER})(?:\s*(?P<deleted>{DELETED}))?{_TAIL}"
    ),
    re.compile(
        rf"^{_MARKS}(?P<word>CHAPTER|Chapter|SECTION|Section|TITLE|Title)\s+(?P<number>[IVXLC]+|\d{{1,2}})"
        + _TAIL_OR_SPACES
    ),
    re.compile(rf"^{_MARKS}(?P<word>Annex|ANNEX)(?:\s+(?P<number>[IVXLC]+|\d{{1,2}}))?{_TAIL_OR_SPACES}"),
    re.compile(rf"^{_MARKS}(?P<word>المادة)\s+(?P<number>[0-9٠-٩]{{1,3}}){_ARABIC_TAIL}"),
    re.compile(
        rf"^{_MARKS}(?P<word>الفصل|الباب|الجزء)\s+(?P<number>[0-9٠-٩]{{1,2}}|{_ordinal_pattern()}){_ARABIC_TAIL}"
    ),
    re.compile(
        rf"^{_MARKS}(?P<word>المرفق)(?:\s+(?P<number>[0-9٠-٩]{{1,2}}|{_ordinal_pattern()}))?{_ARABIC_TAIL}"
    ),
]
_PREAMBLE = re.compile(rf"^{_MARKS}(?:Preamble|PREAMBLE|الديباجة)\s*$")

_HEADING_KINDS = {
    "article": Kind.ARTICLE,
    "chapter": Kind.CHAPTER,
    "section": Kind.SECTION,
    "title": Kind.TITLE,
    "annex": Kind.ANNEX,
    "المادة": Kind.ARTICLE,
    "الفصل": Kind.CHAPTER,
    "الباب": Kind.SECTION,
    "الجزء": Kind.TITLE,
    "المرفق": Kind.ANNEX,
}

_NUMBERS = [
    (Kind.PARAGRAPH, re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[0-9]{{1,3}})\.)(?=\s|$)")),
    # Arabic paragraphs: "1 - text".
    (Kind.PARAGRAPH, re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[0-9٠-٩]{{1,3}})\s*[-–])(?=\s|$)")),
    (LETTERED, re.compile(rf"^(?P<marker>{_MARKS}\(?(?P<number>[a-z]{{1,5}})\))(?=\s|$)")),
    (LETTERED, re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[a-z])\.)(?=\s|$)")),
    (
        Kind.SUBPARAGRAPH,
        re.compile(rf"^(?P<marker>{_MARKS}\((?P<number>[{ABJAD}{''.join(ABJAD_VARIANTS)}])ـ?\))(?=\s|$)"),
    ),
    # Arabic items: ’1’, with the curly quotes in any combination.
    (Kind.ITEM, re.compile(rf"^(?P<marker>{_MARKS}[’‘'](?P<number>[0-9٠-٩]{{1,3}})[’‘'])(?=\s|$)")),
]

_CLOSING_FORMULA = re.compile(r"^(?:IN WITNESS WHEREOF|In witness whereof|DONE at|Done at|وإثباتا|وإثباتاً)")
_BULLET = re.compile(r"^[–—•▪◦-]\s+\S")
# A full stop after these does not end a sentence: "European Treaty Series – No.\n185".
_ABBREVIATIONS = frozenset(
    {"no.", "nos.", "art.", "arts.", "para.", "paras.", "p.", "pp.", "vol.", "cf.", "e.g.", "i.e."}
)


@dataclass(frozen=True)
class HeadingLine:
    kind: str
    number: str  # normalised: "7", "2"; "" for a preamble or an unnumbered annex
    marker: str  # as printed: "Article 7", "المادة 7", "II", "الثاني"
    heading: str | None  # None when nothing follows the number: the heading is on the next line
    deleted: str | None = None  # "[deleted]" as printed after an article number: the article's text


@dataclass(frozen=True)
class NumberLine:
    kind: str  # paragraph, subparagraph, item, or LETTERED when it could be either of the last two
    number: str  # normalised: "1", "a", "ii"; for LETTERED the letters as printed
    marker: str  # as printed: "1.", "(a)", "a)", "(أ)", "’1’", "1 -"
    text: str  # what follows the marker on the line


def match_heading(line: str) -> HeadingLine | None:
    if _PREAMBLE.match(line):
        return HeadingLine(Kind.PREAMBLE, "", "", line.strip())
    for pattern in _HEADINGS:
        match = pattern.match(line)
        if match is None:
            continue
        kind = _HEADING_KINDS[match["word"].lower()]
        printed = match["number"] or ""
        if printed and printed.isupper() and not is_roman(printed):
            continue  # "CHAPTER CXL"-like capitals that are not a numeral
        heading = match["heading"] or match.groupdict().get("spaced") or None
        if kind == Kind.ARTICLE:
            number = ascii_digits(printed).replace(" ", "").lower()
            deleted = match.groupdict().get("deleted")
            return HeadingLine(kind, number, line[: match.end("number")].strip(), heading, deleted)
        return HeadingLine(kind, heading_number(printed) if printed else "", printed, heading)
    return None


def match_number(line: str) -> NumberLine | None:
    for kind, pattern in _NUMBERS:
        match = pattern.match(line)
        if match is None:
            continue
        printed, marker, text = match["number"], match["marker"].strip(), line[match.end() :].strip()
        if kind == LETTERED:
            letter, roman = is_latin_letter_number(printed), set(printed) <= set("ivx") and is_roman(printed)
            if not (letter or roman):
                continue
            kind = LETTERED if letter and roman else Kind.SUBPARAGRAPH if letter else Kind.ITEM
            return NumberLine(kind, printed, marker, text)
        if kind == Kind.SUBPARAGRAPH:
            return NumberLine(kind, arabic_letter_number(printed), marker, text)
        if kind == Kind.ITEM:
            return NumberLine(kind, arabic_item_number(printed), marker, text)
        return NumberLine(kind, ascii_digits(printed), marker, text)
    return None


def is_closing_formula(line: str) -> bool:
    """The formula after the last article: "IN WITNESS WHEREOF ...", "DONE at ..."."""
    return bool(_CLOSING_FORMULA.match(line))


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def ends_sentence(line: str) -> bool:
    """Whether the line ends with terminal punctuation (. ; :), ignoring closing quotes and brackets."""
    stripped = line.rstrip().rstrip("\"”’'»)]")
    if not stripped or stripped[-1] not in ".;:؛":
        return False
    last_word = stripped.rsplit(maxsplit=1)[-1].lower()
    return last_word not in _ABBREVIATIONS


def starts_lowercase(line: str) -> bool:
    return line[:1].islower()


def is_all_caps(text: str) -> bool:
    return any(c.isupper() for c in text) and not any(c.islower() for c in text)

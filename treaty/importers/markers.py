"""What a printed line starts with: a heading ("Article 7 – Illegal access", "CHAPTER II",
"المادة 7: ...", "Article premier", "Artículo 7", "Статья 7", "第七条 非法访问"), the number of a
paragraph, subparagraph or item ("1.", "(a)", "(أ)", "’1’", "в)", "一、", "(一)", "㈠", "1．"), or
the closing formula, in the six UN languages. Shared by every import format, so they all read
markers the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from treaty.importers.numbering import (
    ABJAD,
    ABJAD_VARIANTS,
    ARABIC_ORDINALS,
    CYRILLIC_LIST_LETTERS,
    FIRST_WORDS,
    PARENTHESISED_IDEOGRAPHS,
    arabic_item_number,
    arabic_letter_number,
    ascii_digits,
    chinese_letter_number,
    chinese_number,
    cyrillic_letter_number,
    heading_number,
    int_to_roman,
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
    r"(?:\s*|\s*(?:\.(?=\s|$)|[:：–—]|(?<=\s)-)\s*(?P<heading>.*?)\s*|\s+(?P<spaced>[A-ZÀ-ÞА-ЯЁ].*?)\s*)$"
)
_ARABIC_TAIL = r"(?:\s*|\s*[:：.\-–—]\s*(?P<heading>.*?)\s*)$"


def _ordinal_pattern() -> str:
    words = sorted(ARABIC_ORDINALS, key=len, reverse=True)  # longest first: "الثاني عشر" before "الثاني"
    return "|".join(re.escape(word).replace("ا", "[اأإآ]") for word in words)


# Inserted articles: "Article 4a", "Article 6 bis"; a struck one keeps its place: "Article 24 [deleted]".
_LATIN = "bis|ter|quater|quinquies|sexies|septies|octies|novies|decies"
ARTICLE_NUMBER = rf"\d{{1,3}}(?:[a-z]{{1,2}}|\s(?:{_LATIN}))?(?![\w])"
DELETED = r"\[deleted\]"

# The heading words of the Latin and Cyrillic languages, as printed in title case and capitals.
_ARTICLE_WORDS = "Article|Artículo|Статья"
_PART_WORDS = "Chapter|Section|Title|Chapitre|Titre|Capítulo|Sección|Título|Глава|Раздел|Часть"
_ANNEX_WORDS = "Annex|Annexe|Anexo|Приложение"
_FIRST = "premier|PREMIER|primero|PRIMERO"


def _both_cases(words: str) -> str:
    return "|".join(f"{word}|{word.upper()}" for word in words.split("|"))


_CHINESE_NUMERAL = "[〇零一二两三四五六七八九十百0-9０-９]{1,6}"

_HEADINGS = [
    re.compile(
        rf"^{_MARKS}(?P<word>{_both_cases(_ARTICLE_WORDS)})\s+(?P<number>{ARTICLE_NUMBER}|{_FIRST})"
        rf"(?:\s*(?P<deleted>{DELETED}))?{_TAIL}"
    ),
    re.compile(
        rf"^{_MARKS}(?P<word>{_both_cases(_PART_WORDS)})\s+(?P<number>[IVXLC]+|\d{{1,2}}|{_FIRST})"
        + _TAIL_OR_SPACES
    ),
    re.compile(
        rf"^{_MARKS}(?P<word>{_both_cases(_ANNEX_WORDS)})(?:\s+(?P<number>[IVXLC]+|\d{{1,2}}))?{_TAIL_OR_SPACES}"
    ),
    re.compile(rf"^{_MARKS}(?P<word>المادة)\s+(?P<number>[0-9٠-٩]{{1,3}}){_ARABIC_TAIL}"),
    re.compile(
        rf"^{_MARKS}(?P<word>الفصل|الباب|الجزء)\s+(?P<number>[0-9٠-٩]{{1,2}}|{_ordinal_pattern()}){_ARABIC_TAIL}"
    ),
    re.compile(
        rf"^{_MARKS}(?P<word>المرفق)(?:\s+(?P<number>[0-9٠-٩]{{1,2}}|{_ordinal_pattern()}))?{_ARABIC_TAIL}"
    ),
]
# Chinese headings: 第七条, 第二章, 第一节, 第一编, the heading after a space (often U+3000) or on
# the next line; 附件 (annex). Chinese is written without spaces, so "第七条所述" (a reference
# inside a sentence) is no heading: after the word comes a space or the end of the line.
_CHINESE_HEADING = re.compile(
    rf"^(?P<marker>第(?P<number>{_CHINESE_NUMERAL})(?P<word>[条章节编]))(?:\s+(?P<heading>.*?))?\s*$"
)
_CHINESE_ANNEX = re.compile(
    r"^(?P<marker>附件(?P<number>[一二三四五六七八九十0-9]{0,3}))(?:\s+(?P<heading>.*?))?\s*$"
)
_PREAMBLE = re.compile(
    rf"^{_MARKS}(?:{_both_cases('Preamble|Préambule|Preámbulo|Преамбула')}|الديباجة|序\s*言)\s*$"
)

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
    "artículo": Kind.ARTICLE,
    "статья": Kind.ARTICLE,
    "chapitre": Kind.CHAPTER,
    "capítulo": Kind.CHAPTER,
    "глава": Kind.CHAPTER,
    "sección": Kind.SECTION,
    "раздел": Kind.SECTION,
    "titre": Kind.TITLE,
    "título": Kind.TITLE,
    "часть": Kind.TITLE,
    "annexe": Kind.ANNEX,
    "anexo": Kind.ANNEX,
    "приложение": Kind.ANNEX,
    "条": Kind.ARTICLE,
    "章": Kind.CHAPTER,
    "节": Kind.SECTION,
    "编": Kind.TITLE,
}

_CHINESE_DIGITS = "〇零一二两三四五六七八九十百"


def _paragraph_number(printed: str) -> str:
    return ascii_digits(printed)


def _item_number(printed: str) -> str:
    """Chinese items "1．" are keyed i, ii ... like the other languages' (i), (ii)."""
    return int_to_roman(int(ascii_digits(printed)))


# (kind, pattern, the key's number from the printed one). LETTERED is decided in match_number.
_NUMBERS: list[tuple[str, re.Pattern[str], Callable[[str], str]]] = [
    (
        Kind.PARAGRAPH,
        re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[0-9]{{1,3}})\.)(?=\s|$)"),
        _paragraph_number,
    ),
    # Arabic paragraphs: "1 - text".
    (
        Kind.PARAGRAPH,
        re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[0-9٠-٩]{{1,3}})\s*[-–])(?=\s|$)"),
        _paragraph_number,
    ),
    (LETTERED, re.compile(rf"^(?P<marker>{_MARKS}\(?(?P<number>[a-z]{{1,5}})\))(?=\s|$)"), str),
    (LETTERED, re.compile(rf"^(?P<marker>{_MARKS}(?P<number>[a-z])\.)(?=\s|$)"), str),
    (
        Kind.SUBPARAGRAPH,
        re.compile(rf"^(?P<marker>{_MARKS}\((?P<number>[{ABJAD}{''.join(ABJAD_VARIANTS)}])ـ?\))(?=\s|$)"),
        arabic_letter_number,
    ),
    # Arabic items: ’1’, with the curly quotes in any combination.
    (
        Kind.ITEM,
        re.compile(rf"^(?P<marker>{_MARKS}[’‘'](?P<number>[0-9٠-٩]{{1,3}})[’‘'])(?=\s|$)"),
        arabic_item_number,
    ),
    # Russian subparagraphs: а) б) в), Cyrillic letters keyed by their position (a b c).
    (
        Kind.SUBPARAGRAPH,
        re.compile(rf"^(?P<marker>\(?(?P<number>[{CYRILLIC_LIST_LETTERS}])\))(?=\s|$)"),
        cyrillic_letter_number,
    ),
    # Chinese, written without spaces: paragraphs 一、 subparagraphs (一) （一） ㈠, items 1．
    (
        Kind.PARAGRAPH,
        re.compile(rf"^(?P<marker>(?P<number>[{_CHINESE_DIGITS}]{{1,4}})、)"),
        lambda numeral: str(chinese_number(numeral)),
    ),
    (
        Kind.SUBPARAGRAPH,
        re.compile(rf"^(?P<marker>[(（](?P<number>[{_CHINESE_DIGITS}]{{1,4}})[)）])"),
        chinese_letter_number,
    ),
    (
        Kind.SUBPARAGRAPH,
        re.compile(rf"^(?P<marker>(?P<number>[{PARENTHESISED_IDEOGRAPHS}]))"),
        chinese_letter_number,
    ),
    (Kind.ITEM, re.compile(r"^(?P<marker>(?P<number>[0-9０-９]{1,2})．)"), _item_number),
]

_CLOSING_FORMULA = re.compile(
    r"^(?:IN WITNESS WHEREOF|In witness whereof|DONE at|Done at|وإثباتا|وإثباتاً"
    r"|EN FOI DE QUOI|En foi de quoi|FAIT à|Fait à"
    r"|EN TESTIMONIO DE LO CUAL|En testimonio de lo cual|HECH[OA] en|Hech[oa] en"
    r"|В УДОСТОВЕРЕНИЕ ЧЕГО|В удостоверение чего|Совершено в"
    r"|下列签署人|为此，|为此,)"
)
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
    if chinese := _match_chinese_heading(line.strip()):
        return chinese
    for pattern in _HEADINGS:
        match = pattern.match(line)
        if match is None:
            continue
        kind = _HEADING_KINDS[match["word"].lower()]
        printed = match["number"] or ""
        if printed and printed.isupper() and not is_roman(printed) and printed.lower() not in FIRST_WORDS:
            continue  # "CHAPTER CXL"-like capitals that are not a numeral
        heading = match["heading"] or match.groupdict().get("spaced") or None
        if kind == Kind.ARTICLE:
            number = ascii_digits(printed).replace(" ", "").lower()
            number = "1" if number in FIRST_WORDS else number
            deleted = match.groupdict().get("deleted")
            return HeadingLine(kind, number, line[: match.end("number")].strip(), heading, deleted)
        return HeadingLine(kind, heading_number(printed) if printed else "", printed, heading)
    return None


def _match_chinese_heading(line: str) -> HeadingLine | None:
    match = _CHINESE_HEADING.match(line)
    if match is not None:
        number = str(chinese_number(match["number"]))
        return HeadingLine(_HEADING_KINDS[match["word"]], number, match["marker"], match["heading"] or None)
    match = _CHINESE_ANNEX.match(line)
    if match is not None:
        number = str(chinese_number(match["number"])) if match["number"] else ""
        return HeadingLine(Kind.ANNEX, number, match["number"], match["heading"] or None)
    return None


def match_number(line: str) -> NumberLine | None:
    for kind, pattern, normalise in _NUMBERS:
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
        return NumberLine(kind, normalise(printed), marker, text)
    return None


def is_closing_formula(line: str) -> bool:
    """The formula after the last article: "IN WITNESS WHEREOF ...", "DONE at ..."."""
    return bool(_CLOSING_FORMULA.match(line))


# A heading word typed with letters of two scripts ("Стaтья" with a Latin "a", "Аrticle" with a
# Cyrillic "А", as OCR and copy-paste produce): it looks like a heading but matches none, and
# read as body text it would silently swallow the article. It is refused with the line instead.
_WORD_THEN_NUMBER = re.compile(rf"^{_MARKS}(?P<word>[^\W\d_]+)\s+(?:\d|[IVXLC]+\b|premier\b|PREMIER\b)")
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARABIC", "CJK")


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return next((script for script in _SCRIPTS if name.startswith(script)), "OTHER")


def mixed_script_heading(line: str) -> str | None:
    """Why a line that starts like a heading cannot be placed, or None. Names the odd letters."""
    match = _WORD_THEN_NUMBER.match(line.strip())
    if match is None or match_heading(line) is not None:
        return None
    word = match["word"]
    scripts: dict[str, list[str]] = {}
    for char in word:
        scripts.setdefault(_script(char), []).append(char)
    if len(scripts) < 2:
        return None
    main = max(scripts, key=lambda script: len(scripts[script]))
    odd = ", ".join(
        f"{char!r} is {script.title()} (U+{ord(char):04X})"
        for script, chars in scripts.items()
        if script != main
        for char in chars
    )
    return (
        f"the heading {line.strip()[:40]!r} cannot be placed: its word {word!r} mixes {main.title()} letters"
        f" with others ({odd}); retype the word in one script"
    )


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line))


def ends_sentence(line: str) -> bool:
    """Whether the line ends with terminal punctuation (. ; :), ignoring closing quotes and brackets."""
    stripped = line.rstrip().rstrip("\"”’'»)]")
    if not stripped or stripped[-1] not in ".;:؛。；：":
        return False
    last_word = stripped.rsplit(maxsplit=1)[-1].lower()
    return last_word not in _ABBREVIATIONS


def starts_lowercase(line: str) -> bool:
    return line[:1].islower()


def is_all_caps(text: str) -> bool:
    return any(c.isupper() for c in text) and not any(c.islower() for c in text)

"""The tree every import format produces, and the rules that turn it into keys and labels.

A parser reads a file into `Document` (nodes with kind, printed marker, normalised number,
heading, text and source line). `finalize()` then checks the numbering and assigns provision
keys (DESIGN §3, a contract) and printed labels, so every format obeys the same rules.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from treaty.models import Provision

Kind = Provision.Kind

# Kinds whose number is part of the key; unnumbered blocks become `text` (or recitals).
KEY_PREFIX: dict[str, str] = {
    Kind.CHAPTER: "ch-",
    Kind.SECTION: "sec-",
    Kind.TITLE: "tit-",
    Kind.ARTICLE: "art-",
}


class TreatyFormatError(ValueError):
    """The input cannot be imported. Names the line (1-based) and what is wrong with it."""

    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(f"line {line}: {problem}" if line else problem)


@dataclass
class Node:
    kind: str
    line: int
    number: str = ""  # normalised: "6", "1", "a", "ii"; "" for unnumbered blocks
    marker: str = ""  # as printed: "Article 6", "1.", "a)", "(أ)", "’1’"
    heading: str = ""
    text: str = ""
    children: list[Node] = field(default_factory=list)
    # The line its text starts on when that is not `line` (a lead-in printed above its heading).
    text_line: int = 0
    # Filled in by finalize():
    key: str = ""
    label: str = ""

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    nodes: list[Node]
    language: str = "en"
    title: str = ""
    front_matter: list[str] = field(default_factory=list)  # lines before the treaty text proper
    # Whether numbers inside articles are checked to run 1, 2, 3: a format whose lists were
    # renumbered by a converter (pandoc) checks them itself and keeps an unexpected one unnumbered.
    check_list_numbering: bool = True
    format: str = ""  # the format it was read as ("auto" resolved), set by detect.parse

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def articles(self) -> list[Node]:
        return [node for node in self.walk() if node.kind == Kind.ARTICLE]

    def content_sha256(self) -> str:
        """A fingerprint of everything stored for the provisions, for idempotent re-imports."""
        rows = [[n.key, n.kind, n.label, n.heading, n.text] for n in self.walk()]
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


# --- Words used in printed labels, per language --------------------------------------------

LABEL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        Kind.ARTICLE: "Article",
        Kind.CHAPTER: "Chapter",
        Kind.SECTION: "Section",
        Kind.TITLE: "Title",
        Kind.PREAMBLE: "Preamble",
        Kind.ANNEX: "Annex",
        "final": "Final clause",
    },
    "ar": {
        Kind.ARTICLE: "المادة",
        Kind.CHAPTER: "الفصل",
        Kind.SECTION: "الباب",
        Kind.TITLE: "الجزء",
        Kind.PREAMBLE: "الديباجة",
        Kind.ANNEX: "المرفق",
        "final": "الختام",
    },
    "fr": {
        Kind.ARTICLE: "Article",
        Kind.CHAPTER: "Chapitre",
        Kind.SECTION: "Section",
        Kind.TITLE: "Titre",
        Kind.PREAMBLE: "Préambule",
        Kind.ANNEX: "Annexe",
        "final": "Clause finale",
    },
    "es": {
        Kind.ARTICLE: "Artículo",
        Kind.CHAPTER: "Capítulo",
        Kind.SECTION: "Sección",
        Kind.TITLE: "Título",
        Kind.PREAMBLE: "Preámbulo",
        Kind.ANNEX: "Anexo",
        "final": "Cláusula final",
    },
    "ru": {
        Kind.ARTICLE: "Статья",
        Kind.CHAPTER: "Глава",
        Kind.SECTION: "Раздел",
        Kind.TITLE: "Часть",
        Kind.PREAMBLE: "Преамбула",
        Kind.ANNEX: "Приложение",
        "final": "Заключительная часть",
    },
    # Chinese puts the number inside the word: 第七条, 第二章 ("{}" is the number).
    "zh": {
        Kind.ARTICLE: "第{}条",
        Kind.CHAPTER: "第{}章",
        Kind.SECTION: "第{}节",
        Kind.TITLE: "第{}编",
        Kind.PREAMBLE: "序言",
        Kind.ANNEX: "附件",
        "final": "最后条款",
    },
}


def _numbered_label(word: str, number: str) -> str:
    """ "Article" and "7" -> "Article 7"; "第{}条" and "7" -> "第七条"."""
    if "{}" not in word:
        return f"{word} {number}"
    return word.format(int_to_chinese(int(number)) if number.isdigit() else number)


def _words(language: str) -> dict[str, str]:
    return LABEL_WORDS.get(language.split("-")[0], LABEL_WORDS["en"])


def finalize(document: Document, *, allow_gaps: bool = False) -> Document:
    """Normalise text to NFC, check numbering, assign keys and labels. Raises TreatyFormatError."""
    for node in document.walk():
        node.text = unicodedata.normalize("NFC", node.text.strip())
        node.heading = unicodedata.normalize("NFC", node.heading.strip())
    document.title = unicodedata.normalize("NFC", document.title.strip())
    document.front_matter = [unicodedata.normalize("NFC", line.strip()) for line in document.front_matter]
    _check_article_numbering(document, allow_gaps=allow_gaps)
    words = _words(document.language)
    checks = document.check_list_numbering
    annexes = [n for n in document.nodes if n.kind == Kind.ANNEX]
    # The closing formula is the last top-level node, though annexes may follow it.
    last_index = max((i for i, n in enumerate(document.nodes) if n.kind != Kind.ANNEX), default=-1)
    for index, node in enumerate(document.nodes):
        if node.kind == Kind.PREAMBLE:
            _assign(node, words, key="pre", label=words[Kind.PREAMBLE], check_lists=checks)
        elif node.kind == Kind.ANNEX:
            key = "annex" if len(annexes) == 1 else f"annex-{annexes.index(node) + 1}"
            _assign(
                node,
                words,
                key=key,
                label=f"{words[Kind.ANNEX]} {node.marker or node.number}".strip(),
                check_lists=checks,
            )
        elif node.kind == Kind.TEXT and index == last_index and document.articles():
            # The closing formula after the last article ("IN WITNESS WHEREOF ...").
            _assign(node, words, key="final", label=words["final"], check_lists=checks)
        elif node.kind in (Kind.CHAPTER, Kind.ARTICLE, Kind.TITLE):
            # EU-style texts put titles at the top (TITLE III, Chapter 2 inside it).
            _assign(node, words, check_lists=checks)
        else:
            raise TreatyFormatError(node.line, f"a {node.kind} cannot stand outside an article here")
    _check_unique_keys(document)
    return document


def _assign(
    node: Node,
    words: dict[str, str],
    parent: Node | None = None,
    key: str = "",
    label: str = "",
    *,
    check_lists: bool = True,
) -> None:
    """Give `node` its key and label (derived from its parent's unless given), then its children's."""
    if not key:
        key, label = _key_and_label(node, parent, words)
    node.key, node.label = key, label
    if check_lists:
        _check_sibling_numbering(node)
    unnumbered = 0
    for position, child in enumerate(node.children, start=1):
        if node.kind == Kind.PREAMBLE and child.number:
            # Recitals printed with numbers keep them: "(12a)" is pre.12a (DESIGN §3).
            child.kind = Kind.RECITAL
            _assign(
                child,
                words,
                node,
                key=f"{key}.{child.number}",
                label=f"{label} ({child.number})",
                check_lists=check_lists,
            )
        elif node.kind == Kind.PREAMBLE and not any(c.number for c in node.children):
            child.kind = Kind.RECITAL
            _assign(
                child,
                words,
                node,
                key=f"{key}.{position}",
                label=f"{label} ({position})",
                check_lists=check_lists,
            )
        elif child.number:
            _assign(child, words, node, check_lists=check_lists)
        else:
            # A block without a number after the parent's own text (which the parser stores on
            # the parent itself): the closing line after a list. `~N` on the parent's key.
            unnumbered += 1
            child.kind = Kind.TEXT
            _assign(child, words, node, key=f"{key}~{unnumbered}", label=label, check_lists=check_lists)


def _key_and_label(node: Node, parent: Node | None, words: dict[str, str]) -> tuple[str, str]:
    if node.kind == Kind.ARTICLE:
        # Articles are numbered through the whole treaty: their key ignores chapters. The label
        # keeps the number as printed ("Article 6 bis"); the key drops spaces ("art-6bis").
        return f"art-{node.number}", _numbered_label(words[Kind.ARTICLE], printed_article_number(node.number))
    if node.kind in (Kind.CHAPTER, Kind.SECTION, Kind.TITLE):
        own = f"{KEY_PREFIX[node.kind]}{node.number}"
        if "{}" in words[node.kind]:
            printed = (
                node.marker
                if node.marker.startswith("第")
                else _numbered_label(words[node.kind], node.number)
            )
        else:
            printed = f"{words[node.kind]} {node.marker or node.number}"
        if parent is None or parent.kind not in (Kind.CHAPTER, Kind.SECTION, Kind.TITLE, Kind.ANNEX):
            return own, printed
        return f"{parent.key}.{own}", f"{parent.label}, {printed}"
    if parent is None or parent.kind in (Kind.CHAPTER, Kind.SECTION, Kind.TITLE):
        raise TreatyFormatError(
            node.line, f"a numbered {node.kind} ({node.marker}) must be inside an article"
        )
    # Paragraphs, subparagraphs and items: Article 6(1)(a)(ii), with the marker as printed.
    printed_number = node.marker.strip(MARKER_PUNCTUATION) or node.number
    return f"{parent.key}.{node.number}", f"{parent.label}({printed_number})"


def int_to_chinese(number: int) -> str:
    """12 -> "十二", 20 -> "二十", 102 -> "一百零二": how Chinese labels print article numbers."""
    names = "零一二三四五六七八九"
    if number < 10:
        return names[number]
    if number < 20:
        return "十" + (names[number - 10] if number > 10 else "")
    if number < 100:
        tens, units = divmod(number, 10)
        return names[tens] + "十" + (names[units] if units else "")
    hundreds, rest = divmod(number, 100)
    if not rest:
        return names[hundreds] + "百"
    if rest < 10:
        return names[hundreds] + "百零" + names[rest]
    # After hundreds the tens are spoken in full: 一百一十五, not 一百十五.
    return names[hundreds] + "百" + ("一" if rest < 20 else "") + int_to_chinese(rest)


# What surrounds a number in a printed marker: "1.", "a)", "(i)", "’1’", "1 -".
MARKER_PUNCTUATION = " .)(-–’‘'‏‎、．（）"


ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_to_int(numeral: str) -> int:
    total = 0
    values = [ROMAN[c] for c in numeral.lower()]
    for value, following in zip(values, [*values[1:], 0], strict=True):
        total += -value if value < following else value
    return total


def ordinal(kind: str, number: str) -> int | None:
    """Position of a number in its sequence (a=1, ii=2, 3=3), or None if it has no order."""
    if number.isdigit():
        return int(number)
    if kind == Kind.ITEM and number and set(number) <= set(ROMAN):
        return roman_to_int(number)
    if len(number) == 1 and "a" <= number <= "z":
        return ord(number) - ord("a") + 1
    if len(number) == 2 and number[0] == number[1] and "a" <= number[0] <= "z":
        return 26 + ord(number[0]) - ord("a") + 1  # aa, bb, ... after z
    return None


def _check_sibling_numbering(parent: Node) -> None:
    """Numbered children of one kind must run 1, 2, 3 ... (or a, b, c / i, ii, iii) without gaps."""
    expected: dict[str, int] = {}
    for child in parent.children:
        if not child.number or child.kind in (Kind.ARTICLE, Kind.RECITAL):
            continue  # articles are checked across the whole treaty
        position = ordinal(child.kind, child.number)
        if position is None:
            continue
        want = expected.get(child.kind, 1)
        if position != want:
            problem = "duplicate" if position < want else "gap in the numbering"
            raise TreatyFormatError(
                child.line,
                f"{problem}: {child.kind} {child.marker or child.number} where number {want} was expected"
                f" in {parent.label or parent.kind}",
            )
        expected[child.kind] = want + 1


def _check_article_numbering(document: Document, *, allow_gaps: bool) -> None:
    """Article numbers as printed (7, 4a, 6 bis) run in order without duplicates; without
    `allow_gaps` they also run without gaps: 4, 4a, 4b, 5 is fine, 4, 6 or 4a, 4c is not."""
    previous: Node | None = None
    seen: dict[str, Node] = {}
    for article in document.articles():
        position = article_position(article.number)
        if position is None:
            raise TreatyFormatError(
                article.line, f"article number {article.marker or article.number!r} is not a number"
            )
        if article.number in seen:
            raise TreatyFormatError(
                article.line,
                f"duplicate article number {article.number} (also on line {seen[article.number].line})",
            )
        if previous is not None:
            before = article_position(previous.number)
            assert before is not None
            if position < before:
                raise TreatyFormatError(
                    article.line,
                    f"Article {printed_article_number(article.number)} comes after Article"
                    f" {printed_article_number(previous.number)}: articles must be in order",
                )
            missing = missing_articles(before, position, latin=article.number.endswith(LATIN_SUFFIXES))
            if missing and not allow_gaps:
                raise TreatyFormatError(
                    article.line,
                    f"gap in the article numbering: Article {printed_article_number(article.number)} follows"
                    f" Article {printed_article_number(previous.number)}; missing: {', '.join(missing)}"
                    " (pass --allow-gaps if the draft is printed so)",
                )
        seen[article.number] = article
        previous = article
    if not seen:
        raise TreatyFormatError(None, "no article found: a treaty text needs at least one 'Article N'")


# Latin suffixes of inserted articles, in order: Article 6 bis, 6 ter, ...
LATIN_SUFFIXES = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")


def article_position(number: str) -> tuple[int, int] | None:
    """(number, suffix position) of a normalised article number: "4" (4, 0), "4a" (4, 1),
    "6bis" (6, 1), "16aa" (16, 27); None when it is not an article number."""
    digits = number[: len(number) - len(number.lstrip("0123456789"))]
    suffix = number[len(digits) :]
    if not digits:
        return None
    if not suffix:
        return int(digits), 0
    if suffix in LATIN_SUFFIXES:
        return int(digits), LATIN_SUFFIXES.index(suffix) + 1
    letter = ordinal(Kind.SUBPARAGRAPH, suffix)
    return (int(digits), letter) if letter is not None else None


def printed_article_number(number: str) -> str:
    """ "6bis" is printed "6 bis"; "4a" stays "4a"."""
    if number.endswith(LATIN_SUFFIXES):
        digits = number.rstrip("abcdefghijklmnopqrstuvwxyz")
        return f"{digits} {number[len(digits) :]}"
    return number


def _article_name(number: int, suffix: int, latin: bool) -> str:
    if not suffix:
        return f"Article {number}"
    if latin:
        return f"Article {number} {LATIN_SUFFIXES[suffix - 1]}"
    return (
        f"Article {number}{chr(ord('a') + suffix - 1) if suffix <= 26 else chr(ord('a') + suffix - 27) * 2}"
    )


def missing_articles(before: tuple[int, int], after: tuple[int, int], *, latin: bool = False) -> list[str]:
    """The article numbers between two printed ones that a gapless numbering would have."""
    (base, suffix), (new_base, new_suffix) = before, after
    if new_base == base:
        return [_article_name(base, s, latin) for s in range(suffix + 1, new_suffix)]
    missing = [_article_name(n, 0, latin) for n in range(base + 1, new_base)]
    missing += [_article_name(new_base, s, latin) for s in range(0, new_suffix)]
    return missing


def _check_unique_keys(document: Document) -> None:
    seen: dict[str, Node] = {}
    for node in document.walk():
        if node.key in seen:
            raise TreatyFormatError(
                node.line, f"{node.label} appears twice (also on line {seen[node.key].line})"
            )
        seen[node.key] = node

"""Undoing the page layout of text copied out of a PDF: running headers and footers, and words
hyphenated at the end of a line."""

from __future__ import annotations

import re

_SYMBOL = r"[A-Z]{1,4}(?:/[A-Z0-9][A-Za-z0-9.\-]*){2,}"  # A/RES/79/243, A/AC.291/L.15
_SERIES = r"C?ETS(?:\s+No\.)?\s*\d{1,3}"  # ETS 185, CETS No. 185
_JOB = r"(?:[A-Z]\.)?\d{2}-\d{5}(?:\s*\([A-Z]\))?"  # 24-24303, V.24-12345 (E)
_PAGE_OF = r"\d{1,4}\s*/\s*\d{1,4}"  # 5/41
_PAGE_FURNITURE = re.compile(
    rf"^(?:{_SYMBOL}|{_SERIES}|{_JOB}|{_JOB}\s+{_PAGE_OF}|{_PAGE_OF}\s+{_JOB}|{_SYMBOL}\s+{_PAGE_OF}"
    rf"|{_PAGE_OF}\s+{_SYMBOL}|[0-9٠-٩]{{1,4}}|[-–]\s*\d{{1,4}}\s*[-–]|[Pp]age\s+\d{{1,4}}(?:\s+of\s+\d{{1,4}})?)$"
)
_LINE_END_HYPHEN = re.compile(r"(\w+(?:-\w+)*)-$")
_LEADING_WORD = re.compile(r"\w+(?:-\w+)*")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")
_WORD = re.compile(r"\w+")


def is_page_furniture(line: str) -> bool:
    """A running header or footer: a document symbol, a page mark ("24-24303  5/41"), a page number."""
    return bool(_PAGE_FURNITURE.match(line.strip()))


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and char.isascii()


class LineJoiner:
    """Joins the lines of a wrapped block with spaces, undoing hyphenation at line ends.

    "inter-" + "ception" is "interception", but "co-" + "operation" stays "co-operation" when the
    document prints "co-operation" unbroken elsewhere: the document's own spelling decides.
    """

    def __init__(self, lines: list[str]) -> None:
        text = "\n".join(lines)
        self._compounds = {word.casefold() for word in _COMPOUND.findall(text)}
        self._words = {word.casefold() for word in _WORD.findall(text)}

    def __call__(self, fragments: list[str]) -> str:
        text = fragments[0]
        for fragment in fragments[1:]:
            text = self._join(text, fragment)
        return text

    def _join(self, text: str, fragment: str) -> str:
        end = _LINE_END_HYPHEN.search(text)
        start = _LEADING_WORD.match(fragment)
        if end is None or start is None:
            return f"{text} {fragment}"
        if self._keeps_hyphen(end.group(1), start.group()):
            return text + fragment
        return text[:-1] + fragment

    def _keeps_hyphen(self, before: str, after: str) -> bool:
        if not (_is_latin_letter(before[-1]) and _is_latin_letter(after[0])):
            return True  # "1950-1966", or a script that does not hyphenate words
        if after[0].isupper():
            return True  # "non-European"
        if f"{before}-{after}".casefold() in self._compounds:
            return True
        if (before.rsplit("-", 1)[-1] + after.split("-", 1)[0]).casefold() in self._words:
            return False
        # Unseen either way: a word already hyphenated ("seven-day-a-week") keeps it; a plain
        # word was broken by the typesetter.
        return "-" in before or "-" in after

"""Render a treaty as the plain text one copies out of an official PDF, for the text importer's tests.

The text is wrapped at about 80 columns (the parser must join the lines again), some long words
are hyphenated at line ends and a compound such as "co-operation" is broken at its own hyphen
(the parser must remove the first kind of hyphen and keep the second), running headers and footers
are added every ~50 lines (to be dropped), and markers come in the different printed styles:
"(a)", "a)" and "a."; "Article 7 – Heading", "Article 7" with the heading on the next line,
"Article 7. Heading", "Article 7: Heading"; "CHAPTER II" with its title on the next line.

Page breaks only fall where a reader of the extracted text can still tell whether a block ends
there (`_page_break_allowed`); elsewhere a break is ambiguous in a real PDF too.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass

from treaty.importers.detect import parse
from treaty.importers.markers import ends_sentence, match_heading, match_number
from treaty.importers.tree import Document, Node
from treaty.models import Provision

Kind = Provision.Kind

DOCUMENT_SYMBOL = "ETS 185"
JOB_NUMBER = "24-24303"
_LONG_WORD = re.compile(r"^([a-z]{10,})(\W*)$")
_COMPOUND = re.compile(r"^([a-z]+)-([a-z][a-z-]*)(\W*)$")


@dataclass(frozen=True)
class RenderedText:
    text: str
    furniture: frozenset[int]  # 1-based numbers of the lines that are page headers, footers, numbers


@dataclass
class _Block:
    lines: list[str]
    marked: bool  # starts with a heading or a number (no blank line before it when blank_lines=False)


def render_pdf_text(
    source: Document | str, *, blank_lines: bool = True, width: int = 80, page_length: int = 50
) -> RenderedText:
    """PDF-style text of `source` (a Document, or Markdown to parse first).

    With `blank_lines=False` blocks that start with a marker follow the previous line directly;
    unnumbered blocks (recitals, closing lines) keep their blank line, as nothing else shows
    where they begin.
    """
    document = parse(source, format="markdown") if isinstance(source, str) else source
    renderer = _Renderer(document, width)
    lines: list[str] = []
    for block in renderer.blocks():
        if lines and (blank_lines or not block.marked):
            lines.append("")
        lines.extend(block.lines)
    return _paginate(lines, page_length)


class _Renderer:
    def __init__(self, document: Document, width: int) -> None:
        self._document = document
        self._width = width
        words = " ".join(node.text for node in document.walk()).split()
        self._compounds = Counter(word.strip(",.;:()\"'") for word in words if "-" in word)
        self._broken_compounds: set[str] = set()
        self._line_breaks = 0

    def blocks(self) -> list[_Block]:
        document = self._document
        blocks = [_Block(self._wrap(document.title), False)]
        blocks += [_Block(self._wrap(entry), False) for entry in document.front_matter]
        for node in document.nodes:
            blocks += self._node_blocks(node, article=None)
        return blocks

    def _node_blocks(self, node: Node, article: Node | None) -> list[_Block]:
        if node.kind == Kind.ARTICLE:
            article = node
        blocks = self._own_blocks(node, article)
        for child in node.children:
            blocks += self._node_blocks(child, article)
        return blocks

    def _own_blocks(self, node: Node, article: Node | None) -> list[_Block]:
        number = int(node.number) if node.number.isdigit() else 0
        if node.kind == Kind.PREAMBLE:
            return [_Block([node.heading], True)]
        if node.kind in (Kind.CHAPTER, Kind.SECTION, Kind.TITLE):
            word = {Kind.CHAPTER: "CHAPTER", Kind.SECTION: "SECTION", Kind.TITLE: "TITLE"}[node.kind]
            if number % 2 == 0:  # the title on the next line(s)
                return [_Block([f"{word} {node.marker}", *self._wrap(node.heading)], True)]
            return [_Block(self._wrap(f"{word} {node.marker} – {node.heading}"), True)]
        if node.kind == Kind.ARTICLE:
            style = number % 4
            if style == 1:
                lines = [f"Article {node.number}", *self._wrap(node.heading)]
            else:
                separator = {0: " –", 2: ".", 3: ":"}[style]
                lines = self._wrap(f"Article {node.number}{separator} {node.heading}")
            lead_in = [_Block(self._wrap(node.text), False)] if node.text else []
            return [_Block(lines, True), *lead_in]
        if node.kind in (Kind.PARAGRAPH, Kind.SUBPARAGRAPH, Kind.ITEM):
            marker = self._marker(node, article)
            return [_Block(self._wrap(f"{marker} {node.text}".strip()), True)]
        return [_Block(self._wrap(node.text), False)]  # recitals, closing lines, the closing formula

    @staticmethod
    def _marker(node: Node, article: Node | None) -> str:
        style = int(article.number) if article else 0
        if node.kind == Kind.PARAGRAPH:
            return f"{node.number}."
        if node.kind == Kind.SUBPARAGRAPH:
            return [f"({node.number})", f"{node.number})", f"{node.number}."][style % 3]
        return [f"({node.number})", f"{node.number})"][style % 2]

    def _wrap(self, text: str) -> list[str]:
        lines = textwrap.wrap(text, self._width, break_on_hyphens=False, break_long_words=False)
        for index in range(1, len(lines)):
            self._line_breaks += 1
            lines[index - 1], lines[index] = self._hyphenate(lines[index - 1], lines[index])
        return lines

    def _hyphenate(self, line: str, following: str) -> tuple[str, str]:
        """Break a word across the line end, as a typesetter would: "inter-" / "ception"."""
        head, _, last = line.rpartition(" ")
        compound = _COMPOUND.match(last)
        if head and compound:
            whole = f"{compound[1]}-{compound[2]}"
            # Once per compound that the text prints more than once: elsewhere it stays unbroken.
            if self._compounds[whole] >= 2 and whole not in self._broken_compounds:
                self._broken_compounds.add(whole)
                return f"{head} {compound[1]}-", f"{compound[2]}{compound[3]} {following}"
        first, _, rest = following.partition(" ")
        long_word = _LONG_WORD.match(first)
        room = self._width - len(line) - 2  # for the space and the hyphen
        if long_word and room >= 3 and len(long_word[1]) - room >= 3 and self._line_breaks % 2 == 0:
            word = long_word[1]
            return f"{line} {word[:room]}-", f"{word[room:]}{long_word[2]} {rest}".strip()
        return line, following


def _paginate(lines: list[str], page_length: int) -> RenderedText:
    pages = len(lines) // page_length + 2
    output: list[str] = []
    furniture: set[int] = set()
    page = 1
    since_break = 0
    for index, line in enumerate(lines):
        if since_break >= page_length and _page_break_allowed(lines, index):
            for extra in _page_furniture(page, pages):
                output.append(extra)
                if extra:
                    furniture.add(len(output))
            page += 1
            since_break = 0
        output.append(line)
        since_break += 1
    return RenderedText("\n".join(output) + "\n", frozenset(furniture))


def _page_break_allowed(lines: list[str], index: int) -> bool:
    """Break before lines[index] only where the text still shows whether a block ends there.

    Inside a sentence (the next line goes on in lower case), or before a marker, or between a
    sentence end and a capital: the importer reads a page break by these signs, not by the blank
    lines around page headers, which a PDF puts anywhere.
    """
    before, line = lines[index - 1], lines[index]
    if not line:
        return False
    if match_heading(line) or match_number(line):
        return True
    if before == "":
        return ends_sentence(lines[index - 2]) and line[:1].isupper()
    return not ends_sentence(before) and line[:1].islower()


def _page_furniture(page: int, pages: int) -> list[str]:
    """The footer of `page` and the header of the next one, in turn in each of the usual forms."""
    if page % 3 == 1:
        return ["", f"{JOB_NUMBER}  {page}/{pages}", "", DOCUMENT_SYMBOL, ""]
    if page % 3 == 2:
        return ["", f"{page}/{pages}  {JOB_NUMBER}", "\f" + DOCUMENT_SYMBOL]
    return [str(page)]

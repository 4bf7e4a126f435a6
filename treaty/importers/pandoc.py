"""Markdown converted from Word by pandoc, as the EU AI Act drafts in ../shared/data/eu_ai_act.

The layout (escapes, spans, emphasis, raw HTML) is undone by `pandoc_layout`; what remains is
read in the drafting style of negotiated EU texts:

- the preamble: citations ("Having regard to ..."), "Whereas:", recitals printed `(12)` or
  `(12a)` (key `pre.12a`), and "HAVE ADOPTED THIS REGULATION:"; a recital split at a page break
  (the next block starts in lower case) is joined again;
- `# TITLE III` (key `tit-3`, `TITLE IA` is `tit-1a`), `## [Chapter 2]` or `# CHAPTER 1A` inside
  it, and the heading lines that follow them (`# CLASSIFICATION OF ...`), which are their titles;
- `*Article 4a*`, `*Article 24 [deleted]*`, with the article heading after the number or on the
  next emphasised line; `### ANNEX IV`; the closing "This Regulation shall be binding ...";
- inside an article or annex: paragraphs `1.`, `(1)`, `-1a.`; points `a.`, `(a)`, `(ea)`; items
  `i.`, `(ii)`; dashes and unnumbered blocks. Pandoc renumbers Word's lists, so a number that does
  not follow its siblings is kept as printed in an unnumbered block (`~N`) instead of being trusted;
- a lead-in placed before the heading it belongs under ("This Regulation lays down:" above
  "Article 1") is read under that heading.

Every word of the source lands in exactly one provision; a block that cannot be placed stops the
import with its line number.
"""

from __future__ import annotations

import re

from treaty.importers.markers import ARTICLE_NUMBER, DELETED, ends_sentence
from treaty.importers.numbering import is_roman
from treaty.importers.pandoc_layout import Block, read_blocks
from treaty.importers.source import source_lines
from treaty.importers.tree import Document, Node, TreatyFormatError, article_position, ordinal, roman_to_int
from treaty.models import Provision

Kind = Provision.Kind

_ARTICLE = re.compile(
    rf"^Article\s+(?P<number>{ARTICLE_NUMBER})(?:\s*(?P<deleted>{DELETED}))?\s*(?P<heading>.*)$"
)
_TITLE = re.compile(r"^TITLE\s+(?P<number>[IVXLC]+)(?P<suffix>[A-Z]?)\b\s*(?P<heading>.*)$")
_CHAPTER = re.compile(r"^(?:CHAPTER|Chapter)\s+(?P<number>\d{1,2})(?P<suffix>[A-Za-z]?)\b\s*(?P<heading>.*)$")
_ANNEX = re.compile(r"^ANNEX\s+(?P<number>[IVXLC]+)(?P<suffix>[a-z]?)\b\s*(?P<heading>.*)$")
_RECITAL = re.compile(r"^\(?(?P<number>-?\d{1,3}[a-z]{0,2})\)\s*(?P<text>.*)$")
_PARAGRAPH = re.compile(r"^(?P<marker>\(?(?P<number>-?\d{1,3}[a-z]{0,2})[.)]?)(?:\s+(?P<text>.*))?$")
_LETTERED = re.compile(r"^(?P<marker>\(?(?P<number>[a-z]{1,3})[.)])(?:\s+(?P<text>.*))?$")
_DASH = re.compile(r"^[-–—•]\s+\S")
_CLOSING = re.compile(r"^(?:This Regulation shall be binding in its entirety|Done at )")
_FINANCIAL_STATEMENT = "LEGISLATIVE FINANCIAL STATEMENT"


def parse_pandoc(source: str, *, language: str = "en") -> Document:
    """Read pandoc-converted Markdown into a Document (not yet finalised: see `detect.parse`)."""
    blocks = _lead_ins_under_their_heading(read_blocks(source_lines(source)))
    return _Reader(language).read(blocks)


def _is_article_heading(block: Block) -> bool:
    return (block.emphasised or block.heading_level > 0) and bool(_ARTICLE.match(block.text))


def _lead_ins_under_their_heading(blocks: list[Block]) -> list[Block]:
    """Swap a lead-in ("... applies to:") with the article heading right after it.

    Word put it above the heading; the list it announces comes under the heading, so that is where
    it is read. Only a block ending with ":" followed by a list item is moved.
    """
    result = list(blocks)
    for index in range(len(result) - 2):
        block, heading, following = result[index], result[index + 1], result[index + 2]
        if (
            not block.heading_level
            and not _is_article_heading(block)
            and block.text.endswith(":")
            and _is_article_heading(heading)
            and _ARTICLE.match(heading.text)["heading"]  # type: ignore[index]
            and (_LETTERED.match(following.text) or _PARAGRAPH.match(following.text))
        ):
            result[index], result[index + 1] = heading, block
    return result


def _letters_position(letters: str) -> tuple[int, int]:
    """(a) is (1, 0), (ea) inserted after (e) is (5, 1): EU drafting inserts by suffixing."""
    first = ord(letters[0]) - ord("a") + 1
    rest = ordinal(Kind.SUBPARAGRAPH, letters[1:]) or 0 if len(letters) > 1 else 0
    return first, rest


def _number_position(number: str) -> tuple[int, int]:
    negative = number.startswith("-")
    position = article_position(number.lstrip("-")) or (0, 0)
    return (-position[0], position[1]) if negative else position


class _Reader:
    def __init__(self, language: str) -> None:
        self.document = Document(nodes=[], language=language, check_list_numbering=False)
        self.preamble: Node | None = None
        self.title: Node | None = None
        self.chapter: Node | None = None
        self.heading_open: Node | None = None  # a title/chapter/annex still taking heading lines
        self.container: Node | None = None  # the article, annex or closing formula being read
        self.paragraph: Node | None = None
        self.point: Node | None = None
        self.last: Node | None = None  # the last block placed: continuation lines go there
        self.parents: dict[int, Node] = {}
        self.final: Node | None = None
        self.awaiting_article_heading: Node | None = None

    # --- the walk ----------------------------------------------------------------------------

    def read(self, blocks: list[Block]) -> Document:
        for block in blocks:
            self._read(block)
        if self.preamble is not None and not self.preamble.children and not self.preamble.text:
            self.document.nodes.remove(self.preamble)
        return self.document

    def _read(self, block: Block) -> None:
        text = block.text
        if self.awaiting_article_heading is not None:
            article, self.awaiting_article_heading = self.awaiting_article_heading, None
            if block.emphasised and not _ARTICLE.match(text):
                article.heading = text
                return
        if _is_article_heading(block):
            self._start_article(block)
            return
        if self._read_structural_heading(block):
            return
        if block.heading_level:
            self._read_heading_line(block)
            return
        if self.container is None and self.heading_open is None and self.title is None:
            self._read_preamble(block)
            return
        if self._starts_final(text):
            self._start_final(block)
            return
        if self.container is None:
            if self.heading_open is not None:
                self._extend_heading(self.heading_open, text)
                return
            raise TreatyFormatError(
                block.line, f"{text[:60]!r} cannot be placed: it is not inside an article"
            )
        self._read_body(block)

    # --- preamble ----------------------------------------------------------------------------

    def _read_preamble(self, block: Block) -> None:
        if self.preamble is None:
            self.preamble = Node(Kind.PREAMBLE, block.line)
            self.document.nodes.append(self.preamble)
        recital = _RECITAL.match(block.text)
        numbers = {child.number for child in self.preamble.children}
        if recital and recital["number"] not in numbers:
            node = Node(
                Kind.RECITAL, block.line, recital["number"], f"({recital['number']})", text=recital["text"]
            )
            self._attach(self.preamble, node)
        elif self._continues(block.text) or self._recital_goes_on():
            self._continue(block.text)
        else:
            # Citations, "Whereas:", "HAVE ADOPTED THIS REGULATION:" (keys pre~1, pre~2 ...).
            node = Node(Kind.RECITAL, block.line, text=block.text)
            self._attach(self.preamble, node)

    def _recital_goes_on(self) -> bool:
        """A recital cut mid-sentence by a page break goes on in the next block, whatever its first
        letter ("... of the European Parliament and of the" / "Council and Regulation ...")."""
        last = self.last
        return (
            last is not None
            and last.kind == Kind.RECITAL
            and bool(last.number)
            and not ends_sentence(last.text)
            and not last.text.rstrip().endswith(",")
        )

    # --- headings ----------------------------------------------------------------------------

    def _read_structural_heading(self, block: Block) -> bool:
        text = block.text
        if title := _TITLE.match(text):
            if not block.heading_level and not text.isupper():
                return False
            number = str(roman_to_int(title["number"])) + title["suffix"].lower()
            node = Node(
                Kind.TITLE, block.line, number, title["number"] + title["suffix"], heading=title["heading"]
            )
            self._top_level(node, block)
            self.title, self.chapter, self.heading_open = node, None, node
            return True
        if (chapter := _CHAPTER.match(text)) and block.heading_level:
            number = chapter["number"] + chapter["suffix"].lower()
            node = Node(
                Kind.CHAPTER,
                block.line,
                number,
                chapter["number"] + chapter["suffix"],
                heading=chapter["heading"],
            )
            self._close_container()
            if self.title is None:
                self._top_level(node, block)
            else:
                self._attach(self.title, node)
            self.chapter, self.heading_open = node, node
            return True
        annex = _ANNEX.match(text)
        # "### ANNEX IV", or "ANNEX VIIIa" alone on its line (the French Presidency text).
        if annex and (block.heading_level or not annex["heading"]) and (self.container or self.final):
            number = str(roman_to_int(annex["number"])) + annex["suffix"]
            marker = annex["number"] + annex["suffix"]
            node = Node(Kind.ANNEX, block.line, number, marker, heading=annex["heading"])
            self._start_annex(node, block)
            return True
        if text == _FINANCIAL_STATEMENT and (self.final is not None or self.container is not None):
            # The Commission proposal's financial statement: not part of the act, but its words
            # are in the file, so it is read as an annex of its own.
            self._start_annex(Node(Kind.ANNEX, block.line, heading=text), block)
            return True
        return False

    def _top_level(self, node: Node, block: Block) -> None:
        if self.final is not None:
            raise TreatyFormatError(block.line, f"{block.text!r} comes after the closing formula")
        self._close_container()
        self.document.nodes.append(node)

    def _start_annex(self, node: Node, block: Block) -> None:
        self._close_container()
        self.document.nodes.append(node)
        self.title = self.chapter = None
        self.container, self.heading_open = node, (None if node.heading else node)
        self.last = node

    def _read_heading_line(self, block: Block) -> None:
        """A `#` line without a marker: the title of the heading above it, or a heading inside an annex."""
        if not block.text:
            return  # "#  {#title-iva}": an empty heading that only carried an anchor
        if self.heading_open is not None and (self.container is None or self.container is self.heading_open):
            self._extend_heading(self.heading_open, block.text)
            if self.container is self.heading_open:
                self.heading_open = None
            return
        if self.container is not None:
            self._read_body(block)
            return
        raise TreatyFormatError(
            block.line, f"heading {block.text!r} cannot be placed: no title, chapter or annex above it"
        )

    def _extend_heading(self, node: Node, text: str) -> None:
        node.heading = f"{node.heading} {text}".strip()

    def _start_article(self, block: Block) -> None:
        match = _ARTICLE.match(block.text)
        assert match is not None
        if self.final is not None:
            raise TreatyFormatError(block.line, f"{block.text!r} comes after the closing formula")
        number = match["number"].replace(" ", "").lower()
        node = Node(Kind.ARTICLE, block.line, number, f"Article {match['number']}", heading=match["heading"])
        parent = self.chapter or self.title
        self._close_container()
        if parent is None:
            self.document.nodes.append(node)
        else:
            self._attach(parent, node)
        self.container, self.heading_open, self.last = node, None, node
        if match["deleted"]:
            node.text = match["deleted"]  # "Article 24 [deleted]": the placeholder's text as printed
            node.text_line = block.line
        elif not match["heading"]:
            self.awaiting_article_heading = node

    def _starts_final(self, text: str) -> bool:
        return (
            self.final is None
            and self.container is not None
            and self.container.kind == Kind.ARTICLE
            and bool(_CLOSING.match(text))
        )

    def _start_final(self, block: Block) -> None:
        self._close_container()
        self.final = Node(Kind.TEXT, block.line, text=block.text)
        self.document.nodes.append(self.final)
        self.title = self.chapter = None
        self.container = self.last = self.final

    def _close_container(self) -> None:
        self.container = self.paragraph = self.point = self.last = None
        self.heading_open = None

    # --- inside an article or annex ----------------------------------------------------------

    def _read_body(self, block: Block) -> None:
        container = self.container
        assert container is not None
        text = block.text
        if (
            self.heading_open is container
            and not container.heading
            and text.isupper()
            and not container.children
        ):
            container.heading, self.heading_open = text, None  # "ANNEX V" then "EU DECLARATION OF CONFORMITY"
            return
        self.heading_open = None
        if container is self.final:
            self._attach(container, Node(Kind.TEXT, block.line, text=text))
            return
        if self._continues(text):
            self._continue(text)
            return
        if self._read_numbered(block):
            return
        self._place_unnumbered(Node(Kind.TEXT, block.line, text=text))

    def _continues(self, text: str) -> bool:
        """A block that goes on mid-sentence: Word split the paragraph at a page break."""
        last = self.last
        if last is None or not text[:1].islower() or _LETTERED.match(text):
            return False
        previous = last.text or (last.heading if last.kind in (Kind.ARTICLE, Kind.ANNEX) else "")
        return bool(last.text) and not ends_sentence(previous)

    def _continue(self, text: str) -> None:
        assert self.last is not None
        self.last.text = f"{self.last.text} {text}"

    def _read_numbered(self, block: Block) -> bool:
        container = self.container
        assert container is not None
        if lettered := _LETTERED.match(block.text):
            number, marker, text = lettered["number"], lettered["marker"], lettered["text"] or ""
            if self._fits_item(number):
                assert self.point is not None
                node = Node(Kind.ITEM, block.line, number, marker, text=text)
                self._attach(self.point, node)
                self.last = node
                return True
            if len(number) <= 2 or not is_roman(number):
                for holder in (self.paragraph, container):
                    if holder is not None and self._fits(
                        holder, Kind.SUBPARAGRAPH, _letters_position(number)
                    ):
                        node = Node(Kind.SUBPARAGRAPH, block.line, number, marker, text=text)
                        self._attach(holder, node)
                        self.point = self.last = node
                        return True
            self._place_unnumbered(Node(Kind.TEXT, block.line, marker=marker, text=text))
            return True
        if paragraph := _PARAGRAPH.match(block.text):
            number, marker, text = paragraph["number"], paragraph["marker"], paragraph["text"] or ""
            if not marker.endswith((".", ")")) and not text[:1].isupper():
                return False  # "2020 the Commission ..." is a sentence, not a paragraph
            if self._fits(container, Kind.PARAGRAPH, _number_position(number)):
                node = Node(Kind.PARAGRAPH, block.line, number, marker, text=text)
                self._attach(container, node)
                self.paragraph, self.point, self.last = node, None, node
                return True
            self._place_unnumbered(Node(Kind.TEXT, block.line, marker=marker, text=text))
            return True
        return False

    def _fits_item(self, number: str) -> bool:
        if self.point is None or not is_roman(number) or not set(number) <= set("ivxl"):
            return False
        items = [child for child in self.point.children if child.kind == Kind.ITEM]
        if not items:
            return number == "i" and self.point.text.rstrip().endswith((":", "-", "—"))
        return roman_to_int(number) > roman_to_int(items[-1].number)

    def _fits(self, holder: Node, kind: str, position: tuple[int, int]) -> bool:
        """A number is trusted when it comes after its numbered siblings (pandoc renumbers lists)."""
        siblings = [child for child in holder.children if child.kind == kind and child.number]
        if not siblings:
            return True
        last = siblings[-1].number
        before = _letters_position(last) if kind == Kind.SUBPARAGRAPH else _number_position(last)
        return position > before

    def _place_unnumbered(self, node: Node) -> None:
        """An unnumbered block: the container's lead-in, an entry of a list announced with ":", or
        the line that closes the list before it (the same rules as `builder.TreeBuilder`)."""
        container, last = self.container, self.last
        assert container is not None
        if last is container and not container.text and not container.children and not node.marker:
            container.text, container.text_line = node.text, node.line
            return
        if last is None or last is container:
            parent = container
        elif last.kind == Kind.TEXT:
            parent = self.parents[id(last)]
        elif last.text.rstrip().endswith(":"):
            parent = last
        else:
            parent = self.parents[id(last)]
        self._attach(parent, node)
        self.last = node
        if parent is container:
            self.paragraph = self.point = None
        elif parent.kind == Kind.PARAGRAPH:
            self.point = None

    def _attach(self, parent: Node, node: Node) -> None:
        parent.children.append(node)
        self.parents[id(node)] = parent
        if node.kind != Kind.ARTICLE:
            self.last = node

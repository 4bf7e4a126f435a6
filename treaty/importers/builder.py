"""Placing printed blocks in the provision tree, the same way for every import format.

A parser reads lines and says where headings are; `TreeBuilder` decides where each line belongs:
whether it starts a block (a numbered provision, an unnumbered block, the closing formula) or
continues the open one, and under which provision a block goes (DESIGN §3):

- a numbered block goes under the provision that holds its list (items under their subparagraph,
  subparagraphs under their paragraph, or under the article when it has no paragraphs);
- the first unnumbered block of an article is the article's own text (its lead-in);
- a later unnumbered block closes the list it follows: after items (i), (ii) of 6(1)(a) it is a
  child of 6(1)(a); after subparagraphs a), b) of art. 8 it is a child of the article. After a
  lead-in that ends with ":" it is an entry of the list that lead-in announces (the dashes of
  art. 39(1) of the Budapest Convention), so it belongs to that provision instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from treaty.importers.markers import (
    LETTERED,
    HeadingLine,
    ends_sentence,
    is_bullet,
    is_closing_formula,
    match_number,
    mixed_script_heading,
    starts_lowercase,
)
from treaty.importers.tree import Document, Node, TreatyFormatError, article_position, ordinal
from treaty.models import Provision

Kind = Provision.Kind

# How the lines of one block become its text: a space for Markdown, hyphenation undone for PDF text.
Join = Callable[[list[str]], str]


@dataclass
class _Pending:
    """The block being read: its lines so far and where its text goes when it is complete."""

    fragments: list[str]
    node: Node | None  # None: the document title or a front-matter entry
    field: str  # "text", "heading", "title" or "front_matter"


class TreeBuilder:
    def __init__(self, *, language: str, join: Join) -> None:
        self.document = Document(nodes=[], language=language)
        self._join = join
        self._pending: _Pending | None = None
        self._parents: dict[int, Node] = {}  # id(node) -> parent, for closing lines
        self._title_claimed = False
        self._preamble: Node | None = None  # set while recitals are being read
        self._chapter: Node | None = None
        self._section: Node | None = None
        self._title: Node | None = None
        self._container: Node | None = None  # the article (or annex) whose blocks are being read
        self._paragraph: Node | None = None
        self._subparagraph: Node | None = None
        self._last_block: Node | None = None  # last block placed in the container (itself: its lead-in)
        self._last_article: Node | None = None
        self._final: Node | None = None
        self._annex_started = False

    # --- State the parsers consult -------------------------------------------------------------

    @property
    def has_structure(self) -> bool:
        """Whether the treaty text proper (preamble, chapters, articles) has begun."""
        return bool(self.document.nodes)

    @property
    def title_claimed(self) -> bool:
        return self._title_claimed

    @property
    def in_preamble(self) -> bool:
        return self._preamble is not None

    @property
    def pending_is_heading(self) -> bool:
        return self._pending is not None and self._pending.field == "heading"

    def pending_heading(self) -> str:
        """The heading read so far, while a heading is open (for deciding whether a line continues it)."""
        return " ".join(self._pending.fragments) if self._pending and self.pending_is_heading else ""

    def is_expected(self, kind: str, number: str) -> bool:
        """Whether `number` is the next one in its sequence (Article 7 after 6, (b) after (a) ...)."""
        if kind == Kind.PREAMBLE:
            return not self.has_structure
        if kind in (Kind.ARTICLE, Kind.CHAPTER) and not self._numbered_before(kind):
            return True  # a text may begin anywhere (the Arabic fixture has no Chapter I)
        if kind == Kind.ARTICLE and self._last_article is not None:
            last, new = article_position(self._last_article.number), article_position(number)
            return bool(last and new) and new in ((last[0], last[1] + 1), (last[0] + 1, 0))  # type: ignore[index]
        expected = self._expected_position(kind)
        return expected is not None and ordinal(kind, number) == expected

    # --- Lines and blocks ----------------------------------------------------------------------

    def add_line(self, line_number: int, line: str, *, new_block: bool, previous: str | None) -> None:
        """Place one line of body text: it starts a block, or continues the open one.

        `new_block` says the parser saw a block boundary (a blank line); `previous` is the line before.
        A number at the start of a line only starts a block after a boundary, after a sentence end,
        or when it is the next number expected: "... the offences in\\n(d) of ..." is a wrapped line.
        """
        if problem := mixed_script_heading(line):
            raise TreatyFormatError(line_number, problem)
        starts = new_block or self._pending is None or self.pending_is_heading
        after_sentence = previous is None or ends_sentence(previous)
        closing = (
            self._last_article is not None
            and not (self._final or self._annex_started)
            and is_closing_formula(line)
        )
        if (starts or after_sentence) and closing:
            self.start_final(line_number, line)
            return
        number_line = match_number(line)
        if number_line is not None:
            kind = self._resolve_lettered(number_line.kind, number_line.number)
            if starts or after_sentence or self.is_expected(kind, number_line.number):
                self.start_numbered(
                    kind, line_number, number_line.number, number_line.marker, number_line.text
                )
                return
        # Without blank lines, a recital still starts after a sentence end; the second one also with
        # a capital after the comma that ends the opening words ("The States Parties to this
        # Convention,\nNoting ..."); later recitals have commas and capitals inside ("sector,\nNo. R").
        recital = self._preamble is not None and (
            (after_sentence and not starts_lowercase(line))
            or (len(self._preamble.children) == 1 and (previous or "").endswith(",") and line[:1].isupper())
        )
        if starts or recital or (after_sentence and is_bullet(line)):
            self.start_unnumbered(line_number, line)
        else:
            self.append(line)

    def append(self, fragment: str) -> None:
        """Continue the open block (or heading) with the next line."""
        if self._pending is None:
            raise AssertionError("append() needs an open block")
        self._pending.fragments.append(fragment)

    def set_title(self, line_number: int, title: str) -> None:
        if self._title_claimed or self.has_structure:
            raise TreatyFormatError(
                line_number, f"a second document title {title!r}: only the first '#' heading is the title"
            )
        self.flush()
        self._title_claimed = True
        self.document.title = title

    def start_heading(self, heading: HeadingLine, line_number: int, printed: str) -> bool:
        """Open a heading; False when the line turned out to be front matter instead."""
        self.flush()
        kind = heading.kind
        if kind == Kind.ANNEX and self._last_article is None:
            # The "Annex" line of a resolution that adopts the treaty comes before the treaty itself.
            self.start_unnumbered(line_number, printed)
            return False
        if kind != Kind.ANNEX and (self._final or self._annex_started):
            after = "the closing formula" if self._final else "an annex"
            raise TreatyFormatError(line_number, f"{printed!r} comes after {after}; it must come before it")
        if kind == Kind.PREAMBLE:
            if self.has_structure:
                raise TreatyFormatError(
                    line_number, "the preamble must come before the chapters and articles"
                )
            self._preamble = Node(Kind.PREAMBLE, line_number, heading=heading.heading or printed)
            self.document.nodes.append(self._preamble)
            return True
        self._preamble = None
        node = Node(kind, line_number, heading.number, heading.marker)
        if kind == Kind.CHAPTER:
            self.document.nodes.append(node)
            self._chapter, self._section, self._title = node, None, None
        elif kind == Kind.SECTION:
            self._attach(self._required(self._chapter, line_number, printed, "a chapter"), node)
            self._section, self._title = node, None
        elif kind == Kind.TITLE:
            self._attach(
                self._required(self._section or self._chapter, line_number, printed, "a section"), node
            )
            self._title = node
        elif kind == Kind.ARTICLE:
            parent = self._title or self._section or self._chapter
            if parent is None:
                self.document.nodes.append(node)
            else:
                self._attach(parent, node)
            self._last_article = node
        else:  # an annex: its blocks are read like an article's
            self.document.nodes.append(node)
            self._chapter = self._section = self._title = self._final = None
            self._annex_started = True
        self._open_container(node if kind in (Kind.ARTICLE, Kind.ANNEX) else None)
        self._pending = _Pending([heading.heading] if heading.heading else [], node, "heading")
        if heading.deleted:
            # "Article 24 [deleted]": a placeholder whose text is exactly what is printed.
            node.text = heading.deleted
            self._last_block = node
        return True

    def start_numbered(self, kind: str, line_number: int, number: str, marker: str, text: str) -> None:
        self.flush()
        where = self._outside_articles()
        if where:
            raise TreatyFormatError(
                line_number, f"a numbered {kind} ({marker}) {where}; it must be inside an article"
            )
        container = self._container
        assert container is not None  # _outside_articles() said so
        node = Node(kind, line_number, number, marker)
        if kind == Kind.PARAGRAPH:
            self._attach(container, node)
            self._paragraph, self._subparagraph = node, None
        elif kind == Kind.SUBPARAGRAPH:
            self._attach(self._paragraph or container, node)
            self._subparagraph = node
        else:
            self._attach(self._subparagraph or self._paragraph or container, node)
        self._last_block = node
        self._pending = _Pending([text] if text else [], node, "text")

    def start_unnumbered(self, line_number: int, text: str) -> None:
        self.flush()
        if not self.has_structure:
            field = "front_matter" if self._title_claimed else "title"
            self._title_claimed = True
            self._pending = _Pending([text], None, field)
            return
        if self._final is not None:
            node = Node(Kind.TEXT, line_number)
            self._attach(self._final, node)
        elif self._preamble is not None:
            node = Node(Kind.RECITAL, line_number)
            self._attach(self._preamble, node)
        elif self._container is None:
            heading = self._title or self._section or self._chapter
            where = f"{heading.kind} {heading.marker} (line {heading.line})" if heading else "a part"
            raise TreatyFormatError(
                line_number,
                f"text between the heading of {where} and its first article: {text[:60]!r};"
                " only an article can follow a heading",
            )
        else:
            node = self._place_unnumbered(line_number)
        self._pending = _Pending([text], node, "text")

    def start_final(self, line_number: int, text: str) -> None:
        """The closing formula after the last article ("IN WITNESS WHEREOF ...")."""
        self.flush()
        self._final = Node(Kind.TEXT, line_number)
        self.document.nodes.append(self._final)
        self._chapter = self._section = self._title = None
        self._open_container(None)
        self._pending = _Pending([text], self._final, "text")

    def flush(self) -> None:
        """Store the open block's text where it belongs."""
        pending, self._pending = self._pending, None
        if pending is None or not pending.fragments:
            return
        text = self._join(pending.fragments)
        if pending.field == "title":
            self.document.title = text
        elif pending.field == "front_matter":
            self.document.front_matter.append(text)
        else:
            setattr(pending.node, pending.field, text)

    def finish(self) -> Document:
        self.flush()
        return self.document

    # --- Placement rules -----------------------------------------------------------------------

    def _place_unnumbered(self, line_number: int) -> Node:
        """The node whose text an unnumbered block in the current article becomes (see module doc)."""
        container, last = self._container, self._last_block
        assert container is not None
        if last is None:
            self._last_block = container
            return container  # the lead-in
        if last is container:
            parent = container
        elif last.kind == Kind.TEXT:
            parent = self._parents[id(last)]  # a run of unnumbered blocks stays together
        elif not last.text:
            return last  # "3." alone on its line: the block after it is its text
        elif last.text.endswith(":"):
            parent = last  # entries of a list announced by a lead-in (art. 39(1)'s dashes)
        else:
            parent = self._parents[id(last)]  # closes the list that `last` ends
        node = Node(Kind.TEXT, line_number)
        self._attach(parent, node)
        self._last_block = node
        # Numbering below the closing line's parent is over: "b)" after 6(1)(a)'s closing line
        # continues 6(1), and after art. 8's closing line nothing continues its subparagraphs.
        if parent is container:
            self._paragraph = self._subparagraph = None
        elif parent.kind == Kind.PARAGRAPH:
            self._subparagraph = None
        return node

    def _resolve_lettered(self, kind: str, number: str) -> str:
        """Whether "(i)", "(v)", "(x)" is a subparagraph letter or an item numeral, from what is expected."""
        if kind != LETTERED:
            return kind
        as_item = ordinal(Kind.ITEM, number) == self._expected_position(Kind.ITEM)
        as_letter = ordinal(Kind.SUBPARAGRAPH, number) == self._expected_position(Kind.SUBPARAGRAPH)
        if as_item and as_letter:
            # "(i)" after "(h) ... as follows:" starts a list of items; after "(h) ...;" it is letter i.
            lead_in = self._pending.fragments[-1] if self._pending and self._pending.fragments else ""
            return Kind.ITEM if lead_in.rstrip().endswith(":") else Kind.SUBPARAGRAPH
        if as_item or as_letter:
            return Kind.ITEM if as_item else Kind.SUBPARAGRAPH
        return Kind.ITEM if number == "i" or len(number) > 1 else Kind.SUBPARAGRAPH

    def _expected_position(self, kind: str) -> int | None:
        holders: dict[str, Node | None] = {
            Kind.SECTION: self._chapter,
            Kind.TITLE: self._section or self._chapter,
            Kind.PARAGRAPH: self._container,
            Kind.SUBPARAGRAPH: self._paragraph or self._container,
            Kind.ITEM: self._subparagraph or self._paragraph or self._container,
        }
        if kind == Kind.ARTICLE:
            position = article_position(self._last_article.number) if self._last_article else None
            return position[0] + 1 if position else None
        if kind == Kind.CHAPTER:
            siblings = self.document.nodes
        elif (holder := holders.get(kind)) is not None:
            siblings = holder.children
        else:
            return None
        positions = [ordinal(kind, node.number) for node in siblings if node.kind == kind]
        return (positions[-1] or 0) + 1 if positions else 1

    def _numbered_before(self, kind: str) -> bool:
        if kind == Kind.ARTICLE:
            return self._last_article is not None
        return any(node.kind == kind for node in self.document.nodes)

    def _outside_articles(self) -> str:
        """Why a numbered block cannot be placed here, or "" when it can."""
        if self._preamble is not None:
            return "inside the preamble (recitals are not numbered)"
        if self._final is not None:
            return f"after the closing formula (line {self._final.line})"
        if self._container is None:
            return "between a heading and its first article" if self.has_structure else "before any article"
        return ""

    def _required(self, parent: Node | None, line_number: int, printed: str, what: str) -> Node:
        if parent is None:
            raise TreatyFormatError(line_number, f"{printed!r} is not inside {what}")
        return parent

    def _open_container(self, container: Node | None) -> None:
        self._container = container
        self._paragraph = self._subparagraph = self._last_block = None

    def _attach(self, parent: Node, node: Node) -> None:
        parent.children.append(node)
        self._parents[id(node)] = parent

"""Markdown treaty texts, as `treaty/data/budapest_convention_ets185.md`.

`# Title`; lines before the first part are front matter; `## Preamble` with one recital per line;
`## CHAPTER I – USE OF TERMS`, `### SECTION 1 – ...`, `#### TITLE 1 – ...`, `##### Article 1 –
Definitions` (the heading kinds are read from the words, not from the number of `#`); paragraphs
`1.`, subparagraphs `a)` or `(a)`, items `(i)`; unnumbered blocks (lead-ins, closing lines); the
closing formula; optionally `## Annex`. Blocks are separated by blank lines.

Emphasis markers (`*inter alia,*`, `_x_`, `**x**`) are removed: a provision stores the printed
words, and an annotation quotes those, not the file's markup. Everything else is kept verbatim.
"""

from __future__ import annotations

import re

from treaty.importers.builder import TreeBuilder
from treaty.importers.markers import match_heading, mixed_script_heading
from treaty.importers.source import source_lines
from treaty.importers.tree import Document, Node, TreatyFormatError
from treaty.models import Provision

Kind = Provision.Kind

# "####Purpose" (no space) is a heading too: the Council of Europe's own Markdown prints it so.
_HEADING = re.compile(r"^(?P<level>#{1,6})\s*(?P<text>[^#\s].*?)(?:\s+#+)?\s*$")
# The formula that ends a preamble printed as one paragraph without a "Preamble" heading.
_PREAMBLE_END = re.compile(r"(?:have agreed|agree) as follows:\s*$", re.IGNORECASE)
_EMPHASIS = [
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"),
    re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"),
]


def strip_emphasis(text: str) -> str:
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    return text


def parse_markdown(source: str, *, language: str = "en") -> Document:
    """Read a Markdown treaty text into a Document (not yet finalised: see `detect.parse`)."""
    builder = TreeBuilder(language=language, join=" ".join)
    previous: str | None = None
    for line_number, raw in enumerate(source_lines(source), start=1):
        line = strip_emphasis(raw.strip())
        if not line:
            previous = None
            continue
        if heading_line := _HEADING.match(line):
            _read_heading(builder, line_number, len(heading_line["level"]), heading_line["text"])
            previous = None
            continue
        # One recital per line, even without blank lines between them.
        new_block = previous is None or builder.in_preamble
        builder.add_line(line_number, line, new_block=new_block, previous=previous)
        previous = line
    document = builder.finish()
    _front_matter_preamble(document)
    return document


def _front_matter_preamble(document: Document) -> None:
    """A paragraph ending "Have agreed as follows:" before the first part is the preamble."""
    if any(node.kind == Kind.PREAMBLE for node in document.nodes) or not document.front_matter:
        return
    if _PREAMBLE_END.search(document.front_matter[-1]):
        text = document.front_matter.pop()
        document.nodes.insert(0, Node(Kind.PREAMBLE, 0, text=text))


def _read_heading(builder: TreeBuilder, line_number: int, level: int, text: str) -> None:
    heading = match_heading(text)
    if heading is None and (problem := mixed_script_heading(text)):
        raise TreatyFormatError(line_number, problem)
    if heading is not None:
        builder.start_heading(heading, line_number, text)
    elif level == 1 or not (builder.has_structure or builder.title_claimed):
        builder.set_title(line_number, text)
    elif builder.pending_is_heading and not builder.pending_heading():
        # "### Article  1" then "####Purpose": the heading on its own line.
        builder.append(text)
    else:
        raise TreatyFormatError(
            line_number,
            f"heading {text!r} is not a part of a treaty: expected Preamble, CHAPTER, SECTION, TITLE,"
            " Article or Annex (a single '#' marks the document title)",
        )

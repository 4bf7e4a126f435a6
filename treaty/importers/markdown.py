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
from treaty.importers.markers import match_heading
from treaty.importers.source import source_lines
from treaty.importers.tree import Document, TreatyFormatError

_HEADING = re.compile(r"^(?P<level>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
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
    return builder.finish()


def _read_heading(builder: TreeBuilder, line_number: int, level: int, text: str) -> None:
    heading = match_heading(text)
    if heading is not None:
        builder.start_heading(heading, line_number, text)
    elif level == 1:
        builder.set_title(line_number, text)
    else:
        raise TreatyFormatError(
            line_number,
            f"heading {text!r} is not a part of a treaty: expected Preamble, CHAPTER, SECTION, TITLE,"
            " Article or Annex (a single '#' marks the document title)",
        )

"""The layout pandoc leaves in Markdown converted from Word, read as layout and never as text.

- backslash escapes: `\\(4\\)`, `\\[deleted\\]`, `doctor\\'s` are "(4)", "[deleted]", "doctor's";
- bracketed spans and attributes: `[Chapter 2]{.smallcaps}`, `[...]{.ul}`, `# TITLE {#title-iva}`;
- emphasis around headings and words: `*Article 3 Definitions*`, `**x**`;
- raw-HTML blocks: the ```` ```{=html} ```` fences (with what is inside them) and inline tables
  `<table><tr><td><p>DG: CNECT</p>...`, whose tags go and whose words stay.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from treaty.importers.markdown import strip_emphasis

_SPAN = re.compile(r"\[([^\[\]]*)\]\{[^{}]*\}")
_ATTRIBUTES = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!'\"|<>~^$&@=:;,/])")
_TAG = re.compile(r"<[^<>]+>")
_FENCE = re.compile(r"^\s*```")
_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*$")
# Grid-table borders (+----+----+) and the pipes between cells (| a | b |) are layout.
_TABLE_RULE = re.compile(r"^\s*[+|][-=+:|\s]*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PANDOC_MARKS = re.compile(r"\]\{[.#]|^```\{=|^\s*\*Article \d|\\\(\d", re.MULTILINE)


def looks_like_pandoc(text: str) -> bool:
    """Whether a Markdown file carries pandoc's Word-conversion layout (for `--format auto`)."""
    return len(_PANDOC_MARKS.findall(text)) >= 3


def clean_inline(text: str) -> str:
    """The printed words of one line of pandoc Markdown: spans, escapes, tags and emphasis gone."""
    if "<" in text and _TAG.search(text):
        text = html.unescape(_TAG.sub(" ", text))
    previous = None
    while previous != text:  # spans nest: [[Annex to the ...]{.ul}]{.ul}
        previous, text = text, _SPAN.sub(r"\1", text)
    text = _ATTRIBUTES.sub("", text)
    text = strip_emphasis(text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Block:
    """One paragraph of the source: its first line number, indentation, and cleaned text."""

    line: int
    indent: int
    text: str
    heading_level: int = 0  # 1-6 for a `#` heading line
    emphasised: bool = False  # the whole line was wrapped in `*...*`: a heading in Word's output


def read_blocks(lines: list[str]) -> list[Block]:
    """Paragraphs separated by blank lines; raw-HTML fences dropped; each heading line a block."""
    blocks: list[Block] = []
    fenced = False
    current: list[tuple[int, str]] = []

    def close() -> None:
        if current:
            first_number, first = current[0]
            text = clean_inline(" ".join(line.strip() for _, line in current))
            stripped = first.strip()
            emphasised = len(current) == 1 and stripped.startswith("*") and stripped.endswith("*")
            blocks.append(Block(first_number, len(first) - len(first.lstrip(" ")), text, 0, emphasised))
            current.clear()

    for number, line in enumerate(lines, start=1):
        if _FENCE.match(line):
            close()
            fenced = not fenced  # a raw block's content is layout (pandoc's list separators)
            continue
        if fenced:
            continue
        if not line.strip():
            close()
            continue
        if _TABLE_RULE.match(line):
            continue
        if _TABLE_ROW.match(line):
            line = line.replace("|", " ")
        heading = _HEADING.match(line)
        if heading:
            close()
            blocks.append(Block(number, 0, clean_inline(heading[2] or ""), len(heading[1])))
            continue
        current.append((number, line))
    close()
    return [block for block in blocks if block.text or block.heading_level]

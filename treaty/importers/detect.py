"""The one entry point for imports: bytes or text in, a finalised Document (keys, labels) out."""

from __future__ import annotations

import codecs
import re

from treaty.importers.markdown import parse_markdown
from treaty.importers.pandoc import parse_pandoc
from treaty.importers.pandoc_layout import looks_like_pandoc
from treaty.importers.source import detect_language, source_lines
from treaty.importers.text import parse_text
from treaty.importers.tree import Document, TreatyFormatError, finalize
from treaty.languages import UnknownLanguage, text_language

FORMATS = ("auto", "markdown", "pandoc", "text")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def parse(
    source: str | bytes, *, format: str = "auto", language: str | None = None, allow_gaps: bool = False
) -> Document:
    """Parse a treaty text and assign provision keys. Raises TreatyFormatError naming the line.

    `format` is "markdown", "pandoc" (Markdown converted from Word by pandoc), "text" (PDF-style
    plain text) or "auto": pandoc when the file carries pandoc's layout (`{.ul}` spans, raw-HTML
    fences, `*Article N*` headings), else Markdown when it has `#` heading lines, else text.
    `allow_gaps` accepts a numbering gap between articles (a draft printed with one).
    `language` (BCP 47, one of the six UN languages: treaty.languages) defaults to the language
    detected from the script and the heading words (`source.detect_language`).
    """
    if language is not None:
        try:
            language = text_language(language)
        except UnknownLanguage as error:
            raise TreatyFormatError(None, str(error)) from None
    text = decode_source(source) if isinstance(source, bytes) else source.removeprefix("\ufeff")
    lines = source_lines(text)
    if not any(line.strip() for line in lines):
        what = "is empty" if not text.strip() else "holds nothing but blank lines and comments"
        raise TreatyFormatError(1, f"the file {what}: there is no treaty text to import")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if format == "auto":
        joined = "\n".join(lines)
        format = (
            "pandoc"
            if looks_like_pandoc(joined)
            else "markdown"
            if _MARKDOWN_HEADING.search(joined)
            else "text"
        )
    language = language or detect_language(lines)
    if format == "markdown":
        document = parse_markdown(text, language=language)
    elif format == "pandoc":
        document = parse_pandoc(text, language=language)
    else:
        document = parse_text(text, language=language)
    document.format = format
    try:
        return finalize(document, allow_gaps=allow_gaps)
    except TreatyFormatError as error:
        if error.line is not None:
            raise
        # A problem of the whole text ("no article found") shows up at its end.
        raise TreatyFormatError(len(lines), f"{error.problem} (end of file)") from error


def decode_source(data: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped); anything else is refused with the line and column."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TreatyFormatError(1, "the file is UTF-16; save it as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise TreatyFormatError(
            line,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at column {column}); save the file as UTF-8",
        ) from None

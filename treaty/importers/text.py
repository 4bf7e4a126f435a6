"""Plain text copied out of an official UN or Council of Europe PDF.

Headings: "Preamble"; "CHAPTER II" or "Chapter II" with its title after " – ", ". ", ": " or
spaces, or on the next line(s); "SECTION 1" and "Title 1" likewise; "Article 7", "Article 7.
Illegal access", "Article 7 – Illegal access", "Article 7: ...", the heading possibly on the next
line. Arabic: "المادة 7: ...", "الفصل الثاني: التجريم". Numbers: see `markers`.

Blocks are separated by blank lines or begin at a marker. Wrapped lines are joined with a space,
hyphenation at line ends undone (`layout.LineJoiner`), running headers and footers dropped. A page
break is not a block boundary unless the line before it ends a sentence and the next one does not
start in lower case: the blank lines a PDF puts around page headers say nothing about the text.
"""

from __future__ import annotations

from treaty.importers.builder import TreeBuilder
from treaty.importers.layout import LineJoiner, is_page_furniture
from treaty.importers.markers import (
    ends_sentence,
    is_all_caps,
    is_closing_formula,
    match_heading,
    match_number,
    starts_lowercase,
)
from treaty.importers.source import detect_language, source_lines
from treaty.importers.tree import Document
from treaty.models import Provision

Kind = Provision.Kind


def parse_text(source: str, *, language: str | None = None) -> Document:
    """Read PDF-style plain text into a Document (not yet finalised: see `detect.parse`)."""
    lines = [line.replace("\f", " ").strip() for line in source_lines(source)]
    content = [line for line in lines if line and not is_page_furniture(line)]
    builder = TreeBuilder(language=language or detect_language(content), join=LineJoiner(content))
    _TextReader(lines, builder).read()
    return builder.finish()


def _is_marker(line: str) -> bool:
    return match_heading(line) is not None or match_number(line) is not None or is_closing_formula(line)


class _TextReader:
    def __init__(self, lines: list[str], builder: TreeBuilder) -> None:
        self._lines = lines
        self._builder = builder
        self._awaiting_heading = False  # a bare "Article 7": its heading may be on the next line
        self._heading_open = False  # a heading that a wrapped next line may continue

    def read(self) -> None:
        previous: str | None = None
        blank = page_break = False
        for index, line in enumerate(self._lines):
            if not line:
                blank = True
                continue
            if is_page_furniture(line):
                page_break = True
                continue
            if previous is None:
                new_block = True
            elif page_break:
                new_block = ends_sentence(previous) and not starts_lowercase(line)
            else:
                new_block = blank
            blank = page_break = False
            if not self._read_heading(index, line, new_block=new_block, previous=previous):
                self._builder.add_line(index + 1, line, new_block=new_block, previous=previous)
            previous = line

    def _read_heading(self, index: int, line: str, *, new_block: bool, previous: str | None) -> bool:
        """Handle `line` if it is a heading, or part of one; say whether it was."""
        if self._awaiting_heading:
            self._awaiting_heading = False
            if not _is_marker(line) and self._heading_run_is_heading(index):
                self._builder.append(line)
                self._heading_open = True
                return True
        if (
            self._heading_open
            and not new_block
            and self._continues_heading(self._builder.pending_heading(), line)
        ):
            self._builder.append(line)
            return True
        self._heading_open = False
        heading = match_heading(line)
        if heading is None:
            return False
        # "Article 7 of this Convention" is no heading (no separator), but "... in accordance with
        # \nArticle 21. Each Party ..." looks like one: only the expected number may interrupt a sentence.
        starts = new_block or previous is None or self._builder.pending_is_heading or ends_sentence(previous)
        if not (starts or self._builder.is_expected(heading.kind, heading.number)):
            return False
        opened = self._builder.start_heading(heading, index + 1, line)
        if opened and heading.kind != Kind.PREAMBLE:
            self._awaiting_heading = heading.heading is None
            self._heading_open = heading.heading is not None
        return True

    @staticmethod
    def _continues_heading(heading: str, line: str) -> bool:
        """A wrapped heading goes on in lower case, or in capitals after a heading in capitals.

        Arabic has no case, so an Arabic heading never continues onto the next line.
        """
        if not heading or _is_marker(line) or ends_sentence(heading):
            return False
        return starts_lowercase(line) or (is_all_caps(heading) and is_all_caps(line))

    def _heading_run_is_heading(self, index: int) -> bool:
        """Whether the line after a bare "Article 7" (with its wrapped continuation) is a heading.

        A heading does not end with a full stop, a semicolon or a colon; body text (an article
        without a heading) does.
        """
        run = self._lines[index]
        for line in self._lines[index + 1 :]:
            if not line:
                break
            if is_page_furniture(line):
                continue
            if not self._continues_heading(run, line):
                break
            run = line
        return not ends_sentence(run)

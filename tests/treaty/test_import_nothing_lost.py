"""Nothing is lost, added or moved: every line of treaty text in an input file is found, in order,
inside exactly one provision (its printed marker, heading and text), or in the title or front matter.

Words are compared without spaces, punctuation and case, so the checks hold across wrapping and
hyphenation, Markdown heading marks and emphasis; HTML comments and page headers are not treaty text.
"""

import re
import unicodedata

import pytest

from tests.conftest import ARABIC_PARTIAL, BUDAPEST_MD, SHARED_DATA
from tests.treaty.pdf_render import render_pdf_text
from treaty.importers.detect import parse
from treaty.importers.tree import LABEL_WORDS, Document, Node
from treaty.models import Provision

Kind = Provision.Kind

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", text)).casefold()


def _slots(document: Document, *, by_line: bool = False) -> list[tuple[str, str]]:
    """(where, words) for the title, the front matter and each provision's printed parts, in order.

    An article's heading line and its text are two slots: they are two lines in every input.
    With `by_line`, slots are in the order of the source lines they start on (a lead-in printed
    above its article heading is stored under it).
    """
    words = LABEL_WORDS[document.language]
    slots = [(0, "title", document.title)]
    slots += [(0, f"front matter {n}", entry) for n, entry in enumerate(document.front_matter, start=1)]
    for node in document.walk():
        if node.kind == Kind.ARTICLE and node.text_line == node.line:
            # "Article 24 [deleted]": the placeholder's text is printed on the heading line.
            slots.append((node.line, node.key, f"{node.label} {node.heading} {node.text}"))
        elif node.kind == Kind.ARTICLE:
            slots += [
                (node.line, f"{node.key} heading", f"{node.label} {node.heading}"),
                (node.text_line or node.line, node.key, node.text),
            ]
        elif node.kind in (Kind.CHAPTER, Kind.SECTION, Kind.TITLE):
            slots.append((node.line, node.key, f"{words[node.kind]} {node.marker} {node.heading}"))
        elif node.kind == Kind.ANNEX and node.marker:
            slots.append(
                (node.line, node.key, f"{words[node.kind]} {node.marker} {node.heading} {node.text}")
            )
        else:
            slots.append((node.line, node.key, f"{node.marker} {node.heading} {node.text}"))
    if by_line:
        slots.sort(key=lambda slot: slot[0])
    return [(where, _squash(printed)) for _, where, printed in slots if _squash(printed)]


def _lines_without_comments(source: str) -> list[tuple[int, str]]:
    source = _COMMENT.sub(lambda match: "\n" * match.group().count("\n"), source)
    return [(number, line) for number, line in enumerate(source.split("\n"), start=1) if line.strip()]


def assert_nothing_lost(
    lines: list[tuple[int, str]], document: Document, *, line_per_block: bool, by_line: bool = False
) -> None:
    """`lines` (number, text) hold exactly the document's words, each line inside one provision.

    With `line_per_block` (files with one line per block) each line must be a whole provision part,
    so a closing line glued onto the item before it is caught too.
    """
    slots = _slots(document, by_line=by_line)
    stream = "".join(words for _, words in slots)
    owner = [index for index, (_, words) in enumerate(slots) for _ in words]  # slot of each character
    starts = [len("".join(words for _, words in slots[:index])) for index in range(len(slots))]
    position = 0
    for number, line in lines:
        words = _squash(line)
        if not words:
            continue
        found = stream.startswith(words, position)
        assert found, (
            f"line {number} {line!r} is not next in the import: {stream[position : position + 60]!r}"
        )
        end = position + len(words)
        holders = sorted({slots[index][0] for index in owner[position:end]})
        assert len(holders) == 1, f"line {number} {line!r} is split between {holders}"
        index = owner[position]
        whole = position == starts[index] and end == starts[index] + len(slots[index][1])
        assert whole or not line_per_block, f"line {number} {line!r} is only part of {slots[index][0]}"
        position = end
    assert position == len(stream), f"the import holds text that is in no line: {stream[position:][:80]!r}"


@pytest.fixture(scope="module")
def budapest_source() -> str:
    return BUDAPEST_MD.read_text(encoding="utf-8")


def test_budapest_markdown(budapest_source: str) -> None:
    assert_nothing_lost(_lines_without_comments(budapest_source), parse(budapest_source), line_per_block=True)


@pytest.mark.parametrize("blank_lines", [True, False])
def test_budapest_rendered_as_pdf_text(budapest_source: str, blank_lines: bool) -> None:
    rendered = render_pdf_text(parse(budapest_source), blank_lines=blank_lines)
    lines = [
        (number, line)
        for number, line in enumerate(rendered.text.split("\n"), start=1)
        if line.strip() and number not in rendered.furniture
    ]
    assert_nothing_lost(lines, parse(rendered.text), line_per_block=False)


def test_arabic_text() -> None:
    source = ARABIC_PARTIAL.read_text(encoding="utf-8")
    assert_nothing_lost(_lines_without_comments(source), parse(source), line_per_block=True)


def test_the_check_notices_a_lost_line(budapest_source: str) -> None:
    document = parse(budapest_source)
    document.nodes[0].children.pop(3)  # drop a recital
    with pytest.raises(AssertionError, match="is not next in the import"):
        assert_nothing_lost(_lines_without_comments(budapest_source), document, line_per_block=True)


def test_the_check_notices_a_line_glued_onto_the_wrong_provision(budapest_source: str) -> None:
    document = parse(budapest_source)
    by_key = {node.key: node for node in document.walk()}
    # What a parser that kept the closing line inside item (ii) would produce.
    closing = by_key["art-6.1.a~1"]
    by_key["art-6.1.a.ii"].text += " " + closing.text
    by_key["art-6.1.a"].children.remove(closing)
    with pytest.raises(AssertionError, match=r"is only part of art-6\.1\.a\.ii"):
        assert_nothing_lost(_lines_without_comments(budapest_source), document, line_per_block=True)


def test_the_check_notices_added_text(budapest_source: str) -> None:
    document = parse(budapest_source)
    document.nodes[-1].children.append(Node(Kind.TEXT, 0, text="Extra words."))
    with pytest.raises(AssertionError, match="holds text that is in no line"):
        assert_nothing_lost(_lines_without_comments(budapest_source), document, line_per_block=True)


# Pandoc's layout, which is not treaty text: raw-HTML fences and what is inside them, `{.ul}` and
# `{#anchor}` attributes, HTML tags. (Escapes and emphasis are punctuation: _squash drops them.)
_FENCED = re.compile(r"^```\{=html\}\n.*?^```$", re.DOTALL | re.MULTILINE)
_ATTRIBUTE = re.compile(r"\{[#.=][^{}]*\}")
_TAG = re.compile(r"<[^<>]+>")


def _pandoc_lines(source: str) -> list[tuple[int, str]]:
    source = _FENCED.sub(lambda match: "\n" * match.group().count("\n"), source)
    lines = _lines_without_comments(source)
    return [(number, _TAG.sub(" ", _ATTRIBUTE.sub(" ", line))) for number, line in lines]


SHARED_FILES = sorted(path for path in SHARED_DATA.rglob("*.md") if path.name != "SOURCES.md")


def test_every_shared_file_is_checked() -> None:
    names = {path.name for path in SHARED_FILES}
    assert "ets189_additional_protocol_racism_xenophobia.md" in names
    assert sum(name.startswith(("01_", "02_", "03_", "04_")) for name in names) == 4


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda path: path.name[:40])
def test_every_shared_file(path) -> None:  # type: ignore[no-untyped-def]
    source = path.read_text(encoding="utf-8")
    # The French Presidency text prints no Article 24 (struck): it is imported with --allow-gaps.
    document = parse(source, allow_gaps=True)
    pandoc = path.parent.name == "eu_ai_act"
    lines = _pandoc_lines(source) if pandoc else _lines_without_comments(source)
    assert_nothing_lost(lines, document, line_per_block=False, by_line=pandoc)

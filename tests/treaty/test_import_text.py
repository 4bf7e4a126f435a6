"""Plain text copied out of a PDF: the bundled treaty survives a PDF-style rendering, and each
layout rule of the text importer holds on small samples (placeholder words, not treaty text)."""

import re

import pytest

from tests.conftest import BUDAPEST_MD
from tests.treaty.pdf_render import DOCUMENT_SYMBOL, RenderedText, render_pdf_text
from treaty.importers.detect import parse
from treaty.importers.tree import Document, Node
from treaty.models import Provision

Kind = Provision.Kind


def _rows(document: Document) -> list[tuple[str, str, str, str, str]]:
    return [(node.key, node.kind, node.label, node.heading, node.text) for node in document.walk()]


def _by_key(document: Document) -> dict[str, Node]:
    return {node.key: node for node in document.walk()}


def _text(source: str) -> Document:
    return parse(source, format="text")


@pytest.fixture(scope="module")
def budapest() -> Document:
    return parse(BUDAPEST_MD.read_bytes())


@pytest.fixture(scope="module")
def rendered(budapest: Document) -> RenderedText:
    return render_pdf_text(budapest)


# --- Round trip -------------------------------------------------------------------------------


def test_the_rendering_exercises_every_layout_rule(rendered: RenderedText) -> None:
    """Guards the round trip below against becoming trivial."""
    lines = rendered.text.split("\n")
    furniture = [lines[number - 1] for number in sorted(rendered.furniture)]
    assert len(furniture) >= 20
    assert DOCUMENT_SYMBOL in [line.strip() for line in furniture]
    assert any(re.fullmatch(r"24-24303  \d+/\d+", line) for line in furniture)
    assert any(re.fullmatch(r"\d+/\d+  24-24303", line) for line in furniture)
    assert any(re.fullmatch(r"\d+", line) for line in furniture)
    assert sum(1 for line in lines if re.search(r"[a-z]{3}-$", line)) >= 20  # words broken at line ends
    assert any(line.endswith(" co-") for line in lines)  # "co-operation" broken at its own hyphen
    assert max(len(line) for line in lines) <= 90
    for style in (r"\(b\) ", r"b\) ", r"b\. ", r"\(ii\) ", r"ii\) "):
        assert any(re.match(style, line) for line in lines), style
    assert "\nCHAPTER II\nMEASURES TO BE TAKEN AT THE NATIONAL LEVEL\n" in rendered.text
    assert "\nArticle 1\nDefinitions\n" in rendered.text
    assert "\nArticle 2. Illegal access\n" in rendered.text
    assert "\nArticle 3: Illegal interception\n" in rendered.text
    assert "\nArticle 4 – Data interference\n" in rendered.text


def test_round_trip_gives_the_same_provisions(budapest: Document, rendered: RenderedText) -> None:
    imported = parse(rendered.text)
    assert imported.language == "en"
    assert (imported.title, imported.front_matter) == (budapest.title, budapest.front_matter)
    assert _rows(imported) == _rows(budapest)


def test_round_trip_without_blank_lines_between_numbered_blocks(budapest: Document) -> None:
    rendered = render_pdf_text(budapest, blank_lines=False)
    assert "\n1. Each Party shall adopt" in rendered.text
    assert "\n\n1. Each Party" not in rendered.text
    assert _rows(parse(rendered.text)) == _rows(budapest)


def test_round_trip_of_a_preamble_without_blank_lines(budapest: Document) -> None:
    text = render_pdf_text(budapest, blank_lines=False).text
    start, end = text.index("\nPreamble\n"), text.index("\nCHAPTER I ")
    preamble = re.sub(r"\n\n+", "\n", text[start:end])
    assert preamble.count("\n") > 80
    assert _rows(parse(text[:start] + preamble + text[end:])) == _rows(budapest)


def test_round_trip_with_other_widths_and_page_lengths(budapest: Document) -> None:
    rendered = render_pdf_text(budapest, width=66, page_length=37)
    assert _rows(parse(rendered.text)) == _rows(budapest)


# --- Headings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading_line",
    [
        "Article 1. Sample heading",
        "Article 1 – Sample heading",
        "Article 1: Sample heading",
        "Article 1 - Sample heading",
        "ARTICLE 1 — Sample heading",
        "Article 1\nSample heading",
        "Article 1\n\nSample heading",
    ],
)
def test_article_heading_forms(heading_line: str) -> None:
    document = _text(f"Sample title\n\n{heading_line}\nSample lead-in text:\n(a) first;\n(b) second.\n")
    article = document.nodes[0]
    assert (article.key, article.label, article.heading, article.text) == (
        "art-1",
        "Article 1",
        "Sample heading",
        "Sample lead-in text:",
    )
    assert [child.key for child in article.children] == ["art-1.a", "art-1.b"]


def test_a_wrapped_heading_continues_in_lower_case() -> None:
    document = _text(
        "Sample title\n\nArticle 1. Sample heading that is long enough to wrap onto\nthe next line\n"
        "Each sample Party shall do this.\n"
    )
    assert document.nodes[0].heading == "Sample heading that is long enough to wrap onto the next line"
    assert document.nodes[0].text == "Each sample Party shall do this."


def test_an_article_without_heading_is_not_given_its_first_sentence() -> None:
    document = _text("Sample title\n\nArticle 1\nEach sample Party shall do\nthis and that.\n")
    assert document.nodes[0].heading == ""
    assert document.nodes[0].text == "Each sample Party shall do this and that."


@pytest.mark.parametrize(
    "chapter_lines",
    [
        "Chapter II\nSample matters",
        "CHAPTER II\nSAMPLE MATTERS",
        "CHAPTER II – SAMPLE MATTERS",
        "Chapter II. Sample matters",
        "Chapter II: Sample matters",
        "CHAPTER II SAMPLE MATTERS",
    ],
)
def test_chapter_heading_forms(chapter_lines: str) -> None:
    document = _text(
        f"Sample title\n\nChapter I\nFirst\n\nArticle 1. One\n\nText one.\n\n{chapter_lines}\n\n"
        "Article 2. Two\n\nText two.\n"
    )
    chapter = document.nodes[1]
    assert (chapter.key, chapter.label, chapter.heading.casefold()) == (
        "ch-2",
        "Chapter II",
        "sample matters",
    )
    assert [child.key for child in chapter.children] == ["art-2"]


def test_chapter_title_in_capitals_wraps_over_two_lines_and_sections_titles_nest() -> None:
    document = _text(
        "Sample title\n\nCHAPTER I\nSAMPLE MATTERS WITH A TITLE LONG ENOUGH TO WRAP\nONTO A SECOND LINE\n"
        "Section 1 – Sample section\nTITLE 1\nSAMPLE TITLE\nArticle 1 – One\nText one.\n"
    )
    keys = {node.key: node for node in document.walk()}
    assert keys["ch-1"].heading == "SAMPLE MATTERS WITH A TITLE LONG ENOUGH TO WRAP ONTO A SECOND LINE"
    assert keys["ch-1.sec-1"].heading == "Sample section"
    assert keys["ch-1.sec-1.tit-1"].heading == "SAMPLE TITLE"
    assert keys["art-1"].text == "Text one."


def test_preamble_title_and_front_matter() -> None:
    document = _text(
        "Sample Convention\n\nSample Series No. 1. Sample place, 1 January 2000.\n\nPreamble\n\n"
        "The sample Parties,\nConsidering the samples;\nRecognising that lines,\nwithout blank lines, "
        "wrap;\nHave agreed as follows:\n\nArticle 1. One\n\nText.\n\nIN WITNESS WHEREOF the samples.\n"
    )
    assert document.title == "Sample Convention"
    assert document.front_matter == ["Sample Series No. 1. Sample place, 1 January 2000."]
    assert [(n.key, n.kind, n.text) for n in document.nodes[0].children] == [
        ("pre.1", Kind.RECITAL, "The sample Parties,"),
        ("pre.2", Kind.RECITAL, "Considering the samples;"),
        ("pre.3", Kind.RECITAL, "Recognising that lines, without blank lines, wrap;"),
        ("pre.4", Kind.RECITAL, "Have agreed as follows:"),
    ]
    assert (document.nodes[-1].key, document.nodes[-1].text) == ("final", "IN WITNESS WHEREOF the samples.")


# --- Numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "i", "ii"),
    [("(a)", "(b)", "(i)", "(ii)"), ("a)", "b)", "i)", "ii)"), ("a.", "b.", "(i)", "(ii)")],
)
def test_subparagraph_and_item_styles(a: str, b: str, i: str, ii: str) -> None:
    document = _text(
        f"Sample title\n\nArticle 1. One\n1. Lead-in:\n{a} first:\n{i} item one;\n{ii} item two,\n"
        f"\nclosing words of the first;\n{b} second.\n2. Another.\n"
    )
    keys = _by_key(document)
    assert list(keys) == [
        "art-1",
        "art-1.1",
        "art-1.1.a",
        "art-1.1.a.i",
        "art-1.1.a.ii",
        "art-1.1.a~1",
        "art-1.1.b",
        "art-1.2",
    ]
    assert keys["art-1.1.a.ii"].label == "Article 1(1)(a)(ii)"
    assert keys["art-1.1.a~1"].text == "closing words of the first;"
    assert keys["art-1.1.a.ii"].marker == ii


def test_letter_i_after_h_is_a_subparagraph_but_i_after_a_lead_in_is_an_item() -> None:
    letters = "".join(f"({letter}) point {letter};\n" for letter in "abcdefgh")
    document = _text(
        f"Sample title\n\nArticle 1. One\nLead-in:\n{letters}(i) point i;\n(j) point j:\n(i) item one.\n"
    )
    keys = _by_key(document)
    assert keys["art-1.i"].kind == Kind.SUBPARAGRAPH
    assert keys["art-1.j.i"].kind == Kind.ITEM


def test_hyphens_at_line_ends() -> None:
    document = _text(
        "Sample title\n\nArticle 1. One\n\nThe sample inter-\nception of co-\noperation needs co-operation"
        " and a seven-day-a-\nweek non-\nEuropean 1950-\n1966 watch.\n"
    )
    assert document.nodes[0].text == (
        "The sample interception of co-operation needs co-operation and a seven-day-a-week non-European"
        " 1950-1966 watch."
    )


# --- False markers ----------------------------------------------------------------------------


def test_article_reference_at_the_start_of_a_wrapped_line_is_not_a_heading() -> None:
    document = _text(
        "Sample title\n\nArticle 6 – Six\n\nText six.\n\nArticle 7 – Seven\n\n"
        "1. Each sample Party shall apply the measures in\nArticle 7 of this Convention and those in\n"
        "Article 3. Each sample Party may also apply the measures in\nArticle 5.\n"
        "2. Each sample Party shall respect subparagraph\n(d) of paragraph 1 and\n4. of the annex.\n"
    )
    assert [article.number for article in document.articles()] == ["6", "7"]
    keys = _by_key(document)
    assert list(keys)[-2:] == ["art-7.1", "art-7.2"]
    assert keys["art-7.1"].text == (
        "Each sample Party shall apply the measures in Article 7 of this Convention and those in Article 3."
        " Each sample Party may also apply the measures in Article 5."
    )
    assert (
        keys["art-7.2"].text
        == "Each sample Party shall respect subparagraph (d) of paragraph 1 and 4. of the annex."
    )


def test_an_expected_number_after_a_sentence_end_starts_a_block_even_without_a_blank_line() -> None:
    document = _text("Sample title\n\nArticle 1. One\n1. First;\n2. Second,\nwrapped.\n")
    assert [(n.key, n.text) for n in document.walk()][1:] == [
        ("art-1.1", "First;"),
        ("art-1.2", "Second, wrapped."),
    ]


# --- Page furniture ---------------------------------------------------------------------------


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    document = _text(
        "A/RES/79/243\n\nSample title\n\nArticle 1. One\n\n1. A sentence that runs\n\n24-24303  5/41\n\n"
        "A/AC.291/L.15\n\nacross a page break.\n\n6/41  24-24303\n\f2. A paragraph after a break.\n\n7\n\n"
        "3. A paragraph that ends.\n\nV.24-12345 (E)\n\nUnnumbered closing words.\n\nPage 8 of 41\n"
    )
    assert document.title == "Sample title"
    assert [(n.key, n.text) for n in document.walk()] == [
        ("art-1", ""),
        ("art-1.1", "A sentence that runs across a page break."),
        ("art-1.2", "A paragraph after a break."),
        ("art-1.3", "A paragraph that ends."),
        ("art-1~1", "Unnumbered closing words."),
    ]


def test_a_number_ending_a_sentence_is_not_a_page_number() -> None:
    document = _text("Sample title\n\nArticle 1. One\n\nSample text dated 1 January\n2000.\n")
    assert document.nodes[0].text == "Sample text dated 1 January 2000."


def test_an_annex_line_before_the_treaty_is_front_matter() -> None:
    document = _text("Sample resolution\n\nAnnex\n\nSample Convention\n\nArticle 1. One\n\nText.\n")
    assert document.title == "Sample resolution"
    assert document.front_matter == ["Annex", "Sample Convention"]
    assert [node.key for node in document.walk()] == ["art-1"]

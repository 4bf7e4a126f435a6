"""The bundled Budapest Convention (Markdown) imports with the contract keys (DESIGN §3)."""

import pytest

from tests.conftest import BUDAPEST_MD
from treaty.importers.detect import parse
from treaty.importers.markdown import parse_markdown
from treaty.importers.tree import Document, Node, finalize
from treaty.models import Provision

Kind = Provision.Kind


@pytest.fixture(scope="module")
def budapest() -> Document:
    return parse(BUDAPEST_MD.read_bytes())


@pytest.fixture(scope="module")
def by_key(budapest: Document) -> dict[str, Node]:
    return {node.key: node for node in budapest.walk()}


def test_the_file_is_read_as_markdown_in_english(budapest: Document) -> None:
    assert budapest.language == "en"
    assert budapest.title == "Convention on Cybercrime"
    assert budapest.front_matter == [
        "Council of Europe, European Treaty Series – No. 185. Budapest, 23 November 2001."
    ]


def test_48_articles_in_4_chapters(budapest: Document) -> None:
    assert [article.number for article in budapest.articles()] == [str(n) for n in range(1, 49)]
    chapters = [node for node in budapest.nodes if node.kind == Kind.CHAPTER]
    assert [(c.key, c.label, c.heading) for c in chapters] == [
        ("ch-1", "Chapter I", "USE OF TERMS"),
        ("ch-2", "Chapter II", "MEASURES TO BE TAKEN AT THE NATIONAL LEVEL"),
        ("ch-3", "Chapter III", "INTERNATIONAL CO-OPERATION"),
        ("ch-4", "Chapter IV", "FINAL PROVISIONS"),
    ]
    # Top level: the preamble, the four chapters, the closing formula; nothing else.
    assert [node.key for node in budapest.nodes] == ["pre", "ch-1", "ch-2", "ch-3", "ch-4", "final"]


def test_keys_follow_the_contract(by_key: dict[str, Node]) -> None:
    for key in (
        "pre", "pre.1", "pre.18", "ch-2", "ch-2.sec-1", "ch-2.sec-1.tit-1", "ch-2.sec-2.tit-5",
        "art-6", "art-6.1", "art-6.1.a", "art-6.1.a.i", "art-6.1.a.ii", "art-6.1.a~1", "art-6.1.b",
        "art-8~1", "art-14.3.b~1", "art-20.1.b~1", "art-21.1.b~1", "final",
    ):  # fmt: skip
        assert key in by_key, key
    assert "pre.19" not in by_key
    assert "art-6.1.a.iii" not in by_key


def test_sections_and_titles_nest_under_their_chapter(by_key: dict[str, Node]) -> None:
    section = by_key["ch-2.sec-1"]
    assert section.kind == Kind.SECTION and section.heading == "SUBSTANTIVE CRIMINAL LAW"
    title = by_key["ch-2.sec-1.tit-1"]
    assert title.label == "Chapter II, Section 1, Title 1"
    assert [child.key for child in title.children] == ["art-2", "art-3", "art-4", "art-5", "art-6"]
    # Chapter I and Chapter IV hold their articles directly.
    assert [child.key for child in by_key["ch-1"].children] == ["art-1"]
    assert by_key["ch-4"].children[0].key == "art-36"


def test_recitals_are_one_per_block(by_key: dict[str, Node]) -> None:
    preamble = by_key["pre"]
    assert preamble.heading == "Preamble"
    assert len(preamble.children) == 18
    assert all(recital.kind == Kind.RECITAL for recital in preamble.children)
    assert preamble.children[0].text == (
        "The member States of the Council of Europe and the other States signatory hereto,"
    )
    assert by_key["pre.2"].text == (
        "Considering that the aim of the Council of Europe is to achieve a greater unity between its members;"
    )
    assert by_key["pre.18"].text == "Have agreed as follows:"
    assert by_key["pre.18"].label == "Preamble (18)"


def test_headings_are_kept_apart_from_the_text(by_key: dict[str, Node]) -> None:
    assert by_key["art-2"].heading == "Illegal access"
    assert by_key["art-2"].text.startswith("Each Party shall adopt such legislative")
    assert by_key["art-27"].heading == (
        "Procedures pertaining to mutual assistance requests in the absence of applicable"
        " international agreements"
    )
    assert by_key["art-35"].heading == "24/7 Network"
    assert by_key["art-6"].text == ""  # the article starts with its paragraph 1


def test_labels_are_printed_labels(by_key: dict[str, Node]) -> None:
    assert by_key["art-6"].label == "Article 6"
    assert by_key["art-6.1"].label == "Article 6(1)"
    assert by_key["art-6.1.a"].label == "Article 6(1)(a)"
    assert by_key["art-6.1.a.ii"].label == "Article 6(1)(a)(ii)"
    assert by_key["art-6.1.a~1"].label == "Article 6(1)(a)"
    assert by_key["art-1.c.i"].label == "Article 1(c)(i)"
    assert by_key["final"].label == "Final clause"


def test_closing_line_of_article_6_1_a_closes_its_items(by_key: dict[str, Node]) -> None:
    subparagraph = by_key["art-6.1.a"]
    closing = by_key["art-6.1.a~1"]
    assert closing.kind == Kind.TEXT
    assert [child.key for child in subparagraph.children] == ["art-6.1.a.i", "art-6.1.a.ii", "art-6.1.a~1"]
    assert closing.text == (
        "with intent that it be used for the purpose of committing any of the offences established in"
        " Articles 2 through 5; and"
    )
    # Not glued onto the last item.
    assert by_key["art-6.1.a.ii"].text.endswith("is capable of being accessed,")
    assert subparagraph.text == (
        "the production, sale, procurement for use, import, distribution or otherwise making available of:"
    )


def test_closing_line_of_article_8_closes_its_subparagraphs(by_key: dict[str, Node]) -> None:
    article = by_key["art-8"]
    assert [child.key for child in article.children] == ["art-8.a", "art-8.b", "art-8~1"]
    assert by_key["art-8~1"].text.startswith("with fraudulent or dishonest intent of procuring")
    assert by_key["art-8.b"].text == "any interference with the functioning of a computer system,"


def test_other_closing_lines_belong_to_the_subparagraph_with_the_items(by_key: dict[str, Node]) -> None:
    assert by_key["art-14.3.b~1"].text.startswith(
        "that Party may reserve the right not to apply these measures"
    )
    assert by_key["art-20.1.b~1"].text.startswith("traffic data, in real-time, associated with")
    assert by_key["art-21.1.b~1"].text.startswith("content data, in real-time, of specified")
    # After the closing line, the next subparagraph continues the paragraph.
    assert by_key["art-6.1.b"].text.startswith(
        "the possession of an item referred to in paragraphs a.i or ii"
    )


def test_a_paragraph_number_alone_on_its_line_has_no_text(by_key: dict[str, Node]) -> None:
    paragraph = by_key["art-14.3"]
    assert paragraph.text == ""
    assert [child.key for child in paragraph.children] == ["art-14.3.a", "art-14.3.b"]
    assert by_key["art-24.1.a"].text.startswith("This article applies to extradition between Parties")


def test_dash_entries_after_a_lead_in_belong_to_that_paragraph(by_key: dict[str, Node]) -> None:
    paragraph = by_key["art-39.1"]
    assert paragraph.text.endswith("including the provisions of:")
    assert [child.key for child in paragraph.children] == ["art-39.1~1", "art-39.1~2", "art-39.1~3"]
    assert by_key["art-39.1~1"].text.startswith("– the European Convention on Extradition")


def test_exact_texts(by_key: dict[str, Node]) -> None:
    assert by_key["art-4.2"].text == (
        "A Party may reserve the right to require that the conduct described in paragraph 1 results in"
        " serious harm."
    )
    assert by_key["art-1.c"].text == '"service provider" means:'
    assert (
        by_key["art-48.e"].text == "any other act, notification or communication relating to this Convention."
    )
    # Printed as in the file, typos included ("domestic law,when").
    assert "under its domestic law,when committed" in by_key["art-9.1"].text
    # Non-breaking space in "11 October 1997" is kept.
    assert "10 and 11\u00a0October 1997" in by_key["pre.17"].text


def test_markdown_emphasis_is_removed_and_nothing_else(by_key: dict[str, Node]) -> None:
    assert "inter alia, include judicial or other independent supervision" in by_key["art-15.2"].text
    assert "society against cybercrime, inter alia, by adopting" in by_key["pre.4"].text
    assert "security, ordre public or other essential interests" in by_key["art-27.4.b"].text
    assert not [node.key for node in by_key.values() if "*" in node.text or "*" in node.heading]


def test_the_closing_formula_is_the_final_key(budapest: Document, by_key: dict[str, Node]) -> None:
    final = budapest.nodes[-1]
    assert final.key == "final" and final.kind == Kind.TEXT
    assert final.text.startswith("IN WITNESS WHEREOF the undersigned, being duly authorised thereto")
    assert final.text.endswith("and to any State invited to accede to it.")


def test_html_comments_are_not_imported(budapest: Document) -> None:
    everything = [budapest.title, *budapest.front_matter] + [n.text + n.heading for n in budapest.walk()]
    assert not [text for text in everything if "laws-markdown" in text or "<!--" in text]


def test_keys_are_unique_and_texts_nfc(budapest: Document) -> None:
    keys = [node.key for node in budapest.walk()]
    assert len(keys) == len(set(keys)) == 331


def test_recitals_without_blank_lines_are_still_one_per_line() -> None:
    source = (
        "# Sample\n\n## Preamble\n\nFirst sample recital,\nSecond sample recital;\n\n"
        "##### Article 1 – Sample\n\nSample text.\n"
    )
    document = finalize(parse_markdown(source))
    assert [(n.key, n.text) for n in document.nodes[0].children] == [
        ("pre.1", "First sample recital,"),
        ("pre.2", "Second sample recital;"),
    ]


def test_soft_wrapped_markdown_lines_are_joined_with_a_space() -> None:
    source = "# Sample\n\n##### Article 1 – Sample\n\n1. First line of the sample\nwrapped here.\n2. Next.\n"
    document = finalize(parse_markdown(source))
    assert [(n.key, n.text) for n in document.walk()][1:] == [
        ("art-1.1", "First line of the sample wrapped here."),
        ("art-1.2", "Next."),
    ]


def test_an_annex_may_follow_the_closing_formula() -> None:
    source = (
        "# Sample\n\n##### Article 1 – Sample\n\nSample text.\n\nIN WITNESS WHEREOF sample.\n\n"
        "## Annex\n\nSample annex text.\n\n1. Sample annex paragraph.\n"
    )
    document = parse(source)
    assert [(n.key, n.kind) for n in document.walk()] == [
        ("art-1", Kind.ARTICLE),
        ("final", Kind.TEXT),
        ("annex", Kind.ANNEX),
        ("annex.1", Kind.PARAGRAPH),
    ]
    assert document.nodes[-1].text == "Sample annex text."

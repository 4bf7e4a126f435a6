"""The partial Arabic text (arts. 1-15) imports with the same keys as the other languages."""

import pytest

from tests.conftest import ARABIC_PARTIAL
from treaty.importers.detect import parse
from treaty.importers.markers import match_heading, match_number
from treaty.importers.numbering import arabic_letter_number, heading_number
from treaty.importers.tree import Document, Node
from treaty.models import Provision

Kind = Provision.Kind


@pytest.fixture(scope="module")
def arabic() -> Document:
    return parse(ARABIC_PARTIAL.read_bytes())


@pytest.fixture(scope="module")
def by_key(arabic: Document) -> dict[str, Node]:
    return {node.key: node for node in arabic.walk()}


def test_detected_as_arabic_plain_text(arabic: Document) -> None:
    assert arabic.language == "ar"
    assert arabic.title == "اتفاقية الأمم المتحدة لمكافحة الجريمة السيبرانية"
    assert arabic.front_matter == []  # the English HTML comment at the top is not imported


def test_15_articles_without_preamble_and_chapter_i(arabic: Document) -> None:
    assert [article.number for article in arabic.articles()] == [str(n) for n in range(1, 16)]
    assert [node.key for node in arabic.nodes] == [*(f"art-{n}" for n in range(1, 7)), "ch-2"]
    chapter = arabic.nodes[-1]
    assert (chapter.label, chapter.marker, chapter.heading) == ("الفصل الثاني", "الثاني", "التجريم")
    assert [child.key for child in chapter.children] == [f"art-{n}" for n in range(7, 16)]


def test_article_headings_and_lead_ins(by_key: dict[str, Node]) -> None:
    assert (by_key["art-1"].label, by_key["art-1"].heading) == ("المادة 1", "بيان الغرض")
    assert by_key["art-1"].text == "أغراض هذه الاتفاقية هي:"
    assert by_key["art-7"].heading == "الوصول غير المشروع"
    assert by_key["art-7"].text == ""


def test_article_2_subparagraphs_run_a_to_o_in_abjad_order(by_key: dict[str, Node]) -> None:
    subparagraphs = [child for child in by_key["art-2"].children if child.kind == Kind.SUBPARAGRAPH]
    assert [child.number for child in subparagraphs] == list("abcdefghijklmno")
    assert [child.marker for child in subparagraphs][:5] == ["(أ)", "(ب)", "(ج)", "(د)", "(ه)"]
    assert by_key["art-2.o"].marker == "(س)"
    assert by_key["art-2.o"].text.startswith("”الطوارئ“ تعني حالة")


def test_items_printed_with_curly_quotes_get_roman_keys(by_key: dict[str, Node]) -> None:
    item = by_key["art-2.e.i"]
    assert (item.kind, item.marker) == (Kind.ITEM, "’1’")
    assert item.text.startswith("يوفر لمستخدمي خدمته القدرة")
    assert [child.key for child in by_key["art-2.f"].children] == ["art-2.f.i", "art-2.f.ii", "art-2.f.iii"]


def test_paragraphs_printed_with_a_dash(by_key: dict[str, Node]) -> None:
    paragraph = by_key["art-4.1"]
    assert (paragraph.kind, paragraph.marker, paragraph.label) == (Kind.PARAGRAPH, "1 -", "المادة 4(1)")
    assert paragraph.text.startswith("تكفل الدول الأطراف، لدى إنفاذ")


def test_closing_lines(by_key: dict[str, Node]) -> None:
    closing = by_key["art-11.1.a~1"]
    assert closing.kind == Kind.TEXT
    assert closing.text.startswith("بقصد استخدام ذلك الجهاز")
    assert [child.key for child in by_key["art-11.1.a"].children] == [
        "art-11.1.a.i",
        "art-11.1.a.ii",
        "art-11.1.a~1",
    ]
    assert by_key["art-11.1.b"].text.startswith("حيازة أحد الأشياء المشار إليها في الفقرة 1 (أ) ’1‘")
    assert by_key["art-13~1"].text.startswith("وذلك بقصد الاحتيال")
    assert [child.key for child in by_key["art-13"].children] == [
        "art-13.a",
        "art-13.b",
        "art-13.c",
        "art-13~1",
    ]


def test_labels_use_the_printed_markers(by_key: dict[str, Node]) -> None:
    assert by_key["art-11.1.a"].label == "المادة 11(1)(أ)"
    assert by_key["art-11.1.a.ii"].label == "المادة 11(1)(أ)(2)"
    assert by_key["art-11.1.a~1"].label == "المادة 11(1)(أ)"


def test_the_language_can_be_given(arabic: Document) -> None:
    document = parse(ARABIC_PARTIAL.read_text(encoding="utf-8"), language="en")
    keys = {node.key: node for node in document.walk()}
    assert document.language == "en"
    assert keys["art-11.1.a"].label == "Article 11(1)(أ)"
    assert [node.key for node in document.walk()] == [node.key for node in arabic.walk()]


def test_arabic_numbers() -> None:
    assert arabic_letter_number("أ") == "a"
    assert arabic_letter_number("س") == "o"
    assert arabic_letter_number("هـ") == "e"  # with a tatweel
    assert arabic_letter_number("غ") == "bb"  # the 28th letter, after z and aa
    assert heading_number("الثاني") == "2"
    assert heading_number("الأول") == heading_number("الاول") == "1"
    assert heading_number("الحادي عشر") == "11"
    assert heading_number("التاسع") == "9"
    assert heading_number("٣") == "3"


def test_arabic_markers() -> None:
    heading = match_heading("الفصل الثالث عشر: عنوان تجريبي")
    assert heading is not None and (heading.kind, heading.number, heading.heading) == (
        Kind.CHAPTER,
        "13",
        "عنوان تجريبي",
    )
    bare = match_heading("المادة ٣")
    assert bare is not None and (bare.kind, bare.number, bare.marker, bare.heading) == (
        Kind.ARTICLE,
        "3",
        "المادة ٣",
        None,
    )
    # A reference to an article inside a sentence has no separator: not a heading.
    assert match_heading("المادة 17 من هذه الاتفاقية") is None
    item = match_number("‘2’ نص تجريبي")
    assert item is not None and (item.kind, item.number) == (Kind.ITEM, "ii")
    paragraph = match_number("١٢ - نص تجريبي")
    assert paragraph is not None and (paragraph.kind, paragraph.number, paragraph.marker) == (
        Kind.PARAGRAPH,
        "12",
        "١٢ -",
    )


def test_arabic_heading_on_the_next_line_and_arabic_indic_digits() -> None:
    document = parse("عنوان تجريبي\nالمادة ١\nعنوان المادة\n١ - نص أول.\n٢ - نص ثان.\n")
    article = document.nodes[0]
    assert (article.key, article.heading) == ("art-1", "عنوان المادة")
    assert [(child.key, child.text) for child in article.children] == [
        ("art-1.1", "نص أول."),
        ("art-1.2", "نص ثان."),
    ]

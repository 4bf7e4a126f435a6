"""Bad input is refused with a message that names the line and what is wrong with it."""

import pytest

from treaty.importers.detect import parse
from treaty.importers.tree import TreatyFormatError


def _error(source: str | bytes, **kwargs: str) -> TreatyFormatError:
    with pytest.raises(TreatyFormatError) as caught:
        parse(source, **kwargs)
    return caught.value


@pytest.mark.parametrize("source", [b"", "", "  \n\n\t\n"])
def test_empty_file(source: str | bytes) -> None:
    error = _error(source)
    assert str(error) == "line 1: the file is empty: there is no treaty text to import"


def test_file_with_only_comments() -> None:
    error = _error("<!-- a note\nover two lines -->\n\n")
    assert error.line == 1
    assert "nothing but blank lines and comments" in str(error)


@pytest.mark.parametrize(
    "source",
    ["# Sample\n\n## Preamble\n\nSample recital;\n", "Sample title\n\nSample text without articles.\n"],
)
def test_file_with_no_article(source: str) -> None:
    error = _error(source)
    last_line = source.count("\n") + 1
    assert str(error) == (
        f"line {last_line}: no article found: a treaty text needs at least one 'Article N' (end of file)"
    )


def test_duplicate_article_number() -> None:
    source = (
        "# Sample\n\n##### Article 1 – A\n\nText.\n\n##### Article 2 – B\n\nText.\n\n"
        "##### Article 2 – C\n\nText.\n"
    )
    assert str(_error(source)) == "line 11: duplicate article number 2 (also on line 7)"


def test_gap_in_the_article_numbering() -> None:
    source = "Sample title\n\nArticle 1. A\n\nText.\n\nArticle 2. B\n\nText.\n\nArticle 4. C\n\nText.\n"
    assert str(_error(source)) == (
        "line 11: gap in the article numbering: Article 4 follows Article 2; missing: Article 3"
        " (pass --allow-gaps if the draft is printed so)"
    )


def test_gap_in_the_paragraph_numbering() -> None:
    source = "Sample title\n\nArticle 1. One\n\n1. First.\n\n3. Third.\n"
    assert str(_error(source)) == (
        "line 7: gap in the numbering: paragraph 3. where number 2 was expected in Article 1"
    )


def test_duplicate_subparagraph_letter() -> None:
    source = "Sample title\n\nArticle 1. One\n\nLead-in:\n\n(a) first;\n\n(b) second;\n\n(b) again.\n"
    error = _error(source)
    assert error.line == 11
    assert "duplicate: subparagraph (b)" in str(error)


def test_latin_1_bytes_are_not_utf_8() -> None:
    source = "Sample title\n\nArticle 1 - Définitions\n\nText.\n".encode("latin-1")
    assert str(_error(source)) == "line 3: not valid UTF-8 (byte 0xe9 at column 14); save the file as UTF-8"


def test_utf_16_is_refused() -> None:
    assert str(_error("Sample".encode("utf-16"))) == "line 1: the file is UTF-16; save it as UTF-8"


def test_a_byte_order_mark_is_fine() -> None:
    document = parse(b"\xef\xbb\xbfSample title\n\nArticle 1. One\n\nText.\n")
    assert document.title == "Sample title"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "Sample title\n\n1. A numbered sample.\n\nArticle 1. One\n\nText.\n",
            "line 3: a numbered paragraph (1.) before any article; it must be inside an article",
        ),
        (
            "# Sample\n\n(a) A lettered sample.\n\n##### Article 1 – One\n\nText.\n",
            "line 3: a numbered subparagraph ((a)) before any article; it must be inside an article",
        ),
        (
            "# Sample\n\n## Preamble\n\nSample recital;\n\n1. Numbered recital;\n\n"
            "##### Article 1 – A\n\nText.\n",
            "line 7: a numbered paragraph (1.) inside the preamble (recitals are not numbered);"
            " it must be inside an article",
        ),
        (
            "Sample title\n\nCHAPTER I – SAMPLE\n\nStray sample sentence.\n\nArticle 1. One\n\nText.\n",
            "line 5: text between the heading of chapter I (line 3) and its first article:"
            " 'Stray sample sentence.'; only an article can follow a heading",
        ),
        (
            "# Sample\n\n## Final provisions\n\n##### Article 1 – A\n\nText.\n",
            "line 3: heading 'Final provisions' is not a part of a treaty: expected Preamble, CHAPTER,"
            " SECTION, TITLE, Article or Annex (a single '#' marks the document title)",
        ),
        (
            "Sample title\n\nSECTION 1 – SAMPLE\n\nArticle 1. One\n\nText.\n",
            "line 3: 'SECTION 1 – SAMPLE' is not inside a chapter",
        ),
        (
            "Sample title\n\nArticle 1. One\n\nText.\n\nIN WITNESS WHEREOF the samples.\n\n"
            "Article 2. Two\n\nText.\n",
            "line 9: 'Article 2. Two' comes after the closing formula; it must come before it",
        ),
        (
            "Sample title\n\nArticle 1. One\n\nText.\n\nIN WITNESS WHEREOF the samples.\n\n1. Numbered.\n",
            "line 9: a numbered paragraph (1.) after the closing formula (line 7);"
            " it must be inside an article",
        ),
        (
            "Sample title\n\nArticle 1. One\n\nText.\n\nPreamble\n\nSample recital.\n",
            "line 7: the preamble must come before the chapters and articles",
        ),
        (
            "# Sample\n\n##### Article 1 – A\n\nText.\n\n# Another title\n",
            "line 7: a second document title 'Another title': only the first '#' heading is the title",
        ),
        (
            "# Sample\n\n<!-- a note that is never closed\n\n##### Article 1 – A\n\nText.\n",
            "line 3: an HTML comment '<!--' is never closed with '-->'",
        ),
    ],
)
def test_a_line_that_cannot_be_placed(source: str, message: str) -> None:
    assert str(_error(source)) == message


def test_every_error_names_a_line() -> None:
    sources = [
        "",
        "Sample title\n",
        "Sample title\n\n1. Numbered.\n",
        "Sample title\n\nArticle 2. A\n\nArticle 2. B\n",
        "Sample title\n\nArticle 1. A\n\n2. Second.\n",
    ]
    for source in sources:
        error = _error(source)
        assert error.line is not None and str(error).startswith(f"line {error.line}: "), source


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            b"Sample title\n\nArticle 1. One\n\nSample\x00 text.\n",
            "line 5: a NUL character (U+0000) at column 7 cannot be stored; remove it",
        ),
        (
            "# Sample\n\n##### Article 1 \ud800 A\n\nText.\n",
            "line 3: an unpaired surrogate (U+D800) at column 17 cannot be stored; remove it",
        ),
    ],
)
def test_an_unstorable_character_is_refused_with_its_line(source: str | bytes, message: str) -> None:
    assert str(_error(source)) == message


@pytest.mark.django_db
def test_import_treaty_reports_a_nul_with_its_line_and_writes_nothing(tmp_path) -> None:
    import io

    from django.core.management import CommandError, call_command

    from treaty.models import Provision, Treaty

    path = tmp_path / "sample.md"
    path.write_bytes(
        b"# Sample\n\n##### Article 1 - One\n\nPlaceholder text.\n\n##### Article 2 - Two\n\nMore\x00.\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_treaty", str(path), "--slug", "sample", "--version", "S/1", stdout=io.StringIO())
    assert str(caught.value) == (
        f"{path}: line 9: a NUL character (U+0000) at column 5 cannot be stored; remove it; "
        "nothing was imported"
    )
    assert Treaty.objects.count() == 0
    assert Provision.objects.count() == 0

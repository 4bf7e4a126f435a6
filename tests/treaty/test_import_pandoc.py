"""The pandoc (Word-converted Markdown) importer on the four EU AI Act drafts, as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import SHARED_DATA
from treaty.importers.detect import parse
from treaty.importers.pandoc_layout import looks_like_pandoc
from treaty.importers.tree import Document, TreatyFormatError
from treaty.models import DraftVersion, Provision

AI_ACT = SHARED_DATA / "eu_ai_act"
COM, SI, FR, GA = sorted(AI_ACT.glob("0*.md"))

# Not a treaty text: layout a parser must never store as words.
LAYOUT = ("{.ul}", "{.smallcaps}", "{=html}", "```", "\\(", "\\[", "<p>", "<td", "*Article", "+---", "{#")


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {path.name[:2]: parse(path.read_bytes(), allow_gaps=True) for path in (COM, SI, FR, GA)}


def _by_key(document: Document) -> dict[str, object]:
    return {node.key: node for node in document.walk()}


@pytest.mark.parametrize("path", [COM, SI, FR, GA], ids=lambda p: p.name[:2])
def test_auto_detects_pandoc(path: Path) -> None:
    assert looks_like_pandoc(path.read_text(encoding="utf-8"))
    assert parse(path.read_bytes(), allow_gaps=True).content_sha256() == (
        parse(path.read_bytes(), format="pandoc", allow_gaps=True).content_sha256()
    )


def test_layout_is_never_stored_as_text(documents: dict[str, Document]) -> None:
    for name, document in documents.items():
        for node in document.walk():
            for part in (node.text, node.heading, node.marker):
                assert not any(mark in part for mark in LAYOUT), (name, node.key, part[:80])


def test_articles_as_printed(documents: dict[str, Document]) -> None:
    general = _by_key(documents["04"])
    numbers = [a.number for a in documents["04"].articles()]
    assert (
        numbers.index("4")
        < numbers.index("4a")
        < numbers.index("4b")
        < numbers.index("4c")
        < numbers.index("5")
    )
    assert {"23a", "68a", "68b"} <= set(numbers)
    assert "52a" in [a.number for a in documents["02"].articles()]  # the Slovenian text's inserted article
    deleted = general["art-24"]
    assert deleted.text == "[deleted]" and not deleted.children  # type: ignore[attr-defined]
    assert general["art-4c"].heading == "Exceptions to Article 4b"  # type: ignore[attr-defined]
    assert general["art-6"].heading == "Classification rules for high-risk AI systems"  # type: ignore[attr-defined]
    assert len(documents["01"].articles()) == 85


def test_preamble_holds_citations_and_numbered_recitals(documents: dict[str, Document]) -> None:
    general = _by_key(documents["04"])
    assert general["pre~1"].text.startswith("Having regard to the Treaty")  # type: ignore[attr-defined]
    assert general["pre.12a"].kind == "recital"  # type: ignore[attr-defined]
    assert general["pre.5a"].label == "Preamble (5a)"  # type: ignore[attr-defined]
    recitals = [n for n in documents["04"].nodes[0].children if n.kind == "recital" and n.number]
    assert len(recitals) >= 110


def test_a_lead_in_printed_above_its_heading_is_read_under_it(documents: dict[str, Document]) -> None:
    proposal = _by_key(documents["01"])
    # The Commission proposal prints "This Regulation lays down:" above "Article 1 Subject matter".
    assert proposal["art-1"].text == "This Regulation lays down:"  # type: ignore[attr-defined]
    assert proposal["art-2.1"].text == "This Regulation applies to:"  # type: ignore[attr-defined]


def test_a_recital_split_at_a_page_break_is_joined(documents: dict[str, Document]) -> None:
    recital = _by_key(documents["01"])["pre.2"]
    assert "restrictions of the use of AI systems for 'real-time'" in recital.text  # type: ignore[attr-defined]


def test_the_french_text_has_a_gap_and_needs_allow_gaps() -> None:
    with pytest.raises(TreatyFormatError, match=r"^line 944: gap in the article numbering: Article 25 follows"
                       r" Article 23a; missing: Article 24 "):  # fmt: skip
        parse(FR.read_bytes())


PLACEHOLDER = """Having regard to the placeholder founding text,

Whereas:

(1) First placeholder recital.

{extra}

# TITLE I GENERAL PLACEHOLDERS

*Article 1 Placeholder*

1.  First placeholder paragraph.
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "# PLACEHOLDER HEADING",
            "line 7: heading 'PLACEHOLDER HEADING' cannot be placed: no title, chapter or annex above it",
        ),
    ],
)
def test_a_line_that_cannot_be_placed(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "draft.md"
    path.write_text(PLACEHOLDER.format(extra=extra) + "\n```{=html}\n<!-- -->\n```\n", encoding="utf-8")
    with pytest.raises(CommandError, match=rf"{message}; nothing was imported"):
        call_command("import_treaty", str(path), "--slug", "sample", "--version", "P/1", "--format", "pandoc")
    assert not DraftVersion.objects.exists() and not Provision.objects.exists()


@pytest.mark.django_db
def test_text_after_the_closing_formula_cannot_be_placed(tmp_path: Path) -> None:
    source = PLACEHOLDER.format(extra="") + (
        "\nThis Regulation shall be binding in its entirety.\n\n*Article 2 Placeholder*\n\n```{=html}\n```\n"
    )
    path = tmp_path / "draft.md"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"line 17: 'Article 2 Placeholder' comes after the closing formula"
    ):
        call_command("import_treaty", str(path), "--slug", "sample", "--version", "P/1", "--format", "pandoc")
    assert not DraftVersion.objects.exists()


@pytest.mark.django_db
def test_import_the_general_approach(django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(20):
        call_command(
            "import_treaty", str(GA), "--slug", "ai-act", "--version", "ST 15698/22", "--date", "2022-12-06"
        )
    version = DraftVersion.objects.get(label="ST 15698/22")
    assert version.source_format == "pandoc"  # detected
    article = Provision.objects.get(version=version, key="art-4a")
    assert article.number == "4a" and article.label == "Article 4a"

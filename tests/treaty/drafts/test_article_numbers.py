"""Article numbers as printed (DESIGN §3): 4a, 6 bis, [deleted] placeholders, numbered recitals."""

from __future__ import annotations

import pytest

from treaty.importers.detect import parse
from treaty.importers.tree import TreatyFormatError


def _markdown(*articles: str) -> str:
    body = "\n\n".join(articles)
    preamble = "## Preamble\n\nThe placeholder parties,\n\nHave agreed as follows:"
    return f"# Placeholder treaty\n\n{preamble}\n\n{body}\n"


def test_suffixed_and_latin_numbers_and_deleted_placeholders() -> None:
    document = parse(
        _markdown(
            "##### Article 6 – Placeholder\n\nSix placeholder.",
            "##### Article 6 bis – Placeholder\n\nSix bis placeholder.",
            "##### Article 6 ter\n\nSix ter placeholder.",
            "##### Article 7 [deleted]",
            "##### Article 7a – Placeholder\n\n1. Seven a placeholder.",
        )
    )
    articles = {node.key: node for node in document.articles()}
    assert list(articles) == ["art-6", "art-6bis", "art-6ter", "art-7", "art-7a"]  # ordered as printed
    assert articles["art-6bis"].label == "Article 6 bis" and articles["art-6bis"].number == "6bis"
    assert articles["art-7"].text == "[deleted]" and not articles["art-7"].children
    assert articles["art-7a"].children[0].key == "art-7a.1"


def test_a_latin_suffix_gap_names_the_missing_article() -> None:
    with pytest.raises(TreatyFormatError, match=r"missing: Article 6 bis"):
        parse(_markdown("##### Article 6\n\nSix.", "##### Article 6 ter\n\nSix ter."))


def test_articles_out_of_order_are_refused_even_with_allow_gaps() -> None:
    with pytest.raises(
        TreatyFormatError, match=r"Article 4 comes after Article 5: articles must be in order"
    ):
        parse(_markdown("##### Article 5\n\nFive.", "##### Article 4\n\nFour."), allow_gaps=True)

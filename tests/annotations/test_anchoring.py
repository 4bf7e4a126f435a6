import unicodedata

import pytest

from annotations.anchoring import (
    AnchorError,
    code_points_to_utf16,
    quote_anchor,
    utf16_to_code_points,
)

ARABIC = "تعتمد كل دولة طرف ما قد يلزم من تدابير تشريعية وتدابير أخرى"


def test_offsets_count_code_points_not_utf16_units() -> None:
    text = "Data 🔒 about 👩🏽‍💻 users and their data."
    selector = quote_anchor(text, "users")
    assert text[selector.start : selector.end] == "users"
    # In UTF-16 the emoji before it take more units than code points.
    assert code_points_to_utf16(text, selector.start) > selector.start
    assert utf16_to_code_points(text, code_points_to_utf16(text, selector.start)) == selector.start


def test_arabic_quote() -> None:
    selector = quote_anchor(ARABIC, "تدابير تشريعية")
    assert ARABIC[selector.start : selector.end] == "تدابير تشريعية"
    assert selector.prefix.endswith("من ")


def test_combining_accents_are_normalised_before_matching() -> None:
    text = unicodedata.normalize("NFC", "la coopération internationale")
    decomposed = unicodedata.normalize("NFD", "coopération")
    assert decomposed != "coopération"
    selector = quote_anchor(text, decomposed)
    assert selector.exact == "coopération"
    assert selector.end - selector.start == len("coopération")


def test_phrase_that_occurs_twice_needs_context() -> None:
    text = "computer data means data; and computer data stored in a system"
    with pytest.raises(AnchorError, match="occur 2 times"):
        quote_anchor(text, "computer data")
    second = quote_anchor(text, "computer data", prefix="and ")
    assert second.start == text.rindex("computer data")
    first = quote_anchor(text, "computer data", suffix=" means")
    assert first.start == 0


def test_offsets_disambiguate_but_must_match() -> None:
    text = "data and data"
    assert quote_anchor(text, "data", start=9, end=13).start == 9
    with pytest.raises(AnchorError, match="do not match"):
        quote_anchor(text, "data", start=1, end=5)
    with pytest.raises(AnchorError, match="outside"):
        quote_anchor(text, "data", start=10, end=99)


def test_absent_and_empty_quotes_are_refused() -> None:
    with pytest.raises(AnchorError, match="not in Article 2"):
        quote_anchor("some text", "other words", label="Article 2")
    with pytest.raises(AnchorError, match="empty"):
        quote_anchor("some text", "   ")


def test_a_selection_across_two_provisions_is_not_in_either() -> None:
    # The browser refuses such a selection; the server refuses it too if sent.
    first, second = "1. Each Party shall adopt measures.", "2. A Party may reserve the right."
    crossing = "measures. 2. A Party"
    for text in (first, second):
        with pytest.raises(AnchorError, match="not in"):
            quote_anchor(text, crossing)


def test_context_is_stored_around_the_quote() -> None:
    text = "x" * 100 + "needle" + "y" * 100
    selector = quote_anchor(text, "needle")
    assert selector.prefix == "x" * 32 and selector.suffix == "y" * 32

"""The carrying rules (DESIGN §4), on placeholder sentences: pure functions, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.anchoring import quote_anchor
from annotations.carrying.engine import (
    EXACT,
    FUZZY,
    MOVED,
    NEEDS_REVIEW,
    ORPHANED,
    Counterpart,
    Quote,
    carry,
)

OLD = "Each party shall adopt placeholder measures to protect personal data of users."


def quote(text: str, exact: str, key: str = "art-1.1") -> Quote:
    selector = quote_anchor(text, exact)
    return Quote(text, key, selector.exact, selector.prefix, selector.suffix, selector.start, selector.end)


def to(text: str, key: str = "art-1.1", relation: str = "modified", similarity: float = 0.9) -> Counterpart:
    return Counterpart(7, key, text, relation, similarity)


def test_an_unchanged_provision_carries_the_selector_as_it_is() -> None:
    q = quote(OLD, "placeholder measures")
    placed = carry(q, [to(OLD, relation="same", similarity=1.0)])
    assert (placed.state, placed.confidence, placed.start, placed.end) == (EXACT, 1.0, q.start, q.end)
    assert placed.provision_id == 7 and placed.exact == "placeholder measures"


def test_a_renumbered_provision_with_the_same_text_is_moved_with_the_same_offsets() -> None:
    q = quote(OLD, "personal data")
    placed = carry(q, [to(OLD, key="art-2.1", relation="moved", similarity=1.0)])
    assert (placed.state, placed.key, placed.start, placed.end) == (MOVED, "art-2.1", q.start, q.end)


def test_the_same_words_in_a_changed_provision_are_moved_to_their_new_offsets() -> None:
    new = "Each party shall, without delay, adopt placeholder measures to protect personal data."
    q = quote(OLD, "personal data")
    placed = carry(q, [to(new)])
    assert placed.state == MOVED and placed.confidence == 1.0
    assert new[placed.start : placed.end] == "personal data" and placed.start != q.start


def test_a_quote_whose_provision_moved_to_another_article_follows_it() -> None:
    new = "Placeholder lead-in. Each party shall adopt placeholder measures to protect personal data."
    placed = carry(
        quote(OLD, "protect personal data"), [to(new, key="art-9.3", relation="moved", similarity=0.8)]
    )
    assert (placed.state, placed.key) == (MOVED, "art-9.3")
    assert placed.exact == "protect personal data"


def test_a_deleted_provision_orphans_the_quote() -> None:
    placed = carry(quote(OLD, "personal data"), [])
    assert (placed.state, placed.confidence, placed.provision_id, placed.start) == (ORPHANED, 0.0, None, None)


def test_slightly_reworded_words_are_found_fuzzily_with_their_confidence() -> None:
    new = "Each party shall adopt placeholder measures to protect the personal data of all users."
    placed = carry(quote(OLD, "protect personal data of users"), [to(new)])
    assert placed.state == FUZZY and 0.85 <= placed.confidence < 1
    assert placed.exact == "protect the personal data of all users"


def test_words_that_changed_a_lot_need_review_with_candidates() -> None:
    new = "Each party may adopt placeholder rules that protect private records of users."
    placed = carry(quote(OLD, "protect personal data of users"), [to(new)])
    assert placed.state == NEEDS_REVIEW and 0.6 <= placed.confidence < 0.85
    assert placed.candidates and placed.candidates[0].exact == placed.exact


def test_words_that_are_gone_are_orphaned() -> None:
    new = "Zeta placeholder sentence about something else entirely, nothing alike."
    placed = carry(quote(OLD, "protect personal data of users"), [to(new)])
    assert placed.state == ORPHANED and placed.confidence < 0.6 and placed.provision_id is None


def test_a_quote_that_appears_twice_is_placed_by_its_context() -> None:
    old = "The placeholder term applies here. Later, the placeholder term applies there."
    q = Quote(old, "art-1", "placeholder term", "Later, the ", " applies there.", 46, 62)
    assert old[46:62] == "placeholder term"
    new = "Now the placeholder term applies here. Later, the placeholder term applies there."
    placed = carry(q, [to(new)])
    assert placed.state == MOVED and placed.start == 50 and new[50:66] == "placeholder term"


def test_a_quote_that_appears_twice_without_telling_context_needs_review() -> None:
    old = "Placeholder words: alpha beta gamma."
    q = quote(old, "alpha beta")
    new = "Changed. alpha beta! Changed again, alpha beta?"
    placed = carry(q, [to(new)])
    assert placed.state == NEEDS_REVIEW
    assert [c.start for c in placed.candidates] == [9, 36]


def test_emoji_count_as_one_code_point() -> None:
    old = "Placeholder 😀 text with 🇰🇪 flags and the quoted words here."
    q = quote(old, "the quoted words")
    new = "Placeholder 😀😀 text with 🇰🇪 flags and the quoted words here."
    placed = carry(q, [to(new)])
    assert placed.state == MOVED and placed.start == q.start + 1
    assert new[placed.start : placed.end] == "the quoted words"


def test_arabic_words_are_carried_and_fuzzily_matched() -> None:
    old = "تتخذ كل دولة طرف التدابير اللازمة لحماية البيانات الشخصية للمستخدمين."
    new = "تتخذ كل دولة طرف، دون تأخير، التدابير اللازمة لحماية البيانات الشخصية لجميع المستخدمين."
    placed = carry(quote(old, "البيانات الشخصية"), [to(new)])
    assert placed.state == MOVED and new[placed.start : placed.end] == "البيانات الشخصية"
    fuzzy = carry(quote(old, "لحماية البيانات الشخصية للمستخدمين"), [to(new)])
    assert fuzzy.state in (FUZZY, NEEDS_REVIEW) and "البيانات الشخصية" in fuzzy.exact


def test_a_whole_provision_follows_the_mapping_with_its_similarity() -> None:
    whole = Quote(OLD, "art-1.1")
    assert carry(whole, [to(OLD, relation="same", similarity=1.0)]).state == EXACT
    changed = carry(whole, [to("Changed placeholder text.", similarity=0.9)])
    assert (changed.state, changed.confidence, changed.start) == (FUZZY, 0.9, None)
    assert carry(whole, [to("Changed placeholder text.", similarity=0.7)]).state == NEEDS_REVIEW


def test_a_split_provision_places_the_quote_in_the_part_that_holds_it() -> None:
    parts = [
        Counterpart(8, "art-1.1", "Each party shall adopt placeholder measures.", "split", 0.6),
        Counterpart(9, "art-1.2", "Those measures protect personal data of users.", "split", 0.5),
    ]
    placed = carry(quote(OLD, "personal data of users"), parts)
    assert (placed.state, placed.provision_id, placed.key) == (MOVED, 9, "art-1.2")


words = st.text(alphabet=st.sampled_from("abcdefgh ءبت😀é"), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(before=words, exact=words, after=words, inserted=words)
def test_property_unchanged_is_exact_and_an_insertion_shifts_the_offsets(
    before: str, exact: str, after: str, inserted: str
) -> None:
    text = f"{before}⟦{exact}⟧{after}"
    marked = f"⟦{exact}⟧"  # brackets no generated text contains: the quote occurs once
    q = quote(text, marked)
    same = carry(q, [to(text, relation="same", similarity=1.0)])
    assert (same.state, same.start, same.end) == (EXACT, q.start, q.end)
    assert q.start is not None and q.end is not None
    cut = len(before) // 2
    shifted_text = text[:cut] + inserted + text[cut:]
    shifted = carry(q, [to(shifted_text)])
    assert shifted.state == MOVED
    assert (shifted.start, shifted.end) == (q.start + len(inserted), q.end + len(inserted))

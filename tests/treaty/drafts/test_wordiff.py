"""Word-level diffs: the parts give both texts back exactly, in any script."""

from __future__ import annotations

import pytest

from treaty.drafts.wordiff import word_diff

CASES = [
    ("The placeholder party shall act.", "Each placeholder party shall act promptly."),
    ("", "Only added placeholder words."),
    ("Only removed placeholder words.", ""),
    ("Same placeholder text.", "Same placeholder text."),
    ("نص تجريبي أول 🙂 هنا.", "نص تجريبي ثان 🙂 هنا وهناك."),
    ("Line one.\nLine two.", "Line one.\nLine 2, changed."),
]


@pytest.mark.parametrize(("old", "new"), CASES)
def test_parts_give_both_texts_back(old: str, new: str) -> None:
    diff = word_diff(old, new)
    assert "".join(text for op, text in diff if op != "+") == old
    assert "".join(text for op, text in diff if op != "-") == new
    assert all(op in ("=", "-", "+") and text for op, text in diff)


def test_words_are_never_cut_and_removals_come_first() -> None:
    diff = word_diff("The placeholder party shall act.", "Each placeholder party shall act promptly.")
    assert diff[:3] == [["-", "The"], ["+", "Each"], ["=", " placeholder party shall act"]]
    assert ["+", " promptly"] in diff

"""The provision matcher on small synthetic drafts (placeholder sentences, DESIGN §3 relations)."""

from __future__ import annotations

from treaty.drafts.matching import Item, Mapping, map_drafts

A = "Alpha placeholder sentence about the scope of this placeholder text."
B = "Beta placeholder sentence about the terms that this placeholder text defines."
C = "Gamma placeholder sentence about the duties of each placeholder party in full."
D = "Delta placeholder sentence about records that each placeholder party keeps."
E = "Epsilon placeholder sentence about reports sent to the placeholder secretariat."


def _items(rows: list[tuple[str, str]], base: int) -> list[Item]:
    """(key, text) rows; the unit is the article number in the key ("art-2.1" is article 2)."""
    items = []
    for order, (key, text) in enumerate(rows, start=1):
        unit = key.split(".", 1)[0].removeprefix("art-")
        items.append(Item(base + order, key, unit, order, text))
    return items


def _relations(mapping: Mapping) -> set[tuple[str, str, str]]:
    return {(m.old.key if m.old else "", m.new.key if m.new else "", m.relation) for m in mapping.matches}


def test_same() -> None:
    rows = [("art-1", ""), ("art-1.1", A), ("art-1.2", B)]
    mapping = map_drafts(_items(rows, 0), _items(rows, 100))
    assert _relations(mapping) == {
        ("art-1", "art-1", "same"),
        ("art-1.1", "art-1.1", "same"),
        ("art-1.2", "art-1.2", "same"),
    }
    assert all(m.similarity == 1.0 for m in mapping.matches)


def test_modified() -> None:
    old = _items([("art-1.1", A), ("art-1.2", B)], 0)
    new = _items([("art-1.1", A), ("art-1.2", B.replace("defines", "defines and explains"))], 100)
    match = next(m for m in map_drafts(old, new).matches if m.new and m.new.key == "art-1.2")
    assert match.relation == "modified" and 0.8 < match.similarity < 1


def test_moved_by_text_not_number() -> None:
    # Article 2 is renumbered 3 (an article inserted before it), and paragraph A moves to article 4.
    old = _items([("art-1.1", A), ("art-2.1", C), ("art-2.2", D), ("art-5.1", E)], 0)
    new = _items([("art-1.1", B), ("art-3.1", C), ("art-3.2", D), ("art-4.1", A), ("art-5.1", E)], 100)
    mapping = map_drafts(old, new)
    relations = _relations(mapping)
    assert ("art-2.1", "art-3.1", "moved") in relations and ("art-2.2", "art-3.2", "moved") in relations
    assert ("art-1.1", "art-4.1", "moved") in relations
    assert ("", "art-1.1", "added") in relations and ("art-5.1", "art-5.1", "same") in relations
    units = {(u.old, u.new) for u in mapping.units}
    assert ("2", "3") in units  # the article was found by its text


def test_split() -> None:
    old = _items([("art-1.1", f"{A} {B}"), ("art-1.2", C)], 0)
    new = _items([("art-1.1", A), ("art-1.2", B), ("art-1.3", C)], 100)
    relations = _relations(map_drafts(old, new))
    assert {("art-1.1", "art-1.1", "split"), ("art-1.1", "art-1.2", "split")} <= relations
    assert ("art-1.2", "art-1.3", "moved") in relations


def test_merged() -> None:
    old = _items([("art-1.1", A), ("art-1.2", B), ("art-1.3", C)], 0)
    new = _items([("art-1.1", f"{A} {B}"), ("art-1.2", C)], 100)
    relations = _relations(map_drafts(old, new))
    assert {("art-1.1", "art-1.1", "merged"), ("art-1.2", "art-1.1", "merged")} <= relations
    assert ("art-1.3", "art-1.2", "moved") in relations


# Unrelated placeholders: nothing in common but a few letters.
GONE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit."
FRESH = "Zebra xylophone quiz: vex jumpy fowl."


def test_added_and_deleted() -> None:
    old = _items([("art-1.1", A), ("art-1.2", GONE)], 0)
    new = _items([("art-1.1", A), ("art-1.2", FRESH)], 100)
    relations = _relations(map_drafts(old, new))
    assert ("art-1.2", "", "deleted") in relations and ("", "art-1.2", "added") in relations


def test_similarity_is_between_zero_and_one() -> None:
    old = _items([("art-1.1", A), ("art-1.2", B), ("art-2.1", C)], 0)
    new = _items([("art-1.1", A + " More."), ("art-2.1", D), ("art-2.2", C)], 100)
    assert all(0 <= m.similarity <= 1 for m in map_drafts(old, new).matches)

"""Which provision of a later draft each provision of an earlier draft became (DESIGN §3).

Pure computation on two lists of provisions, no database. In four passes:

1. Units (articles, the preamble, the final clause, annexes, headings) are paired: by number when
   the texts still resemble each other, then by text, so a renumbered or relocated article is found
   by what it says, not by its number.
2. Inside each pair of units, provisions are paired: identical text first, then the same relative
   key (paragraph 2 with paragraph 2) when the text is similar, then the most similar leftover.
3. What is left is searched across the whole text: a paragraph moved to another article.
4. A provision whose text now lies in several provisions is `split`; several provisions whose text
   now lies in one are `merged`; the rest is `deleted` or `added`.

Similarity is rapidfuzz's normalised Indel similarity (ratio) in [0, 1]; rapidfuzz is used for its
C++ speed: the AI Act's French → general approach pair (two texts of ~1,200 provisions) maps in
well under the 10 s budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

SAME, MODIFIED, MOVED, SPLIT, MERGED, ADDED, DELETED = (
    "same", "modified", "moved", "split", "merged", "added", "deleted",
)  # fmt: skip

# Below this a pair of units (or provisions under the same key) is not "the same article, changed".
UNIT_THRESHOLD = 0.5
KEY_THRESHOLD = 0.5
# Below this, two provisions under different keys are not one provision moved.
MOVE_THRESHOLD = 0.6
# How much of a part must lie inside the whole for a split or a merge (partial ratio).
PART_THRESHOLD = 0.9
PART_LENGTH = 0.8  # a part is at most this share of the whole's length
SAME_ENOUGH = 0.95  # a pair this similar is the provision itself, never one part of a split or merge


@dataclass(frozen=True)
class Item:
    """One provision, as the matcher sees it."""

    id: int
    key: str
    unit: str  # the unit it is read in: an article number, "pre", "final", "annex-1", or its own key
    order: int
    text: str  # heading and text, whitespace collapsed

    @property
    def relative_key(self) -> str:
        """The key inside its unit: "art-5.1.a" is ".1.a" in article 5, so paragraph keys pair up
        across a renumbered article."""
        head = self.key.split(".", 1)[0].split("~", 1)[0]
        return self.key[len(head) :]


@dataclass(frozen=True)
class Match:
    old: Item | None
    new: Item | None
    relation: str
    similarity: float


@dataclass(frozen=True)
class UnitMatch:
    old: str | None  # unit number in the earlier draft
    new: str | None
    similarity: float


@dataclass
class Mapping:
    matches: list[Match] = field(default_factory=list)
    units: list[UnitMatch] = field(default_factory=list)


def normalise(text: str) -> str:
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return round(fuzz.ratio(a, b) / 100, 4)


def map_drafts(old: list[Item], new: list[Item]) -> Mapping:
    state = _State(old, new)
    state.pair_units()
    pairs = [(state.old_units[o], state.new_units[n]) for o, n in state.unit_pairs.items()]
    for old_items, new_items in pairs:
        state.pair_identical_within(old_items, new_items)
    # Identical text anywhere beats a similar text under the same key: a paragraph that moved
    # to another article is that paragraph, not a rewrite of whatever now holds its old number.
    state.pair_identical_across()
    for old_items, new_items in pairs:
        state.pair_similar_within(old_items, new_items)
    state.pair_similar_across()
    state.find_splits_and_merges()
    return state.result()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class _State:
    def __init__(self, old: list[Item], new: list[Item]) -> None:
        self.old, self.new = old, new
        self.old_units = _group(old)
        self.new_units = _group(new)
        self.unit_pairs: dict[str, str] = {}
        self.unit_similarity: dict[str, float] = {}
        self.pairs: dict[int, tuple[Item, str, float]] = {}  # old id -> (new item, relation, similarity)
        self.taken: set[int] = set()  # new ids already paired
        self.parts: list[Match] = []  # split and merged rows
        self._split_done: set[int] = set()  # old ids whose text now lies in several provisions
        self._word_sets: dict[int, set[str]] = {}

    # --- pass 1: units -------------------------------------------------------------------------

    def pair_units(self) -> None:
        old_text = {
            unit: normalise(" ".join(i.text for i in items)) for unit, items in self.old_units.items()
        }
        new_text = {
            unit: normalise(" ".join(i.text for i in items)) for unit, items in self.new_units.items()
        }
        for unit in self.old_units:
            if unit in self.new_units:
                score = similarity(old_text[unit], new_text[unit])
                if score >= UNIT_THRESHOLD:
                    self._pair_unit(unit, unit, score)
        old_left = [u for u in self.old_units if u not in self.unit_pairs]
        new_left = [u for u in self.new_units if u not in self.unit_pairs.values()]
        if not old_left or not new_left:
            return
        # Renumbered or relocated: the cheap word-set overlap shortlists, the ratio decides.
        old_words = {u: _words(old_text[u]) for u in old_left}
        new_words = {u: _words(new_text[u]) for u in new_left}
        candidates = []
        for o in old_left:
            for n in new_left:
                overlap = _jaccard(old_words[o], new_words[n])
                if overlap >= UNIT_THRESHOLD / 2:
                    candidates.append((similarity(old_text[o], new_text[n]), o, n))
        for score, o, n in sorted(candidates, reverse=True):
            if score < UNIT_THRESHOLD:
                break
            if o not in self.unit_pairs and n not in self.unit_pairs.values():
                self._pair_unit(o, n, score)

    def _pair_unit(self, old_unit: str, new_unit: str, score: float) -> None:
        self.unit_pairs[old_unit] = new_unit
        self.unit_similarity[old_unit] = score

    # --- pass 2: inside paired units -----------------------------------------------------------

    def pair_identical_within(self, old_items: list[Item], new_items: list[Item]) -> None:
        by_text: dict[str, list[Item]] = {}
        for item in new_items:
            by_text.setdefault(item.text, []).append(item)
        by_key = {item.relative_key: item for item in new_items}
        # Identical text under the same relative key, then identical text anywhere in the unit.
        for item in old_items:
            twin = by_key.get(item.relative_key)
            if twin is not None and twin.text == item.text and twin.id not in self.taken:
                self._pair(item, twin, 1.0)
        for item in old_items:
            if item.id in self.pairs:
                continue
            twin = next((t for t in by_text.get(item.text, []) if t.id not in self.taken), None)
            if twin is not None:
                self._pair(item, twin, 1.0)

    def pair_similar_within(self, old_items: list[Item], new_items: list[Item]) -> None:
        by_key = {item.relative_key: item for item in new_items}
        # The same relative key with a similar text: the provision, modified.
        for item in old_items:
            if item.id in self.pairs:
                continue
            twin = by_key.get(item.relative_key)
            if twin is not None and twin.id not in self.taken:
                score = similarity(item.text, twin.text)
                if score >= KEY_THRESHOLD:
                    self._pair(item, twin, score)
        self._pair_best(
            [i for i in old_items if i.id not in self.pairs], [i for i in new_items if i.id not in self.taken]
        )

    # --- pass 3: across the whole text ---------------------------------------------------------

    def pair_identical_across(self) -> None:
        by_text: dict[str, list[Item]] = {}
        for item in self.new:
            if item.id not in self.taken and item.text:
                by_text.setdefault(item.text, []).append(item)
        for item in self.old:
            if item.id in self.pairs or not item.text:
                continue
            twin = next((t for t in by_text.get(item.text, []) if t.id not in self.taken), None)
            if twin is not None:
                self._pair(item, twin, 1.0)

    def pair_similar_across(self) -> None:
        self._pair_best(
            [i for i in self.old if i.id not in self.pairs], [i for i in self.new if i.id not in self.taken]
        )

    def _pair_best(self, old_items: list[Item], new_items: list[Item]) -> None:
        """Greedy best-first pairing of the most similar leftovers."""
        old_items = [i for i in old_items if i.text]
        new_items = [i for i in new_items if i.text]
        if not old_items or not new_items:
            return
        texts = [i.text for i in new_items]
        candidates = []
        for r, item in enumerate(old_items):
            # One C++ call per row; `limit=None` keeps every candidate above the cut-off.
            for _, score, c in process.extract(
                item.text, texts, scorer=fuzz.ratio, score_cutoff=MOVE_THRESHOLD * 100, limit=None
            ):
                candidates.append((float(score), r, c))
        for score, r, c in sorted(candidates, key=lambda t: (-t[0], t[1], t[2])):
            old_item, new_item = old_items[r], new_items[c]
            if old_item.id in self.pairs or new_item.id in self.taken:
                continue
            self._pair(old_item, new_item, round(score / 100, 4))

    def _pair(self, old_item: Item, new_item: Item, score: float) -> None:
        if old_item.key == new_item.key:
            relation = SAME if old_item.text == new_item.text else MODIFIED
        else:
            relation = MOVED
        self.pairs[old_item.id] = (new_item, relation, score)
        self.taken.add(new_item.id)

    # --- pass 4: splits and merges -------------------------------------------------------------

    def find_splits_and_merges(self) -> None:
        new_left = [i for i in self.new if i.id not in self.taken and i.text]
        old_left = [i for i in self.old if i.id not in self.pairs and i.text]
        split_parts: dict[int, list[tuple[Item, float]]] = {}
        for part in new_left:
            found = self._containing(part, self.old, within=self._old_unit_for_new(part.unit))
            if found is not None:
                split_parts.setdefault(found[0].id, []).append((part, found[1]))
        old_by_id = {i.id: i for i in self.old}
        for whole_id, parts in split_parts.items():
            whole = old_by_id[whole_id]
            paired = self.pairs.get(whole_id)
            if paired is not None:
                # Its first part kept the key: that pair is part of the split too (unless it is the
                # whole text still, and the other "parts" merely resemble pieces of it).
                first, _, score = paired
                if score >= SAME_ENOUGH or not _inside(first.text, whole.text):
                    continue
                del self.pairs[whole_id]
                parts = [(first, _part_score(first.text, whole.text)), *parts]
            elif len(parts) < 2:
                continue
            for part, score in parts:
                self.parts.append(Match(whole, part, SPLIT, score))
                self.taken.add(part.id)
            self.pairs.pop(whole_id, None)
            self._split_done.add(whole_id)
        merge_parts: dict[int, list[tuple[Item, float]]] = {}
        for part in old_left:
            if part.id in self._split_done:
                continue
            found = self._containing(part, self.new, within=self.unit_pairs.get(part.unit))
            if found is not None:
                merge_parts.setdefault(found[0].id, []).append((part, found[1]))
        new_by_id = {i.id: i for i in self.new}
        paired_by_new = {new.id: old_id for old_id, (new, _, _) in self.pairs.items()}
        for whole_id, parts in merge_parts.items():
            whole = new_by_id[whole_id]
            old_id = paired_by_new.get(whole_id)
            if old_id is not None:
                first = old_by_id[old_id]
                if self.pairs[old_id][2] >= SAME_ENOUGH or not _inside(first.text, whole.text):
                    continue
                del self.pairs[old_id]
                parts = [(first, _part_score(first.text, whole.text)), *parts]
            elif len(parts) < 2:
                continue
            for part, score in parts:
                self.parts.append(Match(part, whole, MERGED, score))
            self.taken.add(whole_id)

    def _words_of(self, item: Item) -> set[str]:
        words = self._word_sets.get(item.id)
        if words is None:
            words = self._word_sets[item.id] = _words(item.text)
        return words

    def _old_unit_for_new(self, unit: str) -> str | None:
        return next((o for o, n in self.unit_pairs.items() if n == unit), None)

    def _containing(self, part: Item, wholes: list[Item], within: str | None) -> tuple[Item, float] | None:
        """The provision (in the paired unit, or unpaired anywhere) whose text holds `part`'s."""
        best: tuple[Item, float] | None = None
        part_words = self._words_of(part)
        for whole in wholes:
            # A part is clearly shorter than the whole, or it is a rewording, not a piece of it.
            if len(part.text) > PART_LENGTH * len(whole.text) or (
                within is not None and whole.unit != within
            ):
                continue
            # The partial ratio is costly on long texts: first, most of the words must be there.
            if len(part_words & self._words_of(whole)) < 0.8 * len(part_words):
                continue
            if not _inside(part.text, whole.text):
                continue
            score = _part_score(part.text, whole.text)
            if best is None or score > best[1]:
                best = (whole, score)
        return best

    # --- result --------------------------------------------------------------------------------

    def result(self) -> Mapping:
        mapping = Mapping()
        done_old = {m.old.id for m in self.parts if m.old} | set(self.pairs)
        done_new = {m.new.id for m in self.parts if m.new} | self.taken
        for item in self.old:
            if item.id in self.pairs:
                new_item, relation, score = self.pairs[item.id]
                mapping.matches.append(Match(item, new_item, relation, score))
            elif item.id not in done_old:
                mapping.matches.append(Match(item, None, DELETED, 0.0))
        mapping.matches += self.parts
        mapping.matches += [Match(None, item, ADDED, 0.0) for item in self.new if item.id not in done_new]
        for unit in self.old_units:
            if unit in self.unit_pairs:
                mapping.units.append(UnitMatch(unit, self.unit_pairs[unit], self.unit_similarity[unit]))
            else:
                mapping.units.append(UnitMatch(unit, None, 0.0))
        paired_new = set(self.unit_pairs.values())
        mapping.units += [UnitMatch(None, unit, 0.0) for unit in self.new_units if unit not in paired_new]
        return mapping


def _inside(part: str, whole: str) -> bool:
    return len(part) >= 20 and (part in whole or fuzz.partial_ratio(part, whole) >= PART_THRESHOLD * 100)


def _part_score(part: str, whole: str) -> float:
    return round(fuzz.partial_ratio(part, whole) / 100, 4)


def _group(items: Iterable[Item]) -> dict[str, list[Item]]:
    units: dict[str, list[Item]] = {}
    for item in items:
        units.setdefault(item.unit, []).append(item)
    return units

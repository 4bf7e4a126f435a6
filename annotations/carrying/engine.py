"""Where a target of an earlier draft lies in a later one: pure functions, no database.

The rules of DESIGN §4 "Carrying anchors", in order:

1. The earlier provision maps nowhere (deleted): `orphaned`.
2. A mapped provision has the very same text: the selector carries over unchanged (`exact`; `moved`
   when the provision's key changed, i.e. it was renumbered or relocated).
3. The quote occurs verbatim in the mapped provision(s), exactly once or singled out by its
   prefix/suffix: `moved` (the same words, elsewhere).
4. Otherwise the best approximate passage: `fuzzy` at confidence ≥ 0.85 with a clear margin over
   the runner-up, `needs_review` from 0.6 (or a tie), `orphaned` below.

A target without a quote (a whole article or paragraph) follows the mapping, with the mapping's
similarity as its confidence.

Offsets count Unicode code points (Python str indices), `end` exclusive, as targets do.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from annotations.anchoring import CONTEXT_LENGTH

EXACT, MOVED, FUZZY, NEEDS_REVIEW, ORPHANED = "exact", "moved", "fuzzy", "needs_review", "orphaned"
FUZZY_THRESHOLD = 0.85
REVIEW_THRESHOLD = 0.6
# How far the best passage must be ahead of the runner-up to be taken without a person's look.
CLEAR_MARGIN = 0.05
MAX_CANDIDATES = 3
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Quote:
    """What the commenter read: the provision's text there and, optionally, words in it."""

    text: str
    key: str
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Counterpart:
    """A provision of the later draft that the earlier provision maps to (ProvisionMapping)."""

    provision_id: int
    key: str
    text: str
    relation: str
    similarity: float


@dataclass(frozen=True)
class Candidate:
    provision_id: int
    key: str
    start: int | None
    end: int | None
    exact: str
    score: float


@dataclass(frozen=True)
class Placement:
    """The outcome of carrying one target: a state, a confidence and, unless orphaned, where."""

    state: str
    confidence: float
    provision_id: int | None = None
    key: str = ""
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    candidates: list[Candidate] = field(default_factory=list)


def carry(quote: Quote, counterparts: list[Counterpart]) -> Placement:
    """Place `quote` in the later draft, given the provisions its provision maps to."""
    mapped = sorted(
        (c for c in counterparts if c.provision_id is not None),
        key=lambda c: (-c.similarity, c.provision_id),
    )
    if not mapped:
        return Placement(ORPHANED, 0.0)
    if not quote.exact:
        return _carry_whole(quote, mapped)
    for counterpart in mapped:
        if counterpart.text == quote.text and quote.start is not None and quote.end is not None:
            state = EXACT if counterpart.key == quote.key else MOVED
            return _placed(state, 1.0, counterpart, quote.start, quote.end)
    found = _verbatim(quote, mapped)
    if found is not None:
        return found
    return _approximate(quote, mapped)


def _carry_whole(quote: Quote, mapped: list[Counterpart]) -> Placement:
    best = mapped[0]
    if best.text == quote.text:
        state, confidence = (EXACT if best.key == quote.key else MOVED), 1.0
    else:
        confidence = round(best.similarity, 4)
        state = FUZZY if confidence >= FUZZY_THRESHOLD else NEEDS_REVIEW
    candidates = [Candidate(c.provision_id, c.key, None, None, "", round(c.similarity, 4)) for c in mapped]
    return Placement(
        state,
        confidence,
        best.provision_id,
        best.key,
        candidates=candidates[:MAX_CANDIDATES] if state == NEEDS_REVIEW else [],
    )


def _verbatim(quote: Quote, mapped: list[Counterpart]) -> Placement | None:
    """The quote's exact words, found once (or singled out by their context) in the mapped text."""
    hits = [(c, at) for c in mapped for at in _occurrences(c.text, quote.exact)]
    if not hits:
        return None
    if len(hits) == 1:
        counterpart, at = hits[0]
        return _placed(MOVED, 1.0, counterpart, at, at + len(quote.exact))
    scored = sorted(
        ((_context_score(c.text, at, at + len(quote.exact), quote), c, at) for c, at in hits),
        key=lambda t: -t[0],
    )
    best_score, counterpart, at = scored[0]
    if best_score > 0 and best_score > scored[1][0]:
        return _placed(MOVED, 1.0, counterpart, at, at + len(quote.exact))
    # The same words several times and nothing to tell them apart: a person chooses.
    candidates = [
        Candidate(c.provision_id, c.key, at, at + len(quote.exact), quote.exact, 1.0)
        for _, c, at in scored[:MAX_CANDIDATES]
    ]
    return _placed(NEEDS_REVIEW, 1.0 - CLEAR_MARGIN, counterpart, at, at + len(quote.exact), candidates)


def _approximate(quote: Quote, mapped: list[Counterpart]) -> Placement:
    found: list[Candidate] = []
    for counterpart in mapped:
        text = counterpart.text
        for _ in range(2):  # the best passage, then the best one elsewhere in the same provision
            candidate = _best_passage(quote.exact, counterpart, text)
            if candidate is None:
                break
            found.append(candidate)
            assert candidate.start is not None and candidate.end is not None
            # Blank the passage out (same length, so offsets hold) to find the runner-up.
            text = text[: candidate.start] + "\0" * (candidate.end - candidate.start) + text[candidate.end :]
    found.sort(key=lambda c: (-c.score, c.provision_id, c.start or 0))
    if not found or found[0].score < REVIEW_THRESHOLD:
        return Placement(ORPHANED, found[0].score if found else 0.0, candidates=found[:MAX_CANDIDATES])
    best = found[0]
    runner_up = found[1].score if len(found) > 1 else 0.0
    counterpart = next(c for c in mapped if c.provision_id == best.provision_id)
    assert best.start is not None and best.end is not None
    if best.score >= FUZZY_THRESHOLD and best.score - runner_up >= CLEAR_MARGIN:
        return _placed(FUZZY, best.score, counterpart, best.start, best.end)
    return _placed(NEEDS_REVIEW, best.score, counterpart, best.start, best.end, found[:MAX_CANDIDATES])


def _best_passage(exact: str, counterpart: Counterpart, text: str) -> Candidate | None:
    if not text.strip("\0 "):
        return None
    alignment = fuzz.partial_ratio_alignment(exact, text)
    if alignment is None or alignment.score == 0:
        return None
    start, end = _snap_to_words(counterpart.text, alignment.dest_start, alignment.dest_end)
    if start >= end or "\0" in text[start:end]:
        start, end = alignment.dest_start, alignment.dest_end
    if start >= end:
        return None
    start, end, score = _widen(exact, text, start, end)
    return Candidate(
        counterpart.provision_id, counterpart.key, start, end, counterpart.text[start:end], score
    )


def _widen(exact: str, text: str, start: int, end: int) -> tuple[int, int, float]:
    """Move the passage's edges word by word while that makes it more like the quote.

    The alignment's window is as long as the quote, so words added inside the quoted passage
    push its last words out; its score also rewards a short text found inside a long quote. The
    similarity of the whole quote to the whole passage does neither."""
    edges = _word_edges(text)
    starts, ends = edges
    best = Indel.normalized_similarity(exact, text[start:end])
    for _ in range(2):
        for candidate in _near(starts, start):
            if candidate < end and "\0" not in text[candidate:end]:
                score = Indel.normalized_similarity(exact, text[candidate:end])
                if score > best:
                    best, start = score, candidate
        for candidate in _near(ends, end):
            if candidate > start and "\0" not in text[start:candidate]:
                score = Indel.normalized_similarity(exact, text[start:candidate])
                if score > best:
                    best, end = score, candidate
    return start, end, round(best, 4)


WIDEN_WORDS = 6


def _near(positions: list[int], at: int) -> list[int]:
    index = bisect.bisect_left(positions, at)
    return positions[max(0, index - WIDEN_WORDS) : index + WIDEN_WORDS + 1]


@functools.lru_cache(maxsize=256)
def _word_edges(text: str) -> tuple[list[int], list[int]]:
    spans = [m.span() for m in _WORD.finditer(text)]
    return [s for s, _ in spans], [e for _, e in spans]


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a passage to whole words, and trim the spaces at its edges."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and end > 0 and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _occurrences(text: str, exact: str) -> list[int]:
    found, at = [], text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _context_score(text: str, start: int, end: int, quote: Quote) -> int:
    """How many characters of the quote's recorded prefix and suffix agree with this occurrence."""
    before, after = text[:start], text[end:]
    return _common_suffix(before, quote.prefix) + _common_prefix(after, quote.suffix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _placed(
    state: str,
    confidence: float,
    counterpart: Counterpart,
    start: int,
    end: int,
    candidates: list[Candidate] | None = None,
) -> Placement:
    text = counterpart.text
    return Placement(
        state,
        confidence,
        provision_id=counterpart.provision_id,
        key=counterpart.key,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
        candidates=candidates or [],
    )

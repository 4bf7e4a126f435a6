"""Quotes inside provisions: find them, refuse absent or ambiguous ones, compute the selector.

All offsets count Unicode code points of the provision text (Python str indices), `end`
exclusive (DESIGN §4). Browsers count UTF-16 code units; `utf16_to_code_points` converts.
The client's offsets are never trusted: the selector is always derived from the quote.
"""

import unicodedata
from dataclasses import dataclass

# Context stored around a quote, as W3C TextQuoteSelector prefix / suffix.
CONTEXT_LENGTH = 32
QUOTE_MAX_LENGTH = 5_000


class AnchorError(ValueError):
    """The quote cannot be anchored. The message says why, for the person who selected it."""


@dataclass(frozen=True)
class Selector:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def quote_anchor(
    text: str,
    exact: str,
    *,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
    label: str = "the provision",
) -> Selector:
    """Locate `exact` in `text`, using `prefix` / `suffix` or code point offsets to choose among repeats.

    Offsets, when given, are only a hint that must agree with the quote.
    """
    exact = unicodedata.normalize("NFC", exact)
    prefix = unicodedata.normalize("NFC", prefix)
    suffix = unicodedata.normalize("NFC", suffix)
    if not exact.strip():
        raise AnchorError("The quote is empty: select or type the words you are commenting on.")
    if len(exact) > QUOTE_MAX_LENGTH:
        raise AnchorError(
            f"The quote is longer than {QUOTE_MAX_LENGTH} characters: annotate the whole provision instead."
        )
    if start is not None or end is not None:
        return _anchor_at(text, exact, start, end, label)
    starts = _occurrences(text, exact)
    if not starts:
        raise AnchorError(f"The quoted words are not in {label}: “{_shorten(exact)}”.")
    candidates = [s for s in starts if _context_matches(text, s, s + len(exact), prefix, suffix)]
    if not candidates:
        raise AnchorError(
            f"The quoted words occur in {label}, but not with the given prefix/suffix: “{_shorten(exact)}”."
        )
    if len(candidates) > 1:
        raise AnchorError(
            f"The quoted words occur {len(candidates)} times in {label}: “{_shorten(exact)}”. "
            "Select a longer passage, or give the words just before or after it (prefix / suffix)."
        )
    return _selector(text, candidates[0], candidates[0] + len(exact))


def _anchor_at(text: str, exact: str, start: int | None, end: int | None, label: str) -> Selector:
    if start is None or end is None:
        raise AnchorError("Give both start and end offsets, or neither.")
    if not 0 <= start < end <= len(text):
        raise AnchorError(f"The offsets {start}–{end} are outside {label}, which has {len(text)} characters.")
    if text[start:end] != exact:
        raise AnchorError(f"The offsets {start}–{end} do not match the quoted words in {label}.")
    return _selector(text, start, end)


def _selector(text: str, start: int, end: int) -> Selector:
    return Selector(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def _occurrences(text: str, exact: str) -> list[int]:
    found, at = [], text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _context_matches(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    # Browsers may trim or collapse whitespace at the edges of the context they send.
    before = text[:start]
    after = text[end:]
    return (not prefix or before.endswith(prefix) or before.rstrip().endswith(prefix.rstrip())) and (
        not suffix or after.startswith(suffix) or after.lstrip().startswith(suffix.lstrip())
    )


def _shorten(quote: str, limit: int = 80) -> str:
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def utf16_to_code_points(text: str, offset: int) -> int:
    """The code point index of a UTF-16 offset into `text` (as a browser's Range reports it)."""
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    if units == offset:
        return len(text)
    raise AnchorError(f"Offset {offset} is beyond the end of the text.")


def code_points_to_utf16(text: str, index: int) -> int:
    if not 0 <= index <= len(text):
        raise AnchorError(f"Offset {index} is beyond the end of the text.")
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text[:index])

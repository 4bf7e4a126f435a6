"""Comment text made comparable: what two near-identical comments share once the noise is gone.

A comment is normalised (Unicode NFKC, casefold, Arabic letter variants and marks folded,
punctuation dropped), its signature block is cut, and it is split into sentences and tokens:
words where the script spaces its words, single characters in Chinese and Japanese, which do
not. Shingles are runs of `SHINGLE_TOKENS` tokens inside one sentence, so reordering the
sentences of a letter leaves its shingle set unchanged. Shingles found in the treaty text are
dropped: two comments quoting the same paragraph verbatim share those words and nothing else.
"""

import re
import unicodedata
from collections.abc import Iterable

SHINGLE_TOKENS = 3  # _long_and_short zips three token lists: change both together
# Below this many shingles a comment is too short to say that it is one of a campaign: an
# empty, one-word or "I agree" comment never groups.
MIN_SHINGLES = 3

# Arabic: harakat, superscript alef and tatweel carry no difference between two copies of a
# letter; the alef, yeh and teh marbuta variants are spelled either way by the same writers.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
# Sentence ends in the six UN languages (Arabic question mark and semicolon, ideographic stop).
_SENTENCE_END = re.compile(r"[.!?;\n。！？؟؛…]+")
# Scripts written without spaces (kana, CJK ideographs): each character is a token.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
# A line that opens a signature block: "--", or a sign-off in one of the six languages.
_SIGN_OFF = re.compile(
    r"^\s*(--+|—|(kind |best |warm )?regards|sincerely|yours( truly| faithfully| sincerely)?|"
    r"best|thanks|thank you|signed|cordialement|bien à vous|atentamente|saludos|un saludo|"
    r"с уважением|спасибо|مع (خالص )?التحيه|وتفضلوا|此致|敬礼|谢谢)\b[\s,.:!—-]*",
    re.IGNORECASE,
)
# A closing line this short with no sentence end is a name or an organisation, not the letter.
_SIGNATURE_LINE_WORDS = 6


def normalised(text: str) -> str:
    """NFKC, casefolded, Arabic folded: the form every later step reads."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)


def without_signature(text: str) -> str:
    """The text above its signature block (a sign-off line, or short closing lines)."""
    lines = [line for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if index > 0 and _SIGN_OFF.match(line):
            lines = lines[:index]
            break
    # Short closing lines without a sentence end ("Jane Doe", "Amnesty, Nairobi").
    while len(lines) > 1:
        last = lines[-1].strip()
        if len(_TOKEN.findall(last)) > _SIGNATURE_LINE_WORDS or last.endswith((".", "!", "?", "。", "؟")):
            break
        lines.pop()
    return "\n".join(lines)


def sentences_tokens(text: str) -> list[list[str]]:
    """The tokens of each sentence of a normalised text."""
    return [tokens for part in _SENTENCE_END.split(text) if (tokens := _TOKEN.findall(part))]


def _long_and_short(sentences: Iterable[list[str]]) -> tuple[set[str], set[str]]:
    """Runs of SHINGLE_TOKENS tokens, and the sentences shorter than that (each one shingle)."""
    long: set[str] = set()
    short: set[str] = set()
    join = " ".join
    for tokens in sentences:
        if len(tokens) < SHINGLE_TOKENS:
            short.add(join(tokens))
        else:
            long.update(map(join, zip(tokens, tokens[1:], tokens[2:], strict=False)))
    return long, short


def shingles_of(sentences: Iterable[list[str]]) -> set[str]:
    """Runs of SHINGLE_TOKENS tokens within each sentence (a shorter sentence is one shingle)."""
    long, short = _long_and_short(sentences)
    return long | short


def treaty_shingles(provision_texts: Iterable[str]) -> frozenset[str]:
    """Every shingle of a draft's text: what a comment quoting it verbatim shares with others."""
    found: set[str] = set()
    for text in provision_texts:
        found |= shingles_of(sentences_tokens(normalised(text)))
    return frozenset(found)


def comment_shingles(body: str, *, treaty: frozenset[str] = frozenset()) -> set[str]:
    """The shingles two copies of a comment share, its signature and treaty quotes left out.

    Empty when the comment is too short to be told apart from chance: it never groups (a
    sentence of one or two words makes one short shingle, which does not count towards it).
    """
    long, short = _long_and_short(sentences_tokens(without_signature(normalised(body))))
    if treaty:
        long -= treaty
        short -= treaty
    if len(long) < MIN_SHINGLES:
        return set()
    return long | short

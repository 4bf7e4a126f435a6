"""Numbers as treaties print them, and the normalised numbers provision keys use (DESIGN §3).

"CHAPTER II" and "الفصل الثاني" are chapter "2"; "(أ)" is subparagraph "a"; "’1’" is item "i";
Arabic-Indic digits become ASCII. "Article premier" is article "1", "第十二条" article "12", the
Russian "в)" and the Chinese "(三)" or "㈢" subparagraph "c".
"""

from __future__ import annotations

import re

from treaty.importers.tree import roman_to_int

# Arabic subparagraphs are lettered in abjad order, so (أ) (ب) (ج) (د) (ه) ... are a b c d e ...
ABJAD = "أبجدهوزحطيكلمنسعفصقرشتثخذضظغ"
# Spellings of the same letter seen in copied texts: a bare alef for أ, alef maqsura for ي.
ABJAD_VARIANTS = {"ا": "أ", "إ": "أ", "آ": "أ", "ى": "ي"}
TATWEEL = "ـ"  # stretches a letter, as in (هـ); not part of it

_ARABIC_INDIC_DIGITS = str.maketrans(
    "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "012345678901234567890123456789"
)

_ROMAN_NUMERAL = re.compile(r"^m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")

_ARABIC_UNITS = ["الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]


def _arabic_ordinals() -> dict[str, int]:
    """Ordinal words of chapters with a bare alef (see `normalise_alef`): الاول ... التاسع والعشرون."""
    ordinals = {word: position for position, word in enumerate(_ARABIC_UNITS, start=1)}
    ordinals["العاشر"] = 10
    ordinals["الحادي عشر"] = 11
    ordinals["العشرون"] = 20
    ordinals["الحادي والعشرون"] = 21
    for position, word in enumerate(_ARABIC_UNITS[1:], start=2):
        ordinals[f"{word} عشر"] = 10 + position
        ordinals[f"{word} والعشرون"] = 20 + position
    return ordinals


ARABIC_ORDINALS = _arabic_ordinals()


def normalise_alef(text: str) -> str:
    return re.sub("[أإآ]", "ا", text)


def ascii_digits(text: str) -> str:
    return text.translate(_ARABIC_INDIC_DIGITS)


def is_roman(numeral: str) -> bool:
    return bool(numeral) and bool(_ROMAN_NUMERAL.match(numeral.lower()))


def int_to_roman(number: int) -> str:
    """Lower-case roman numeral, as item keys use: 2 -> "ii"."""
    parts = []
    for value, symbol in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        count, number = divmod(number, value)
        parts.append(symbol * count)
    return "".join(parts)


def letters_for_position(position: int) -> str:
    """1 -> "a", 26 -> "z", 27 -> "aa", 28 -> "bb": how lettered lists continue after z."""
    if position <= 26:
        return chr(ord("a") + position - 1)
    return chr(ord("a") + position - 27) * 2


def is_latin_letter_number(number: str) -> bool:
    """ "a" ... "z" or a doubled letter "aa", "bb" (what comes after z)."""
    return bool(re.fullmatch(r"([a-z])\1?", number))


def arabic_letter_number(letter: str) -> str:
    """The Latin letter at the same abjad position: "أ" -> "a", "س" -> "o"."""
    letter = letter.replace(TATWEEL, "")
    letter = ABJAD_VARIANTS.get(letter, letter)
    return letters_for_position(ABJAD.index(letter) + 1)


def arabic_item_number(digits: str) -> str:
    """Arabic items are printed ’1’, ’2’ ...; their keys use roman numerals like the other languages."""
    return int_to_roman(int(ascii_digits(digits)))


def heading_number(numeral: str) -> str:
    """Chapter, section and title numbers: "II", "2", "٢", "الثاني", "二" or "premier" -> "2"."""
    numeral = ascii_digits(numeral.strip())
    if numeral.isdigit():
        return str(int(numeral))
    if is_roman(numeral):
        return str(roman_to_int(numeral))
    if numeral.lower() in FIRST_WORDS:
        return "1"
    if numeral and set(numeral) <= set(CHINESE_DIGITS) | set(_CHINESE_UNITS):
        return str(chinese_number(numeral))
    return str(ARABIC_ORDINALS[normalise_alef(numeral)])


# "Article premier", "Chapitre premier": French prints the first of a series as a word.
FIRST_WORDS = frozenset({"premier", "première", "primero", "primera"})

# Russian lists are lettered а) б) в) г) д) е) ж) з) и) к) ...: ё, й and the signs are skipped,
# so the position in this string is the position of the Latin letter the key uses.
CYRILLIC_LIST_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"


def cyrillic_letter_number(letter: str) -> str:
    """ "а" -> "a", "в" -> "c", "и" -> "i", "к" -> "j": the Latin letter at the same position."""
    return letters_for_position(CYRILLIC_LIST_LETTERS.index(letter.lower()) + 1)


# Chinese numerals as UN texts print them: 一 ... 九, 十, 百; 〇 or 零 inside (一百零二).
CHINESE_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_UNITS = {"十": 10, "百": 100}
# ㈠ ... ㈩: one character for "(一)" ... "(十)".
PARENTHESISED_IDEOGRAPHS = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"


def chinese_number(numeral: str) -> int:
    """ "十二" -> 12, "二十" -> 20, "一百零二" -> 102; "㈢" -> 3; ASCII or full-width digits too."""
    if len(numeral) == 1 and numeral in PARENTHESISED_IDEOGRAPHS:
        return PARENTHESISED_IDEOGRAPHS.index(numeral) + 1
    digits = numeral.translate(_FULLWIDTH_DIGITS)
    if digits.isdigit():
        return int(digits)
    total, pending = 0, 0
    for char in numeral:
        if char in CHINESE_DIGITS:
            pending = CHINESE_DIGITS[char]
        elif char in _CHINESE_UNITS:
            total += (pending or 1) * _CHINESE_UNITS[char]  # "十二": the 十 alone is ten
            pending = 0
        else:
            raise ValueError(f"{numeral!r} is not a Chinese numeral")
    return total + pending


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def chinese_letter_number(numeral: str) -> str:
    """Chinese subparagraphs (一) (二) (三) or ㈠ ㈡ ㈢ are keyed a b c by position."""
    return letters_for_position(chinese_number(numeral))

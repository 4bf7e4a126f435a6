"""What two copies of a comment share once normalised (annotations.campaigns.normalise)."""

from annotations.campaigns.normalise import comment_shingles, normalised, treaty_shingles, without_signature
from annotations.campaigns.signatures import THRESHOLD, signature_of, similarity

LETTER = (
    "We oppose this article because it criminalises security research without any intent "
    "requirement. Researchers who report flaws in good faith would face prosecution. "
    "Please add a public interest defence for researchers and journalists."
)


def jaccard(a: str, b: str, treaty: frozenset[str] = frozenset()) -> float:
    first, second = comment_shingles(a, treaty=treaty), comment_shingles(b, treaty=treaty)
    return len(first & second) / len(first | second) if first and second else 0.0


def estimated(a: str, b: str) -> float:
    return similarity(signature_of(comment_shingles(a)), signature_of(comment_shingles(b)))


def test_case_width_whitespace_and_punctuation_do_not_matter() -> None:
    shouted = LETTER.upper().replace(" ", "   ").replace(",", " ,").replace("article", "ａｒｔｉｃｌｅ")
    assert comment_shingles(shouted) == comment_shingles(LETTER)


def test_a_few_edited_words_stay_near_identical() -> None:
    edited = LETTER.replace("oppose", "strongly oppose").replace("would face", "could face")
    assert jaccard(LETTER, edited) >= THRESHOLD
    assert estimated(LETTER, edited) >= THRESHOLD


def test_reordered_sentences_are_the_same_comment() -> None:
    first, second, third = (s.strip() + "." for s in LETTER.split(".") if s.strip())
    assert comment_shingles(" ".join([third, first, second])) == comment_shingles(LETTER)


def test_an_inserted_sentence_keeps_it_in_the_group() -> None:
    longer = LETTER.replace(
        "prosecution.", "prosecution. Our members have seen this happen twice already in our country."
    )
    assert jaccard(LETTER, longer) >= THRESHOLD


def test_signatures_are_cut() -> None:
    signed_a = LETTER + "\n\nKind regards,\nJane Doe\nDigital Rights Watch, Nairobi"
    signed_b = LETTER + "\n-- \nJohn Smith"
    signed_c = LETTER + "\nCordialement,\nMarie Dupont"
    assert comment_shingles(signed_a) == comment_shingles(signed_b) == comment_shingles(signed_c)
    assert comment_shingles(signed_a) == comment_shingles(LETTER)
    # A one-line comment is all letter, however short: nothing is cut.
    assert without_signature("we oppose it") == "we oppose it"


def test_an_unrelated_comment_is_far_apart() -> None:
    other = (
        "The data retention period in this paragraph is far too long for subscriber information. "
        "Ninety days would match the practice of most parties."
    )
    assert jaccard(LETTER, other) < 0.1
    assert estimated(LETTER, other) < THRESHOLD


def test_arabic_marks_tatweel_and_letter_variants_are_folded() -> None:
    plain = (
        "نرفض هذه المادة لأنها تجرم البحث الأمني دون اشتراط القصد الجنائي. "
        "نطالب بإضافة استثناء للمصلحة العامة."
    )
    # Vowel marks, a tatweel, a shadda, bare alefs, alef maqsura, teh marbuta as heh.
    vocalised = (
        "نَرْفُضُ هــذه المادّة لانها تُجَرِّم البحث الامني دون اشتراط القصد الجنائى. "
        "نطالب باضافة استثناء للمصلحة العامه؟"
    )
    assert normalised("إأآٱ") == "اااا"
    assert comment_shingles(plain) == comment_shingles(vocalised)
    edited = plain.replace("نرفض", "نرفض بشدة")
    assert jaccard(plain, edited) >= THRESHOLD


def test_chinese_is_compared_by_characters() -> None:
    letter = "我们反对本条，因为它将没有犯罪意图的安全研究定为犯罪。请为研究人员和记者增加公共利益抗辩。"
    edited = "我们坚决反对本条，因为它将没有犯罪意图的安全研究定为犯罪。请为研究人员和记者增加公共利益抗辩！"
    other = "本段规定的数据保留期限对于用户信息来说太长了。九十天符合大多数缔约方的做法。"
    assert comment_shingles(letter)  # no spaces, still long enough to group
    assert jaccard(letter, edited) >= THRESHOLD
    assert jaccard(letter, other) < 0.1


def test_empty_one_word_and_very_short_comments_never_group() -> None:
    for text in ("", "   ", "Agreed.", "Delete", "I agree!", "+1 +1 +1", "同意", "أوافق"):
        assert comment_shingles(text) == set(), text


def test_a_verbatim_treaty_quote_is_left_out() -> None:
    provision = (
        "Each State Party shall adopt such legislative and other measures as may be necessary to "
        "establish as criminal offences under its domestic law the access to the whole or any part "
        "of an information and communications technology system without right."
    )
    treaty = treaty_shingles([provision])
    quoting_a = f"“{provision}” This wording is far too broad and must require dishonest intent."
    quoting_b = f"“{provision}” We support the article as drafted and have nothing to add here."
    assert jaccard(quoting_a, quoting_b) >= THRESHOLD  # the quote alone would make them one
    assert jaccard(quoting_a, quoting_b, treaty) < THRESHOLD
    # A comment that is only the quote has nothing of its own left: it never groups.
    assert comment_shingles(provision, treaty=treaty) == set()

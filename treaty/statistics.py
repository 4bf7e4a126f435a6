"""The counts shown beside a draft version, recomputed from its provisions.

They are derived data: the refresh always recounts from the database and never increments, so a
duplicate or late run (the task is `acks_late`) leaves the same numbers behind.
"""

from django.utils import timezone

from treaty.generations import public_generation_bump_on_commit
from treaty.models import DraftVersion, Provision


def count_words(text: str) -> int:
    """Whitespace-separated tokens holding at least one letter or digit.

    Splitting on whitespace rather than matching `\\w+` keeps "cross-border" one word and keeps
    Arabic words with combining vowel marks whole; a lone dash or ellipsis is not a word.
    """
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def version_statistics_refresh(*, version_id: int) -> DraftVersion:
    version = DraftVersion.objects.get(pk=version_id)

    article_count = provision_count = word_count = 0
    # One query, so the three counts describe the same state of the text.
    rows = Provision.objects.filter(version_id=version_id).values_list("kind", "heading", "text")
    for kind, heading, text in rows.iterator(chunk_size=2000):
        provision_count += 1
        if kind == Provision.Kind.ARTICLE:
            article_count += 1
        word_count += count_words(heading) + count_words(text)

    version.article_count = article_count
    version.provision_count = provision_count
    version.word_count = word_count
    version.stats_computed_at = timezone.now()
    version.save(update_fields=["article_count", "provision_count", "word_count", "stats_computed_at"])
    public_generation_bump_on_commit(treaty_id=version.treaty_id)  # the drafts' line shows them
    return version

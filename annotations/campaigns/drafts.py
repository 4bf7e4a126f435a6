"""A draft as groups see it: its sibling language versions together, and the treaty text they
print (what a comment quoting it verbatim shares with every other such comment)."""

from functools import lru_cache

from annotations.campaigns.normalise import treaty_shingles
from treaty.models import DraftVersion, Provision


@lru_cache(maxsize=256)
def draft_of_version(version_id: int) -> int:
    """The scope of a version's groups: the first of its sibling versions (same treaty, label)."""
    treaty_id, label = DraftVersion.objects.filter(pk=version_id).values_list("treaty_id", "label").get()
    first = (
        DraftVersion.objects.filter(treaty_id=treaty_id, label=label)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return int(first[0])


@lru_cache(maxsize=32)
def draft_treaty_shingles(draft_id: int) -> frozenset[str]:
    """Every shingle of the draft's text in each of its languages. Cached: a draft's provisions
    are never edited once imported (a new text is a new draft)."""
    treaty_id, label = DraftVersion.objects.filter(pk=draft_id).values_list("treaty_id", "label").get()
    texts = Provision.objects.filter(version__treaty_id=treaty_id, version__label=label).values_list(
        "text", flat=True
    )
    return treaty_shingles(texts.iterator(chunk_size=2000))

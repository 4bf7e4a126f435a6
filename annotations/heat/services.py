"""Writes that change what heat counts call this, in their own transaction (DESIGN §6). Every one
of them changes what anonymous readers see as well (treaty.generations)."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from annotations.heat.tasks import article_heat_schedule
from annotations.models import HeatDirty
from treaty.generations import public_generation_bump_on_commit


def heat_mark_dirty(*, version_id: int, article_id: int) -> None:
    """Record, in the caller's transaction, that an article's heat changed; after commit, schedule
    a recompute unless one is already due within the next few seconds."""
    now = timezone.now()
    for article in (article_id, None):  # the article, and the version's totals
        if not HeatDirty.objects.filter(version_id=version_id, article_id=article).update(marked_at=now):
            HeatDirty.objects.get_or_create(
                version_id=version_id, article_id=article, defaults={"marked_at": now}
            )
    transaction.on_commit(partial(article_heat_schedule, version_id, article_id))
    # What the public sees changed too: cached pages of the treaty are stale from the commit on.
    public_generation_bump_on_commit(version_id=version_id)

"""Writes that change what heat counts call this, in their own transaction (DESIGN §6). Every one
of them changes what anonymous readers see as well (treaty.generations)."""

from functools import partial

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from annotations.heat.tasks import article_heat_schedule
from annotations.models import HeatDirty
from treaty.generations import public_generation_bump_on_commit
from treaty.models import Provision


def heat_mark_dirty(*, version_id: int, article_id: int) -> None:
    """Record, in the caller's transaction, that an article's heat changed; after commit, schedule
    a recompute unless one is already due within the next few seconds.

    The same article of every sibling language version is marked too: their heat pools the
    annotations of all of them (annotations/heat/pooled_queries.py)."""
    now = timezone.now()
    for unit_version, unit in sibling_units(version_id=version_id, article_id=article_id):
        for article in (unit, None):  # the article, and the version's totals
            if not HeatDirty.objects.filter(version_id=unit_version, article_id=article).update(
                marked_at=now
            ):
                HeatDirty.objects.get_or_create(
                    version_id=unit_version, article_id=article, defaults={"marked_at": now}
                )
        transaction.on_commit(partial(article_heat_schedule, unit_version, unit))
    # What the public sees changed too: cached pages of the treaty are stale from the commit on.
    public_generation_bump_on_commit(version_id=version_id)


def sibling_units(*, version_id: int, article_id: int) -> list[tuple[int, int]]:
    """(version, article) of the unit with this article's key in every language version of its
    draft, this one first. One query; just [(version_id, article_id)] without siblings."""
    unit = Provision.objects.filter(pk=article_id)
    siblings = (
        Provision.objects.filter(
            key=Subquery(unit.values("key")[:1]),
            version__treaty_id=Subquery(unit.values("version__treaty_id")[:1]),
            version__label=Subquery(unit.values("version__label")[:1]),
        )
        .exclude(pk=article_id)
        .values_list("version_id", "pk")
    )
    return [(version_id, article_id), *siblings]

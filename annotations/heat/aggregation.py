"""Heat aggregation: approved annotations counted per article, provision, concern tag and segment
(DESIGN §6).

A recompute replaces an article's rows with one statement whose aggregate query reads the database
as it is (on PostgreSQL the per-organisation sums its triggers keep with every write, on SQLite
the annotations themselves; annotations/heat/queries.py), inside a transaction holding a lock on
the article: running it twice, or out of order, leaves the same rows. Changes mark the article
dirty in their own transaction (HeatDirty), and schedule one recompute per article per few
seconds after commit; a recompute clears only the marks it saw before it read, so a change it
did not see stays marked. The version's totals follow each article's recompute: at once after a
quiet spell, else at most once per TOTALS_INTERVAL_SECONDS (annotations/heat/scheduling.py,
annotations/heat/tasks.py). The periodic reconcile picks up anything a lost message or a dead
broker left behind.

This module only reads and writes the database: it never publishes a task.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import reduce
from itertools import batched
from operator import or_
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from annotations.heat import pooled_queries as pooled_sql
from annotations.heat import queries as sql
from annotations.models import Heat, HeatDirty
from treaty.generations import public_generation_bump
from treaty.models import DraftVersion, Provision

logger = logging.getLogger(__name__)


def heat_copies_fill() -> None:
    """Set every annotation's copy of its tag ids and endorsement count (PostgreSQL, migration
    0007) from the tables, for a bulk load that turned triggers off (session_replication_role =
    replica, as bench/heat.py does); heat_sums_recount then counts the sums."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE annotations_annotation a SET heat_tag_ids = t.ids
              FROM (SELECT annotation_id, array_agg(DISTINCT concerntag_id::integer) AS ids
                      FROM annotations_annotation_tags GROUP BY annotation_id) t
             WHERE t.annotation_id = a.id AND a.heat_tag_ids IS DISTINCT FROM t.ids
            """
        )
        cursor.execute(
            """
            UPDATE annotations_annotation a SET heat_endorsements = e.n
              FROM (SELECT annotation_id, count(*)::integer AS n FROM annotations_endorsement
                     GROUP BY annotation_id) e
             WHERE e.annotation_id = a.id AND a.heat_endorsements <> e.n
            """
        )


def heat_sums_recount(*, version_id: int) -> tuple[int, int, int]:
    """Count a version's sums (PostgreSQL: HeatSums) again from its annotations and write what
    differs. Returns the rows updated, added and deleted: all 0 when the triggers kept them."""
    if connection.vendor != "postgresql":
        return (0, 0, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        _aggregate_settings(work_mem="256MB")
        # The annotations must hold still meanwhile: a write's trigger adding to a sum the recount
        # has not seen would be overwritten. Writers wait (seconds); readers do not.
        cursor.execute("LOCK TABLE annotations_annotation IN SHARE MODE")
        cursor.execute(sql.PG_SUMS_RECOUNT, {"version": version_id})
        changed, added, gone = cursor.fetchone()
    return int(changed), int(added), int(gone)


def _has_siblings(version_id: int) -> bool:
    """Whether the version's draft exists in another language: its heat pools them (pooled_sql)."""
    version = DraftVersion.objects.filter(pk=version_id)
    return (
        DraftVersion.objects.filter(
            treaty_id=Subquery(version.values("treaty_id")[:1]), label=Subquery(version.values("label")[:1])
        )
        .exclude(pk=version_id)
        .exists()
    )


def _replace(scope: sql.Scope, params: dict[str, Any], stored: QuerySet[Heat]) -> tuple[int, bool]:
    """Recompute the heat rows of `scope` (`stored` on SQLite, which deletes and inserts them
    again). Returns the number of rows the scope now has, and whether any row changed (always
    True on SQLite, which does not tell)."""
    pooled = _has_siblings(params["version"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute((pooled_sql if pooled else sql).POSTGRESQL[scope], params)
            cells, changed, added, gone = cursor.fetchone()
            logger.debug(
                "heat %s %s: %s cells, %s updated, %s added, %s deleted",
                scope,
                params,
                cells,
                changed,
                added,
                gone,
            )
            return int(cells), bool(changed or added or gone)
        stored.delete()
        cursor.execute((pooled_sql if pooled else sql).SQLITE[scope], params)
        if cursor.rowcount >= 0:
            return cursor.rowcount, True
        # Python's sqlite3 reports -1 for an INSERT that starts with WITH (it does not see DML
        # there); SQLite itself still counts the statement's rows in changes().
        cursor.execute("SELECT changes()")
        return int(cursor.fetchone()[0]), True


def _recompute(scope: sql.Scope, params: dict[str, Any], where: dict[str, Any]) -> int:
    """`_replace` the heat rows that `where` selects, and settle their dirty marks (the same
    condition on HeatDirty). Returns the number of rows the scope now has.

    It settles exactly the marks it read before it read the data, and only if they are unchanged
    since. A write marks dirty before it commits: one still in flight while the recompute reads is
    not in what it counted, and moves its mark's time as it commits. Settling "every mark older
    than the recompute's start" instead let the delete, waiting on that write's lock on the mark,
    remove it once the write committed: a change the recompute never saw, with nothing left for
    the reconcile to find if the broker was down as well."""
    seen = list(HeatDirty.objects.filter(**where).values_list("pk", "marked_at"))
    written, changed = _replace(scope, params, Heat.objects.filter(**where))
    # In batches: SQLite parses a chain of ORs as a tree no deeper than 1,000.
    for batch in batched(seen, 200):
        HeatDirty.objects.filter(reduce(or_, (Q(pk=pk, marked_at=at) for pk, at in batch))).delete()
    if changed:
        # Last, and in this transaction: cached public pages of the treaty change with the heat's
        # commit, never before it (no page with the old heat stored under the new token) and
        # never after (no page with the old heat served once the new one is readable). After the
        # dirty marks, as the writers take them: a writer bumps only after its commit.
        treaty_id = (
            DraftVersion.objects.filter(pk=params["version"]).values_list("treaty_id", flat=True).first()
        )
        if treaty_id is not None:
            public_generation_bump(treaty_id=treaty_id)
    return written


def _aggregate_settings(work_mem: str = "64MB") -> None:
    """For the transaction of a recompute, on PostgreSQL: no JIT (compiling these many-column
    aggregates took longer than running them, seconds per article: bench/heat.py); memory enough
    for the computed cells and the stored rows they are compared with to stay in memory (a
    version's, 200,000 rows for a million annotations, is the rebuild's only); and no merge joins:
    the planner, which cannot estimate the cells, sorted both sides to compare them, where hashing
    one side took a third of the time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])


@transaction.atomic
def article_heat_refresh(*, version_id: int, article_id: int) -> int:
    """Recompute one article's heat rows from the annotations. Returns the number of rows."""
    started = timezone.now()
    _aggregate_settings()
    # Serialise recomputes of one article: two at once must not both insert the same new cells.
    # FOR NO KEY UPDATE, not FOR UPDATE: it still excludes another recompute, but not the FOR KEY
    # SHARE lock a writer's foreign-key check takes on the article (an annotation insert). With
    # FOR UPDATE a writer waited on the recompute while the recompute waited on that writer's
    # dirty mark: a deadlock, and a lost write (issue 18).
    list(Provision.objects.select_for_update(no_key=True).filter(pk=article_id).values_list("pk", flat=True))
    return _recompute(
        "article",
        {"version": version_id, "article": article_id, "now": started},
        {"version_id": version_id, "article_id": article_id},
    )


@transaction.atomic
def version_totals_refresh(*, version_id: int) -> int:
    """Recompute a version's column totals (per tag, every article): distinct organisations
    across articles cannot be summed from the article rows."""
    started = timezone.now()
    _aggregate_settings()
    list(
        DraftVersion.objects.select_for_update(no_key=True).filter(pk=version_id).values_list("pk", flat=True)
    )
    return _recompute(
        "totals", {"version": version_id, "now": started}, {"version_id": version_id, "article__isnull": True}
    )


def heat_reconcile(*, older_than_seconds: int) -> int:
    """Recompute whatever is still dirty (a lost message, a dead broker). Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    done = 0
    for version_id, article_id in HeatDirty.objects.filter(marked_at__lte=cutoff).values_list(
        "version_id", "article_id"
    ):
        if article_id is None:
            version_totals_refresh(version_id=version_id)
        else:
            article_heat_refresh(version_id=version_id, article_id=article_id)
        done += 1
    return done


def heat_rebuild(
    *,
    versions: list[DraftVersion],
    recount: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every reading unit (article, preamble, final clause, annex) and the totals of each
    version: one statement per version. With `recount`, first count the sums the recompute reads
    on PostgreSQL again from the annotations (heat_sums_recount): the database keeps them in the
    same transaction as every write, so only a load that bypassed its triggers needs it."""
    rows = 0
    for index, version in enumerate(versions, start=1):
        if recount:
            heat_sums_recount(version_id=version.pk)
        rows += _version_rebuild(version_id=version.pk)
        if progress:
            progress(index, len(versions))
    return rows


@transaction.atomic
def _version_rebuild(*, version_id: int) -> int:
    started = timezone.now()
    _aggregate_settings(work_mem="256MB")
    # The locks the per-article and totals recomputes take, all of them, in one order (every unit
    # by id, then the version): a recompute running meanwhile waits, and cannot deadlock with this.
    list(
        Provision.objects.select_for_update(no_key=True)
        .filter(version_id=version_id, article_id=F("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        DraftVersion.objects.select_for_update(no_key=True).filter(pk=version_id).values_list("pk", flat=True)
    )
    return _recompute("version", {"version": version_id, "now": started}, {"version_id": version_id})

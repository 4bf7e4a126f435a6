"""Heat: approved annotations aggregated per article, provision, concern tag and segment (DESIGN §6).

A recompute replaces an article's rows with one INSERT … SELECT whose single aggregate query
reads the annotations themselves, inside a transaction holding a lock on the article: running it
twice, or out of order, leaves the same rows. Changes mark the article dirty in their own
transaction (HeatDirty), and schedule one recompute per article per few seconds after commit; the
periodic reconcile picks up anything a lost message or a dead broker left behind.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F
from django.utils import timezone

from annotations.models import Annotation, Heat, HeatDirty
from config.enqueue import send_task
from treaty.models import DraftVersion, Provision

logger = logging.getLogger(__name__)

# Writes to one article within this many seconds share one recompute.
COALESCE_SECONDS = 3
# The version totals (a scan of every annotation of the version) are recomputed less often.
TOTALS_COALESCE_SECONDS = 15
POSITIONS = [p.value for p in Annotation.Position]

# The rows that count, `tagged`: one per (annotation, tag) plus one per annotation with tag NULL
# (all tags). `who` is what "distinct organisations" counts: the organisation, else the author (an
# author without one counts as one), else the annotation (a former member's); three integer
# classes (mod 3) that cannot collide.
#
# On PostgreSQL an annotation carries its tag ids and endorsement count (migration 0007, kept by
# triggers) and a covering index holds every column read here: an article's rows come from an
# index-only scan, the tag ids unnested in place. SQLite, the small embedded case, joins the tag
# table and counts endorsements per annotation.
_TAGGED_POSTGRESQL = """
tagged AS (
    SELECT a.article_id, a.provision_id, a.severity, a.position, a.heat_endorsements AS endorsements,
           COALESCE(a.organization_id * 3, a.author_id * 3 + 1, a.id * 3 + 2) AS who,
           unnest(a.heat_tag_ids || CAST(NULL AS INTEGER)) AS tag_id
    FROM annotations_annotation a
    WHERE {scope} AND a.status = 'approved' AND a.deleted_at IS NULL
)"""
_TAGGED_SQLITE = """
approved AS (
    SELECT a.id, a.article_id, a.provision_id, a.severity, a.position,
           (SELECT COUNT(*) FROM annotations_endorsement e WHERE e.annotation_id = a.id) AS endorsements,
           COALESCE(a.organization_id * 3, a.author_id * 3 + 1, a.id * 3 + 2) AS who
    FROM annotations_annotation a
    WHERE {scope} AND a.status = 'approved' AND a.deleted_at IS NULL
),
tagged AS (
    SELECT ap.article_id, ap.provision_id, ap.severity, ap.position, ap.endorsements, ap.who,
           t.concerntag_id AS tag_id
    FROM approved ap JOIN annotations_annotation_tags t ON t.annotation_id = ap.id
    UNION ALL
    SELECT article_id, provision_id, severity, position, endorsements, who, NULL FROM approved
)"""

# Distinct organisations are counted in two levels instead of COUNT(DISTINCT who): `by_who` has
# one row per (provision, tag, who) with its sums, and the outer GROUP BY of a cell counts those
# rows. Both are hash aggregates, where COUNT(DISTINCT) sorted every row of every segment again.
# `article_who` and `version_who` merge the provisions, then the articles, the same way:
# distinct organisations never add up. A who's organisation type and country are looked up once
# per by_who row (`who_rows`), after the aggregation: as grouping keys they made it slower. Each
# segment (everyone, one type, one country) is one more GROUP BY over the same rows, never a
# copy of them. Sums are cast to integer at each level: PostgreSQL sums bigints as numeric.
_POSITION_COUNTS = ", ".join(
    f"CAST(SUM(CASE WHEN position = '{p}' THEN 1 ELSE 0 END) AS INTEGER) AS pos_{p}" for p in POSITIONS
)
_POSITION_SUMS = ", ".join(f"CAST(SUM(pos_{p}) AS INTEGER) AS pos_{p}" for p in POSITIONS)
_SUMS = (
    "CAST(SUM(n) AS INTEGER) AS n, CAST(SUM(endorsements) AS INTEGER) AS endorsements, "
    f"CAST(SUM(score) AS INTEGER) AS score, {_POSITION_SUMS}"
)
_COUNTS = "SUM(n), COUNT(*), SUM(endorsements), SUM(score), " + ", ".join(f"SUM(pos_{p})" for p in POSITIONS)


def _by_who(name: str, keys: str) -> str:
    """One row per `keys` and who, with its sums, from `tagged`."""
    return f"""
{name} AS (
    SELECT {keys}, who, CAST(COUNT(*) AS INTEGER) AS n,
           CAST(SUM(endorsements) AS INTEGER) AS endorsements, CAST(SUM(severity) AS INTEGER) AS score,
           {_POSITION_COUNTS}
    FROM tagged GROUP BY {keys}, who
)"""


def _with_who_attributes(name: str, source: str) -> str:
    """`source` with each who's organisation type and country (an individual's: none)."""
    return f"""
{name} AS (
    SELECT b.*, COALESCE(o.type, 'individual') AS org_type, COALESCE(o.country, '') AS country
    FROM {source} b LEFT JOIN accounts_organization o ON b.who %% 3 = 0 AND o.id = b.who / 3
)"""


_BY_WHO = _by_who("by_who", "article_id, provision_id, tag_id")
_LEVELS = f"""{_BY_WHO},{_with_who_attributes("who_rows", "by_who")},
article_who AS (
    SELECT article_id, tag_id, who, org_type, country, {_SUMS}
    FROM who_rows GROUP BY article_id, tag_id, who, org_type, country
),
version_who AS (
    SELECT tag_id, who, org_type, country, {_SUMS} FROM article_who GROUP BY tag_id, who, org_type, country
)
"""

# The version totals alone need no provision or article level: one (tag, who) aggregation of the
# version's rows, a few thousand groups, where going through by_who built a million (6 s for a
# million annotations, every time the totals were refreshed; 1 s this way).
_VERSION_ONLY_LEVELS = (
    f"{_by_who('version_by_who', 'tag_id')},{_with_who_attributes('version_who', 'version_by_who')}"
)


def _with(scope: str, vendor: str, levels: str = _LEVELS) -> str:
    tagged = _TAGGED_POSTGRESQL if vendor == "postgresql" else _TAGGED_SQLITE
    return "WITH " + tagged.format(scope=scope) + "," + levels


def _cells(source: str, keys: str, article: str, provision: str) -> str:
    """The heat rows of one level (one row per who in `source`), for every segment."""
    segments = (
        ("''", "", ""),
        ("'type:' || org_type", ", org_type", ""),
        ("'country:' || country", ", country", " WHERE country <> ''"),
    )
    return "\nUNION ALL\n".join(
        f"SELECT %(version)s, {article}, {provision}, tag_id, {segment}, {_COUNTS}, %(now)s "
        f"FROM {source}{where} GROUP BY {keys}{key}"
        for segment, key, where in segments
    )


_COLUMNS = (
    "version_id, article_id, provision_id, tag_id, segment, annotations, organizations, endorsements, score, "
    + ", ".join(f"pos_{p}" for p in POSITIONS)
    + ", computed_at"
)

# The SQL is assembled from constants of this module only; values go in as parameters.
_NO_ID = "CAST(NULL AS BIGINT)"  # typed: in a UNION of bare NULLs PostgreSQL would guess text
_ARTICLE_ROWS = (
    _cells("who_rows", "article_id, provision_id, tag_id", "article_id", "provision_id")
    + "\nUNION ALL\n"
    + _cells("article_who", "article_id, tag_id", "article_id", _NO_ID)
)
_VERSION_ROWS = _cells("version_who", "tag_id", _NO_ID, _NO_ID)
_INSERT = f"INSERT INTO annotations_heat ({_COLUMNS}) "
_ARTICLE_SCOPE = "a.version_id = %(version)s AND a.article_id = %(article)s"
_VERSION_SCOPE = "a.version_id = %(version)s"


def _article_insert(vendor: str) -> str:
    return _with(_ARTICLE_SCOPE, vendor) + _INSERT + _ARTICLE_ROWS


def _version_insert(vendor: str) -> str:
    return _with(_VERSION_SCOPE, vendor, _VERSION_ONLY_LEVELS) + _INSERT + _VERSION_ROWS


def _rebuild_insert(vendor: str) -> str:
    """A whole version in one pass over its annotations: every article, then the totals."""
    return _with(_VERSION_SCOPE, vendor) + _INSERT + _ARTICLE_ROWS + "\nUNION ALL\n" + _VERSION_ROWS


def heat_read_columns_fill() -> None:
    """Set every annotation's copy of its tag ids and endorsement count (PostgreSQL, migration
    0007) from the tables. Triggers keep the copies as rows change; this is for a bulk load that
    turned triggers off (session_replication_role = replica, as bench/heat.py does)."""
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


def _rows_written(cursor: CursorWrapper) -> int:
    # Python's sqlite3 reports -1 for an INSERT that starts with WITH (it does not see DML there);
    # SQLite itself still counts the statement's rows in changes().
    if cursor.rowcount >= 0:
        return cursor.rowcount
    cursor.execute("SELECT changes()")
    return int(cursor.fetchone()[0])


def _aggregate_settings(work_mem: str = "64MB") -> None:
    """For the transaction of a recompute, on PostgreSQL: no JIT (compiling these many-column
    aggregates took longer than running them, seconds per article: bench/heat.py), and memory
    enough for the hash aggregates not to spill to disk (a whole version's by_who, a million
    groups for a million annotations, needs a few hundred MB: it is the rebuild's only)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])


@transaction.atomic
def article_heat_refresh(*, version_id: int, article_id: int) -> int:
    """Recompute one article's heat rows from the annotations. Returns the number of rows."""
    started = timezone.now()
    _aggregate_settings()
    # Serialise recomputes of one article: two at once must not both delete, then both insert.
    list(Provision.objects.select_for_update().filter(pk=article_id).values_list("pk", flat=True))
    Heat.objects.filter(version_id=version_id, article_id=article_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            _article_insert(connection.vendor), {"version": version_id, "article": article_id, "now": started}
        )
        written = _rows_written(cursor)
    # Only marks made before this recompute read the data are settled by it.
    HeatDirty.objects.filter(version_id=version_id, article_id=article_id, marked_at__lte=started).delete()
    return written


@transaction.atomic
def version_totals_refresh(*, version_id: int) -> int:
    """Recompute a version's column totals (per tag, every article): distinct organisations
    across articles cannot be summed from the article rows."""
    started = timezone.now()
    _aggregate_settings()
    list(DraftVersion.objects.select_for_update().filter(pk=version_id).values_list("pk", flat=True))
    Heat.objects.filter(version_id=version_id, article__isnull=True).delete()
    with connection.cursor() as cursor:
        cursor.execute(_version_insert(connection.vendor), {"version": version_id, "now": started})
        written = _rows_written(cursor)
    HeatDirty.objects.filter(version_id=version_id, article__isnull=True, marked_at__lte=started).delete()
    return written


def heat_mark_dirty(*, version_id: int, article_id: int) -> None:
    """Record, in the caller's transaction, that an article's heat changed; after commit, schedule
    a recompute unless one is already due within the next few seconds."""
    now = timezone.now()
    for article in (article_id, None):  # the article, and the version's totals
        if not HeatDirty.objects.filter(version_id=version_id, article_id=article).update(marked_at=now):
            HeatDirty.objects.get_or_create(
                version_id=version_id, article_id=article, defaults={"marked_at": now}
            )
    transaction.on_commit(partial(_schedule_article, version_id, article_id))


def _schedule_article(version_id: int, article_id: int) -> None:
    from annotations.tasks import article_heat_refresh_task

    # A burst of writes to one article schedules one recompute: the first write takes the key;
    # the task runs COALESCE_SECONDS later and reads every change committed by then. The task
    # releases the key before it reads, so a later change schedules the next recompute.
    try:
        first = cache.add(f"heat-scheduled:{version_id}:{article_id}", 1, timeout=COALESCE_SECONDS)
    except Exception:
        # The cache (Redis) is down: the write is committed and marked dirty; reconcile will do it.
        logger.exception("heat scheduling skipped for %s/%s", version_id, article_id)
        return
    if first:
        send_task(article_heat_refresh_task, version_id, article_id, countdown=COALESCE_SECONDS)


def schedule_version_totals(version_id: int) -> None:
    from annotations.tasks import heat_totals_refresh_task

    try:
        first = cache.add(f"heat-totals-scheduled:{version_id}", 1, timeout=TOTALS_COALESCE_SECONDS)
    except Exception:
        logger.exception("heat totals scheduling skipped for %s", version_id)
        return
    if first:
        send_task(heat_totals_refresh_task, version_id, countdown=TOTALS_COALESCE_SECONDS)


def heat_schedule_release(*, version_id: int, article_id: int | None) -> None:
    """Called by a task as it starts: changes from now on schedule a new recompute."""
    if article_id is None:
        cache.delete(f"heat-totals-scheduled:{version_id}")
    else:
        cache.delete(f"heat-scheduled:{version_id}:{article_id}")


def heat_reconcile(*, older_than_seconds: int = COALESCE_SECONDS * 2) -> int:
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


def heat_rebuild(*, versions: list[DraftVersion], progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every reading unit (article, preamble, final clause, annex) and the totals of each
    version: one statement per version, a single pass over its annotations, where one recompute
    per article read the annotation and tag tables once per article (bench/heat.py)."""
    rows = 0
    for index, version in enumerate(versions, start=1):
        rows += _version_rebuild(version_id=version.pk)
        if progress:
            progress(index, len(versions))
    return rows


@transaction.atomic
def _version_rebuild(*, version_id: int) -> int:
    started = timezone.now()
    _aggregate_settings(work_mem="512MB")
    # The locks the per-article and totals recomputes take, all of them, in one order (every unit
    # by id, then the version): a recompute running meanwhile waits, and cannot deadlock with this.
    list(
        Provision.objects.select_for_update()
        .filter(version_id=version_id, article_id=F("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(DraftVersion.objects.select_for_update().filter(pk=version_id).values_list("pk", flat=True))
    Heat.objects.filter(version_id=version_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(_rebuild_insert(connection.vendor), {"version": version_id, "now": started})
        written = _rows_written(cursor)
    HeatDirty.objects.filter(version_id=version_id, marked_at__lte=started).delete()
    return written

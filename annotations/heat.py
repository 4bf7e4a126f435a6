"""Heat: approved annotations aggregated per article, provision, concern tag and segment (DESIGN §6).

A recompute replaces an article's rows with one INSERT … SELECT whose single aggregate query
reads the annotations themselves, inside a transaction holding a lock on the article: running it
twice, or out of order, leaves the same rows. Changes mark the article dirty in their own
transaction (HeatDirty), and schedule one recompute per article per few seconds after commit; the
periodic reconcile picks up anything a lost message or a dead broker left behind.
"""

import logging
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction
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

_POSITION_SUMS = ", ".join(f"SUM(CASE WHEN position = '{p}' THEN 1 ELSE 0 END)" for p in POSITIONS)
_COUNTS = f"COUNT(*), COUNT(DISTINCT who), SUM(endorsements), SUM(severity), {_POSITION_SUMS}"

# The rows that count, one per (annotation, tag) plus one per annotation with tag NULL (all
# tags), each repeated for its segments: everyone, its organisation type, its country. `who`
# is what "distinct organisations" counts: the organisation, else the author (an author
# without one counts as one), else the annotation (a former member's).
_BASE = """
WITH approved AS (
    SELECT a.id, a.provision_id, a.severity, a.position,
           COALESCE('o' || a.organization_id, 'u' || a.author_id, 'a' || a.id) AS who,
           COALESCE(o.type, 'individual') AS org_type, COALESCE(o.country, '') AS country,
           (SELECT COUNT(*) FROM annotations_endorsement e WHERE e.annotation_id = a.id) AS endorsements
    FROM annotations_annotation a
    LEFT JOIN accounts_organization o ON o.id = a.organization_id
    WHERE {scope} AND a.status = 'approved' AND a.deleted_at IS NULL
),
tagged AS (
    SELECT ap.*, t.concerntag_id AS tag_id
    FROM approved ap JOIN annotations_annotation_tags t ON t.annotation_id = ap.id
    UNION ALL
    SELECT ap.*, NULL AS tag_id FROM approved ap
),
segmented AS (
    SELECT tagged.*, '' AS segment FROM tagged
    UNION ALL
    SELECT tagged.*, 'type:' || org_type AS segment FROM tagged
    UNION ALL
    SELECT tagged.*, 'country:' || country AS segment FROM tagged WHERE country <> ''
)
"""

_COLUMNS = (
    "version_id, article_id, provision_id, tag_id, segment, annotations, organizations, endorsements, score, "
    + ", ".join(f"pos_{p}" for p in POSITIONS)
    + ", computed_at"
)

# The SQL is assembled from constants of this module only; values go in as parameters.
_ARTICLE_INSERT = (
    _BASE.format(scope="a.version_id = %(version)s AND a.article_id = %(article)s")
    + f"""
INSERT INTO annotations_heat ({_COLUMNS})
SELECT %(version)s, %(article)s, provision_id, tag_id, segment, {_COUNTS}, %(now)s
FROM segmented GROUP BY provision_id, tag_id, segment
UNION ALL
SELECT %(version)s, %(article)s, NULL, tag_id, segment, {_COUNTS}, %(now)s
FROM segmented GROUP BY tag_id, segment
"""
)

_VERSION_INSERT = (
    _BASE.format(scope="a.version_id = %(version)s")
    + f"""
INSERT INTO annotations_heat ({_COLUMNS})
SELECT %(version)s, NULL, NULL, tag_id, segment, {_COUNTS}, %(now)s
FROM segmented GROUP BY tag_id, segment
"""
)


@transaction.atomic
def article_heat_refresh(*, version_id: int, article_id: int) -> int:
    """Recompute one article's heat rows from the annotations. Returns the number of rows."""
    started = timezone.now()
    # Serialise recomputes of one article: two at once must not both delete, then both insert.
    list(Provision.objects.select_for_update().filter(pk=article_id).values_list("pk", flat=True))
    Heat.objects.filter(version_id=version_id, article_id=article_id).delete()
    with connection.cursor() as cursor:
        cursor.execute(_ARTICLE_INSERT, {"version": version_id, "article": article_id, "now": started})
        written = cursor.rowcount
    # Only marks made before this recompute read the data are settled by it.
    HeatDirty.objects.filter(version_id=version_id, article_id=article_id, marked_at__lte=started).delete()
    return written


@transaction.atomic
def version_totals_refresh(*, version_id: int) -> int:
    """Recompute a version's column totals (per tag, every article): distinct organisations
    across articles cannot be summed from the article rows."""
    started = timezone.now()
    list(DraftVersion.objects.select_for_update().filter(pk=version_id).values_list("pk", flat=True))
    Heat.objects.filter(version_id=version_id, article__isnull=True).delete()
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_INSERT, {"version": version_id, "now": started})
        written = cursor.rowcount
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
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
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
    """Recompute every reading unit (article, preamble, final clause, annex) and the totals."""
    units = list(
        Provision.objects.filter(version__in=versions, article_id=F("pk"))
        .order_by("version_id", "order")
        .values_list("version_id", "pk")
    )
    total = len(units) + len(versions)
    rows = 0
    for index, (version_id, article_id) in enumerate(units, start=1):
        rows += article_heat_refresh(version_id=version_id, article_id=article_id)
        if progress:
            progress(index, total)
    for index, version in enumerate(versions, start=len(units) + 1):
        rows += version_totals_refresh(version_id=version.pk)
        if progress:
            progress(index, total)
    return rows

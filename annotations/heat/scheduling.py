"""When heat recomputes may run: the coalescing window per article and the interval between two
passes over a version's totals, kept as keys in the cache (DESIGN §6 "Bursts coalesce").

Only decisions live here; annotations/heat/tasks.py publishes what they allow. A cache that is
down only means no coalescing: the write is already marked dirty, and the reconcile catches up.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Writes to one article within this many seconds share one recompute.
COALESCE_SECONDS = 3
# The version totals (a pass over every article's sums: ~0.1 s for a million annotations) start at
# most once per this many seconds. The first change after a quiet spell is counted at once.
TOTALS_INTERVAL_SECONDS = 15


def article_recompute_claim(*, version_id: int, article_id: int) -> bool:
    """True for the first change to an article within the window: it schedules the recompute.

    A burst of writes to one article schedules one recompute: the first write takes the key; the
    task runs COALESCE_SECONDS later and reads every change committed by then. The task releases
    the key before it reads, so a later change schedules the next recompute."""
    try:
        return bool(cache.add(f"heat-scheduled:{version_id}:{article_id}", 1, timeout=COALESCE_SECONDS))
    except Exception:
        # The cache (Redis) is down: the write is committed and marked dirty; reconcile will do it.
        logger.exception("heat scheduling skipped for %s/%s", version_id, article_id)
        return False


def totals_recompute_claim(*, version_id: int) -> float | None:
    """After an article's recompute: the countdown for the version's totals pass, or None if one is
    already scheduled. They run at once after a quiet spell, else TOTALS_INTERVAL_SECONDS after
    the previous pass started, so that a column total lags its rows by at most about that, and a
    burst costs one pass per interval."""
    try:
        # The key outlives the longest countdown: it only guards against scheduling twice.
        if not cache.add(f"heat-totals-scheduled:{version_id}", 1, timeout=TOTALS_INTERVAL_SECONDS + 5):
            return None
        previous = cache.get(f"heat-totals-started:{version_id}")
    except Exception:
        logger.exception("heat totals scheduling skipped for %s", version_id)
        return None
    return totals_countdown(previous, time.time())


def totals_countdown(previous_start: float | None, now: float) -> float:
    """Seconds until the next totals pass may start, given when the last one started (if within
    the interval: the cache forgets it after that)."""
    if previous_start is None:
        return 0
    return max(0.0, min(previous_start + TOTALS_INTERVAL_SECONDS - now, TOTALS_INTERVAL_SECONDS))


def heat_schedule_release(*, version_id: int, article_id: int | None) -> None:
    """Called by a task as it starts: changes from now on schedule a new recompute."""
    if article_id is None:
        # Started first: a change scheduling in between waits out the interval instead of
        # starting a second pass at once.
        cache.set(f"heat-totals-started:{version_id}", time.time(), timeout=TOTALS_INTERVAL_SECONDS)
        cache.delete(f"heat-totals-scheduled:{version_id}")
    else:
        cache.delete(f"heat-scheduled:{version_id}:{article_id}")

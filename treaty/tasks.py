"""Background work on treaties. Each task takes ids, fetches, and calls one service."""

import logging

from celery import shared_task

from treaty.models import DraftVersion, MappingRun
from treaty.statistics import version_statistics_refresh

logger = logging.getLogger(__name__)


# acks_late is safe: the statistics are recounted from the database, so a message redelivered
# after a worker died mid-task only repeats the same count. Queue: "default" (config.celery).
@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def version_statistics_refresh_task(version_id: int) -> None:
    try:
        version_statistics_refresh(version_id=version_id)
    except DraftVersion.DoesNotExist:
        # Deleted between enqueue and run: nothing left to count.
        logger.info("draft version %s no longer exists; statistics not refreshed", version_id)


# acks_late is safe: the mapping is recomputed from both texts and its rows replaced in one
# transaction, so a message redelivered after a worker died mid-run just computes it again.
# Queue: "drafts" (config.celery).
@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def provision_mapping_task(run_id: int) -> None:
    from treaty.drafts.mapping_runs import MappingFailed, mapping_run_compute, mapping_run_done

    try:
        mapping_run_compute(run_id=run_id)
        mapping_run_done(run_id=run_id)
    except MappingRun.DoesNotExist:
        logger.info("mapping run %s no longer exists (a draft was deleted)", run_id)
    except MappingFailed:
        # Recorded on the run (status "failed", the reason): making the draft current is refused
        # until it is mapped again; retrying the same texts would fail the same way.
        pass

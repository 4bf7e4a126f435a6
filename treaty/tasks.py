"""Background work on treaties. Each task takes ids, fetches, and calls one service."""

import logging

from celery import shared_task

from treaty.models import DraftVersion
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

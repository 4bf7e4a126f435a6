"""Background heat work (queue "aggregate", config.celery). Each task takes ids and calls the
aggregation; acks_late is safe everywhere here: every task recomputes from the database, so a
redelivered message only repeats the same result."""

from celery import shared_task

from annotations.heat import aggregation, scheduling
from config.enqueue import send_task


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def article_heat_refresh_task(version_id: int, article_id: int) -> None:
    # Released before reading, so a change committed during the recompute schedules another.
    scheduling.heat_schedule_release(version_id=version_id, article_id=article_id)
    aggregation.article_heat_refresh(version_id=version_id, article_id=article_id)
    version_totals_schedule(version_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def heat_totals_refresh_task(version_id: int) -> None:
    scheduling.heat_schedule_release(version_id=version_id, article_id=None)
    aggregation.version_totals_refresh(version_id=version_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def heat_reconcile_task(older_than_seconds: int = scheduling.COALESCE_SECONDS * 2) -> int:
    """Beat, every few seconds (config/celery.py): whatever is still dirty (lost message, broker
    outage) is recomputed."""
    return aggregation.heat_reconcile(older_than_seconds=older_than_seconds)


def article_heat_schedule(version_id: int, article_id: int) -> None:
    """After a change to an article commits: its recompute, unless one is due within the window."""
    if scheduling.article_recompute_claim(version_id=version_id, article_id=article_id):
        send_task(article_heat_refresh_task, version_id, article_id, countdown=scheduling.COALESCE_SECONDS)


def version_totals_schedule(version_id: int) -> None:
    """After an article's recompute: the version's totals, unless they are already scheduled."""
    countdown = scheduling.totals_recompute_claim(version_id=version_id)
    if countdown is not None:
        send_task(heat_totals_refresh_task, version_id, countdown=countdown)

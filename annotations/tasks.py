"""Background work for annotations. Each task takes ids, fetches, and calls one service."""

from celery import shared_task

from annotations import emails, export_jobs, heat
from annotations.models import ModerationEvent, Reply


# Email is network I/O: retried; not acks_late, since a redelivery would send the mail twice.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def decision_email_task(event_id: int) -> None:
    event = (
        ModerationEvent.objects.select_related(
            "annotation__author",
            "annotation__provision",
            "annotation__version__treaty",
            "annotation__article",
            "reply__author",
            "reply__annotation__provision",
            "reply__annotation__version__treaty",
            "reply__annotation__article",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is not None:
        emails.decision_email_send(event=event)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def reply_email_task(reply_id: int) -> None:
    reply = (
        Reply.objects.select_related(
            "author",
            "organization",
            "annotation__author",
            "annotation__provision",
            "annotation__version__treaty",
            "annotation__article",
        )
        .filter(pk=reply_id, deleted_at__isnull=True)
        .first()
    )
    if reply is not None:
        emails.reply_email_send(reply=reply)


# Heat (queue "aggregate", config.celery). acks_late is safe: every task recomputes from the
# database, so a redelivered message only repeats the same result.
@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def article_heat_refresh_task(version_id: int, article_id: int) -> None:
    # Released before reading, so a change committed during the recompute schedules another.
    heat.heat_schedule_release(version_id=version_id, article_id=article_id)
    heat.article_heat_refresh(version_id=version_id, article_id=article_id)
    heat.schedule_version_totals(version_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def heat_totals_refresh_task(version_id: int) -> None:
    heat.heat_schedule_release(version_id=version_id, article_id=None)
    heat.version_totals_refresh(version_id=version_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def heat_reconcile_task(older_than_seconds: int = heat.COALESCE_SECONDS * 2) -> int:
    """Beat, every minute: whatever is still dirty (lost message, broker outage) is recomputed."""
    return heat.heat_reconcile(older_than_seconds=older_than_seconds)


# Export jobs (queue "export", config.celery: the names contain "export"). acks_late is safe: a
# run rewrites the job's file from the database (into a .part renamed over it), so a redelivered
# message only repeats it. The hard limit stays well below the broker's visibility timeout.
@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800)
def export_job_run_task(job_id: int) -> None:
    export_jobs.export_job_run(job_id=job_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def export_files_purge_task() -> int:
    """Beat, hourly: delete expired export files and mark their jobs expired."""
    return export_jobs.export_files_purge()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def export_jobs_requeue_task() -> int:
    """Beat: send again export jobs whose message was lost while the broker was down."""
    return export_jobs.export_jobs_requeue()

"""Background export work (queue "export", config.celery).

acks_late is safe: a run rewrites the job's file from the database (into a .part renamed over
it), so a redelivered message only repeats it. The hard limit stays well below the broker's
visibility timeout.
"""

from datetime import datetime

from celery import shared_task

from annotations.exports import job_runs
from config.enqueue import send_task


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800)
def export_job_run_task(job_id: int) -> None:
    job_runs.export_job_run(job_id=job_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def export_files_purge_task() -> int:
    """Beat, hourly: delete expired export files and mark their jobs expired."""
    return job_runs.export_files_purge()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def export_jobs_requeue_task() -> int:
    """Beat: send again export jobs whose message was lost while the broker was down."""
    return export_jobs_requeue()


def export_jobs_requeue(*, now: datetime | None = None) -> int:
    """Send again the jobs whose message was lost. Returns how many were sent."""
    return sum(send_task(export_job_run_task, job_id) for job_id in job_runs.export_jobs_lost(now=now))

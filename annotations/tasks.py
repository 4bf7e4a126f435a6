"""Background work of the annotations core, and the registry of every capability's tasks.

Celery's autodiscovery looks for `<app>.tasks` only, so the task modules of the sub-packages
(heat, exports, moderation) are imported here. Each task takes ids, fetches, and calls one service.
"""

from typing import Any

from celery import Task, shared_task

from annotations import emails
from annotations.campaigns import tasks as campaigns_tasks  # noqa: F401 (registers them)
from annotations.carrying import tasks as carrying_tasks  # noqa: F401 (registers its tasks)
from annotations.exports import tasks as exports_tasks
from annotations.heat import tasks as heat_tasks
from annotations.models import Reply
from annotations.moderation import tasks as moderation_tasks


# Email is network I/O: retried; not acks_late, since a redelivery would send the mail twice.
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


# --- Names of the previous release ------------------------------------------------------------
# Until the package split (issue 13) every task was named `annotations.tasks.<function>`. Messages
# published under those names before a deploy (a countdown, a broker that was down, a long queue)
# must still run after it: each old name stays registered, with the options of the task it now
# stands for (tests/annotations/test_tasks.py holds them equal), routed to the same queue
# (config.celery), and runs it. Remove them one release after the split.

_EMAIL = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
    "soft_time_limit": 50,
    "time_limit": 60,
}
_HEAT = {"acks_late": True, "soft_time_limit": 240, "time_limit": 300}


@shared_task(
    name="annotations.tasks.article_heat_refresh_task", acks_late=True, soft_time_limit=240, time_limit=300
)
def old_article_heat_refresh_task(version_id: int, article_id: int) -> None:
    heat_tasks.article_heat_refresh_task(version_id, article_id)


@shared_task(
    name="annotations.tasks.heat_totals_refresh_task", acks_late=True, soft_time_limit=240, time_limit=300
)
def old_heat_totals_refresh_task(version_id: int) -> None:
    heat_tasks.heat_totals_refresh_task(version_id)


@shared_task(
    name="annotations.tasks.heat_reconcile_task", acks_late=True, soft_time_limit=240, time_limit=300
)
def old_heat_reconcile_task(*args: Any) -> int:
    return heat_tasks.heat_reconcile_task(*args)


@shared_task(
    name="annotations.tasks.export_job_run_task", acks_late=True, soft_time_limit=1500, time_limit=1800
)
def old_export_job_run_task(job_id: int) -> None:
    exports_tasks.export_job_run_task(job_id)


@shared_task(
    name="annotations.tasks.export_files_purge_task", acks_late=True, soft_time_limit=240, time_limit=300
)
def old_export_files_purge_task() -> int:
    return exports_tasks.export_files_purge_task()


@shared_task(
    name="annotations.tasks.export_jobs_requeue_task", acks_late=True, soft_time_limit=50, time_limit=60
)
def old_export_jobs_requeue_task() -> int:
    return exports_tasks.export_jobs_requeue_task()


@shared_task(
    name="annotations.tasks.decision_email_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def old_decision_email_task(event_id: int) -> None:
    moderation_tasks.decision_email_task(event_id)


# Old name → the task it now runs.
OLD_TASK_NAMES: dict[str, Task[Any, Any]] = {
    "annotations.tasks.article_heat_refresh_task": heat_tasks.article_heat_refresh_task,
    "annotations.tasks.heat_totals_refresh_task": heat_tasks.heat_totals_refresh_task,
    "annotations.tasks.heat_reconcile_task": heat_tasks.heat_reconcile_task,
    "annotations.tasks.export_job_run_task": exports_tasks.export_job_run_task,
    "annotations.tasks.export_files_purge_task": exports_tasks.export_files_purge_task,
    "annotations.tasks.export_jobs_requeue_task": exports_tasks.export_jobs_requeue_task,
    "annotations.tasks.decision_email_task": moderation_tasks.decision_email_task,
}

"""The Celery app: one broker, five queues, settings read from Django's (CELERY_*)."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Seconds between two passes of the heat reconcile (beat).
HEAT_RECONCILE_SECONDS = 5.0

app = Celery("marginalia")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    task_queues=(Queue("default"), Queue("aggregate"), Queue("export"), Queue("drafts"), Queue("campaigns")),
    task_default_queue="default",
    # Queue per kind of work, so a long export never delays a heat recompute.
    task_routes={
        "annotations.heat.tasks.*": {"queue": "aggregate"},
        "annotations.exports.tasks.*": {"queue": "export"},
        # Names of the previous release (annotations/tasks.py keeps them as aliases for one).
        "annotations.tasks.*heat*": {"queue": "aggregate"},
        "annotations.tasks.*export*": {"queue": "export"},
        # Mapping a new draft to the one it follows (seconds of CPU) must not delay heat or exports.
        "treaty.tasks.provision_mapping_*": {"queue": "drafts"},
        # Carrying annotations to the new draft follows the mapping, on the same queue.
        "annotations.carrying.tasks.*": {"queue": "drafts"},
        # Grouping near-identical comments: a flood of them must not delay heat or exports.
        "annotations.campaigns.tasks.*": {"queue": "campaigns"},
    },
    # Results are kept in our own models, never in a result backend.
    task_ignore_result=True,
    # acks_late is opted into per task, only where a task is idempotent.
    task_acks_late=False,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    # A request must not hang on a dead broker: give up publishing quickly; the periodic
    # reconcile task catches up on anything that was not enqueued.
    broker_connection_timeout=2,
    task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
    timezone="UTC",
    beat_schedule={
        # Every few seconds: after a lost message, a killed worker or a broker outage, heat must
        # equal the annotations again within 15 s of the service's return (issue 18). A pass with
        # nothing dirty is one indexed query; a pass queued while no worker listened expires
        # instead of piling up behind the next.
        "heat-reconcile": {
            "task": "annotations.heat.tasks.heat_reconcile_task",
            "schedule": HEAT_RECONCILE_SECONDS,
            "options": {"expires": HEAT_RECONCILE_SECONDS},
        },
        "export-files-purge": {
            "task": "annotations.exports.tasks.export_files_purge_task",
            "schedule": 3600.0,
        },
        "campaign-reconcile": {
            "task": "annotations.campaigns.tasks.campaign_reconcile_task",
            "schedule": 60.0,
        },
        "export-jobs-requeue": {
            "task": "annotations.exports.tasks.export_jobs_requeue_task",
            "schedule": 900.0,
        },
    },
)
app.autodiscover_tasks()

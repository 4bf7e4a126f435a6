"""Queue Celery work once the current transaction has committed, without ever failing the write."""

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_after_commit(task: Task, *args: Any, countdown: float | None = None) -> None:
    """Like `task.delay_on_commit(*args)`, but a broker outage cannot turn a committed write into an
    error: the failure is logged and the periodic reconcile task catches up (DESIGN §6)."""
    transaction.on_commit(partial(send_task, task, *args, countdown=countdown))


def send_task(task: Task, *args: Any, countdown: float | None = None) -> bool:
    """Publish now; True if the broker took it."""
    try:
        # countdown=None is Celery's own default (no delay); celery-types only admits a float.
        task.apply_async(args, countdown=countdown)  # type: ignore[arg-type]
        return True
    except (OperationalError, ConnectionError, OSError):
        # Only an unreachable broker is tolerated: a programming error must still fail loudly.
        logger.exception("could not enqueue %s%r; the periodic reconcile will catch up", task.name, args)
        return False

"""Background carrying of annotation targets to a later draft (queue "drafts", config.celery)."""

import logging

from celery import shared_task

from annotations.carrying.notices import carrying_notice_claim, carrying_notice_send
from annotations.carrying.runs import CarryingNotReady, carrying_run_execute
from config.enqueue import enqueue_after_commit
from treaty.models import MappingRun

logger = logging.getLogger(__name__)


# acks_late is safe: each batch writes its resolutions and moves the run's cursor in one
# transaction and a resolution that comes out the same is not written again, so a message
# redelivered after a worker died mid-way resumes after the last batch written.
@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def anchors_carry_task(mapping_run_id: int) -> None:
    try:
        run = carrying_run_execute(mapping_run_id=mapping_run_id)
    except MappingRun.DoesNotExist:
        logger.info("mapping run %s no longer exists (a draft was deleted)", mapping_run_id)
        return
    except CarryingNotReady as error:
        # The mapping task queues carrying again when it finishes.
        logger.info("carrying not started: %s", error)
        return
    logger.info("carried %s targets for mapping run %s (%s written)", run.done, mapping_run_id, run.changed)
    # Once per pair of drafts, each author hears how their annotations were carried.
    for user_id in carrying_notice_claim(run.pk):
        carrying_notice_email_task.delay(run.pk, user_id)
    # The later draft may itself be followed: what was just carried to it goes on to the next.
    for next_run in MappingRun.objects.filter(
        from_version=run.mapping_run.to_version_id, status=MappingRun.Status.DONE
    ).values_list("pk", flat=True):
        anchors_carry_task.delay(next_run)


def anchors_carry_enqueue(mapping_run_id: int) -> None:
    """Carry the annotations once the current transaction (if any) has committed."""
    enqueue_after_commit(anchors_carry_task, mapping_run_id)


# Email is network I/O: retried; not acks_late, since a redelivery would send the mail twice.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def carrying_notice_email_task(run_id: int, user_id: int) -> None:
    carrying_notice_send(run_id=run_id, user_id=user_id)

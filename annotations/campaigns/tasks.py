"""Celery tasks keeping the groups current, on their own queue (`campaigns`, config.celery).

Both are idempotent: a regrouping recomputes an annotation's place from its text and the stored
signatures, so acks_late is safe and a worker dying mid-way only means the message runs again
(or the pending mark, still in the database, is found by the reconcile).
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from annotations.campaigns.grouping import annotation_regroup
from annotations.campaigns.models import CampaignPending

RECONCILE_BATCH = 500
# A mark younger than this is left to the task its write enqueued.
RECONCILE_GRACE_SECONDS = 30


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def annotation_group_task(annotation_id: int) -> None:
    annotation_regroup(annotation_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def campaign_reconcile_task() -> int:
    """Group what a lost message or a dead worker left pending."""
    before = timezone.now() - timedelta(seconds=RECONCILE_GRACE_SECONDS)
    pending = list(
        CampaignPending.objects.filter(marked_at__lt=before)
        .order_by("annotation__created_at", "annotation_id")  # as written: the earliest leads
        .values_list("annotation_id", flat=True)[:RECONCILE_BATCH]
    )
    for annotation_id in pending:
        annotation_regroup(annotation_id)
    return len(pending)

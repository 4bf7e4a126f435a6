"""What the core's writes call when a comment's text changes what it groups with."""

from django.utils import timezone

from annotations.campaigns.models import CampaignPending
from annotations.campaigns.tasks import annotation_group_task
from config.enqueue import enqueue_after_commit


def campaign_mark_pending(*, annotation_id: int) -> None:
    """In the caller's transaction: the annotation is to be grouped again; after commit, the
    task does it. With the broker down the mark stays and the reconcile task finds it."""
    CampaignPending.objects.update_or_create(
        annotation_id=annotation_id, defaults={"marked_at": timezone.now()}
    )
    enqueue_after_commit(annotation_group_task, annotation_id)

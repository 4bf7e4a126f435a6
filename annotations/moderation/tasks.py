"""Background moderation work: the email that tells an author of a decision."""

from celery import shared_task

from annotations import emails
from annotations.models import ModerationEvent


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

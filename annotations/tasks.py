"""Background work for annotations. Each task takes ids, fetches, and calls one service."""

from celery import shared_task

from annotations import emails
from annotations.models import ModerationEvent, Reply

# Email is network I/O: retried; not acks_late, since a redelivery would send the mail twice.
EMAIL_TASK_OPTIONS = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
    "soft_time_limit": 50,
    "time_limit": 60,
}


@shared_task(**EMAIL_TASK_OPTIONS)
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


@shared_task(**EMAIL_TASK_OPTIONS)
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

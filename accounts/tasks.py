"""Background work for accounts: emails, sent after commit from ids."""

from celery import shared_task

from accounts import emails
from accounts.models import User


# Email is network I/O: retried a few times; not acks_late, since a resend would duplicate mail.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def email_confirmation_send_task(user_id: int, address: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None and address in (user.email, user.pending_email):
        emails.email_confirmation_send(user=user, address=address)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def signup_attempt_notice_task(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        emails.signup_attempt_notice_send(user=user)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=50, time_limit=60)
def suspension_notice_task(suspension_id: int, what: str) -> None:
    from accounts.models import Suspension

    suspension = Suspension.objects.select_related("user", "organization").filter(pk=suspension_id).first()
    if suspension is not None:
        emails.suspension_notice_send(suspension=suspension, what=what)

"""The emails the accounts app sends. Built in the worker from ids, never from request data."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import email_links
from accounts.models import Suspension, User


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def recipient_language(user: User) -> str:
    """The language an email to this person is written in: theirs, else the site's default."""
    return user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def email_confirmation_send(*, user: User, address: str) -> None:
    token = email_links.confirmation_token(user, address)
    link = _absolute(reverse("accounts:confirm-email", args=[token]))
    context = {
        "user": user,
        "link": link,
        "new_address": address != user.email,
        "hours": int(email_links.MAX_AGE.total_seconds() // 3600),
    }
    with translation.override(recipient_language(user)):
        send_mail(
            _("Confirm your email address for Marginalia"),
            render_to_string("accounts/email/confirm_email.txt", context),
            None,
            [address],
        )


def signup_attempt_notice_send(*, user: User) -> None:
    context = {
        "user": user,
        "login": _absolute(reverse("accounts:login")),
        "reset": _absolute(reverse("accounts:password-reset")),
    }
    with translation.override(recipient_language(user)):
        send_mail(
            _("Someone tried to sign up to Marginalia with your address"),
            render_to_string("accounts/email/signup_attempt.txt", context),
            None,
            [user.email],
        )


SUSPENSION_SUBJECTS = {
    "suspended": gettext_lazy("Your Marginalia account is suspended"),
    "lifted": gettext_lazy("The suspension of your Marginalia account was lifted"),
    "appeal_granted": gettext_lazy("Your appeal was granted: the suspension is lifted"),
    "appeal_upheld": gettext_lazy("Your appeal was decided: the suspension stays"),
}


def suspension_notice_send(*, suspension: Suspension, what: str) -> None:
    """Tell the suspended account (the user, or the organisation's active admins) what was decided."""
    from accounts.models import Membership

    recipients: list[User] = []
    if suspension.user is not None:
        recipients = [suspension.user] if suspension.user.is_active else []
    elif suspension.organization is not None:
        recipients = [
            m.user
            for m in Membership.objects.filter(
                organization=suspension.organization,
                status=Membership.Status.ACTIVE,
                role=Membership.Role.ADMIN,
                user__is_active=True,
            ).select_related("user")
        ]
    appeal = getattr(suspension, "appeal", None)
    for user in recipients:
        context = {
            "user": user,
            "suspension": suspension,
            "appeal": appeal,
            "what": what,
            "link": _absolute(reverse("accounts:suspension-detail", args=[suspension.pk])),
        }
        with translation.override(recipient_language(user)):
            send_mail(
                str(SUSPENSION_SUBJECTS[what]),
                render_to_string("accounts/email/suspension_notice.txt", context),
                None,
                [user.email],
            )

"""The links that the accounts emails carry, read back out of `django.core.mail.outbox`."""

import re

from django.core import mail

CONFIRM_LINK = re.compile(r"https?://\S+(?P<path>/accounts/confirm-email/(?P<token>[^/\s]+)/)")
RESET_LINK = re.compile(r"https?://\S+(?P<path>/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def confirmation_path_from(message: mail.EmailMessage) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, f"no confirmation link in:\n{message.body}"
    return match["path"]


def reset_path_from(message: mail.EmailMessage) -> str:
    match = RESET_LINK.search(message.body)
    assert match, f"no password reset link in:\n{message.body}"
    return match["path"]

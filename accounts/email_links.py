"""Signed, single-use, expiring links for confirming an email address.

The token signs the user id, the address being confirmed and a fingerprint of the account's
current state. Confirming changes that state (verified time, address), so a used link no longer
matches: single use without storing tokens.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from accounts.models import User

SALT = "accounts.email-confirmation"
MAX_AGE = timedelta(days=2)


class InvalidLink(Exception):
    """The link cannot be used; the message says why, for the person who clicked it."""


@dataclass(frozen=True)
class Confirmation:
    user: User
    email: str  # the address this link confirms


def _state(user: User, email: str) -> str:
    raw = f"{user.pk}|{user.email}|{user.pending_email}|{user.email_verified_at}|{email}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def confirmation_token(user: User, email: str) -> str:
    return signing.dumps({"u": user.pk, "e": email, "s": _state(user, email)}, salt=SALT, compress=True)


def confirmation_check(token: str) -> Confirmation:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidLink("This confirmation link has expired. Log in and ask for a new one.") from None
    except signing.BadSignature:
        raise InvalidLink("This confirmation link is not valid. Check that you copied all of it.") from None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise InvalidLink("This confirmation link is not valid.")
    email = data.get("e", "")
    if _state(user, email) != data.get("s"):
        raise InvalidLink("This confirmation link has already been used.")
    return Confirmation(user=user, email=email)

"""Sign-up, email confirmation, email change, account deletion and data export."""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import email_links
from accounts.models import ApiToken, Attribution, Membership, User, normalize_email_address
from config.enqueue import enqueue_after_commit


@dataclass(frozen=True)
class SignUpResult:
    # Deliberately not exposed to the person signing up: the page says the same either way.
    user: User | None
    already_registered: bool


def email_clean(email: str) -> str:
    """Normalise and validate an address; raises ValidationError with a message for the user."""
    normalized = normalize_email_address(email)
    try:
        validate_email(normalized)
    except ValidationError:
        raise ValidationError(
            {"email": _("“%(email)s” is not a valid email address.") % {"email": email.strip()[:100]}},
            code="invalid",
        ) from None
    return normalized


@transaction.atomic
def user_sign_up(*, email: str, password: str, display_name: str, language: str = "") -> SignUpResult:
    """Create an unverified account and send the confirmation link.

    Whether the address is already registered must not show (neither in the answer nor its
    timing), so the owner of an existing address gets a notice by email instead of an error.
    """
    from accounts.tasks import email_confirmation_send_task, signup_attempt_notice_task

    normalized = email_clean(email)
    display_name = " ".join(display_name.split())[:100]
    if not display_name:
        raise ValidationError({"display_name": _("Enter the name to show with your comments.")})
    # The interface language the person signed up in: their emails are written in it.
    language = language if language in dict(settings.LANGUAGES) else ""
    candidate = User(email=normalized, display_name=display_name, language=language)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None

    # Hash first, whatever happens next, so both answers take the same time.
    candidate.set_password(password)
    existing = User.objects.filter(email__iexact=normalized).first()
    if existing is not None:
        enqueue_after_commit(signup_attempt_notice_task, existing.pk)
        return SignUpResult(user=None, already_registered=True)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # A concurrent sign-up with the same address won the race: same answer as above.
        return SignUpResult(user=None, already_registered=True)
    enqueue_after_commit(email_confirmation_send_task, candidate.pk, candidate.email)
    return SignUpResult(user=candidate, already_registered=False)


def email_confirmation_resend(*, user: User) -> None:
    from accounts.tasks import email_confirmation_send_task

    address = user.pending_email or (user.email if not user.is_verified else "")
    if address:
        enqueue_after_commit(email_confirmation_send_task, user.pk, address)


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Follow a confirmation link: verifies a new account, or switches to a new address."""
    confirmation = email_links.confirmation_check(token)
    user = User.objects.select_for_update().get(pk=confirmation.user.pk)
    # Re-check under the lock: two clicks at once must not both succeed.
    email_links.confirmation_check(token)
    now = timezone.now()
    if confirmation.email == user.email:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
        return user
    if confirmation.email == user.pending_email:
        if User.objects.filter(email__iexact=user.pending_email).exclude(pk=user.pk).exists():
            raise email_links.InvalidLink("That address now belongs to another account.")
        user.email, user.pending_email, user.email_verified_at = user.pending_email, "", now
        user.save(update_fields=["email", "pending_email", "email_verified_at"])
        return user
    raise email_links.InvalidLink("This confirmation link is for an address no longer on this account.")


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> None:
    """Keep the current address until the new one is confirmed through a link sent to it."""
    from accounts.tasks import email_confirmation_send_task

    normalized = email_clean(new_email)
    if normalized == user.email:
        raise ValidationError({"email": _("That is already your address.")})
    user.pending_email = normalized
    user.save(update_fields=["pending_email"])
    # Whether the new address is taken is checked on confirmation, so this answer reveals nothing.
    enqueue_after_commit(email_confirmation_send_task, user.pk, normalized)


def attribution_preference_set(*, user: User, attribution: str) -> None:
    if attribution not in Attribution.values:
        raise ValidationError(
            {
                "attribution_preference": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(Attribution.values)}
            }
        )
    user.attribution_preference = attribution
    user.save(update_fields=["attribution_preference"])


@transaction.atomic
def account_delete(*, user: User, keep_contributions: bool) -> None:
    """Erase a person's account and personal data.

    With `keep_contributions`, their annotations stay as "former member" with no trace of the
    author; otherwise they are deleted. An organisation they alone administer keeps another admin.
    """
    from accounts.services.organizations import admin_succession_for_departure

    for membership in Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, role=Membership.Role.ADMIN
    ):
        admin_succession_for_departure(membership)
    for handler in CONTRIBUTION_HANDLERS:
        handler(user, keep_contributions)
    ApiToken.objects.filter(user=user).delete()
    user.delete()


# Apps holding a user's contributions register a handler here (annotations does, once it exists):
# handler(user, keep) must delete them, or detach them from the user without any trace of who wrote them.
CONTRIBUTION_HANDLERS: list[Any] = []


def account_export(*, user: User) -> str:
    """Everything we hold about a person, as JSON (the "download my data" button)."""
    memberships = Membership.objects.filter(user=user).select_related("organization")
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "pending_email": user.pending_email,
            "display_name": user.display_name,
            "date_joined": user.date_joined.isoformat(),
            "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "attribution_preference": user.attribution_preference,
            "moderator": user.is_moderator,
        },
        "memberships": [
            {
                "organization": m.organization.name,
                "role": m.role,
                "status": m.status,
                "listed_publicly": m.listed_publicly,
                "requested_at": m.requested_at.isoformat(),
            }
            for m in memberships
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "revoked": bool(t.revoked_at),
            }
            for t in user.api_tokens.all()
        ],
    }
    for exporter in DATA_EXPORTERS:
        data.update(exporter(user))
    return json.dumps(data, ensure_ascii=False, indent=2)


DATA_EXPORTERS: list[Any] = []


def user_language_set(*, user: User, language: str) -> None:
    """Remember the interface language a person chose (applied at login, used for their emails)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {"language": _("“%(code)s” is not a language of this site.") % {"code": language[:20]}}
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])

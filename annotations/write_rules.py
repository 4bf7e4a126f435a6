"""What every write to annotations checks first: the writer, their organisation, the tags and
choices, the moderation a new item starts in, the provision it is on (DESIGN §3-§5).

Split from annotations.services (its size limit), which re-exports the public names.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import Attribution, Membership, Organization, User
from accounts.services.suspensions import require_not_suspended
from annotations.models import (
    Annotation,
    ConcernTag,
    Status,
)
from treaty.models import DraftVersion, Provision


class NotFound(Exception):
    """A referenced object (provision, version, tag) does not exist; the message names it."""


@dataclass(frozen=True)
class QuoteInput:
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None


def _require_verified(user: User) -> None:
    """The condition for every write: a confirmed address, and no suspension in force."""
    if not (user.is_authenticated and user.is_active and user.is_verified):
        raise PermissionDenied(
            _("Confirm your email address before contributing: we sent you a link when you signed up.")
        )
    require_not_suspended(user)


def active_organizations(user: User) -> list[Organization]:
    return [
        m.organization
        for m in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related(
            "organization"
        )
    ]


def _organization_for(author: User, organization_slug: str | None) -> Organization | None:
    organizations = active_organizations(author)
    if organization_slug:
        chosen = next((o for o in organizations if o.slug == organization_slug), None)
        if chosen is None:
            message = _("You are not a member of the organisation “%(organization_slug)s”.")
            raise PermissionDenied(message % {"organization_slug": organization_slug})
        return chosen
    # With one organisation it is implied; with several the author must choose.
    return organizations[0] if len(organizations) == 1 else None


def _tags(slugs: list[str], *, allow_inactive: frozenset[str] = frozenset()) -> list[ConcernTag]:
    if not slugs:
        raise ValidationError({"tags": _("Choose at least one concern tag.")})
    unique = list(dict.fromkeys(slugs))
    tags = {t.slug: t for t in ConcernTag.objects.filter(slug__in=unique)}
    unknown = [s for s in unique if s not in tags or (not tags[s].is_active and s not in allow_inactive)]
    if unknown:
        raise ValidationError(
            {"tags": _("Unknown or retired concern tag: %(choices)s.") % {"choices": ", ".join(unknown)}}
        )
    return [tags[s] for s in unique]


def _check_choices(*, severity: int, position: str, attribution: str) -> None:
    errors = {}
    if severity not in Annotation.Severity.values:
        errors["severity"] = "Severity must be 1 (note), 2 (concern) or 3 (serious)."
    if position not in Annotation.Position.values:
        errors["position"] = f"Position must be one of: {', '.join(Annotation.Position.values)}."
    if attribution not in Attribution.values:
        errors["attribution"] = f"Attribution must be one of: {', '.join(Attribution.values)}."
    if errors:
        raise ValidationError(errors)


def _initial_status(version: DraftVersion, organization: Organization | None) -> str:
    if version.moderation == DraftVersion.Moderation.POST:
        return Status.APPROVED
    if version.verified_skip_queue and organization is not None and organization.is_verified:
        return Status.APPROVED
    return Status.PENDING


def provision_get(version: DraftVersion, key: str) -> Provision:
    provision = Provision.objects.filter(version=version, key=key).select_related("article").first()
    if provision is None:
        message = _("There is no provision “%(key)s” in %(version)s (%(language)s).")
        raise NotFound(message % {"key": key, "version": version.label, "language": version.language})
    if provision.article_id is None:
        message = _("“%(provision)s” is a heading: annotate an article or one of its paragraphs.")
        raise ValidationError({"provision": message % {"provision": provision.label}})
    return provision

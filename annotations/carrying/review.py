"""The review queue of carried anchors (DESIGN §4): `needs_review` and `orphaned` resolutions,
decided by a moderator (any) or an admin of the annotation's organisation (its own). Every
decision is written to the moderation log (ModerationEvent), like a moderation decision."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.services.suspensions import require_not_suspended
from annotations.anchoring import AnchorError, quote_anchor
from annotations.models import AnchorResolution, Annotation, ModerationEvent
from treaty.models import Provision

State = AnchorResolution.State
ACTIONS = {
    "confirm": ModerationEvent.Action.REANCHOR_CONFIRM,
    "repick": ModerationEvent.Action.REANCHOR_REPICK,
    "orphan": ModerationEvent.Action.REANCHOR_ORPHAN,
}


def _admin_organizations(user: User) -> list[int]:
    return list(
        Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE, role=Membership.Role.ADMIN
        ).values_list("organization_id", flat=True)
    )


def may_review(user: User, annotation: Annotation) -> bool:
    """Moderators review every carried anchor; an organisation's admins those of its annotations."""
    if not user.is_authenticated:
        return False
    if user.is_moderator:
        return True
    return annotation.organization_id is not None and annotation.organization_id in _admin_organizations(user)


def may_open_review_queue(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_moderator or _admin_organizations(user)))


def review_queue_for(user: User, *, version_id: int | None = None) -> QuerySet[AnchorResolution]:
    """needs_review and orphaned resolutions this user may decide, oldest first (none for others)."""
    queryset = AnchorResolution.objects.filter(
        state__in=AnchorResolution.REVIEW_STATES,
        resolved_by__isnull=True,
        annotation__deleted_at__isnull=True,
    )
    if not user.is_authenticated:
        return queryset.none()
    if not user.is_moderator:
        queryset = queryset.filter(annotation__organization__in=_admin_organizations(user))
    if version_id is not None:
        queryset = queryset.filter(version_id=version_id)
    return queryset.select_related(
        "annotation__target__provision", "annotation__version", "version", "provision"
    ).order_by("resolved_at", "id")


@transaction.atomic
def resolution_decide(
    *,
    actor: User,
    annotation: Annotation,
    version_id: int,
    action: str,
    provision_key: str = "",
    exact: str = "",
    prefix: str = "",
    suffix: str = "",
) -> AnchorResolution:
    """Confirm the carried place, pick the words by hand in the later draft, or leave it orphaned.

    PermissionDenied without the right; ValidationError (nothing written) for an unknown action,
    a draft the annotation was never carried to, or words that are not in the chosen provision."""
    if not may_review(actor, annotation):
        raise PermissionDenied(
            _("Only moderators and the annotation's organisation admins review carried anchors.")
        )
    require_not_suspended(actor)
    if action not in ACTIONS:
        raise ValidationError(
            {"action": _("Unknown action %(action)r: use confirm, repick or orphan.") % {"action": action}}
        )
    resolution = (
        AnchorResolution.objects.select_for_update(of=("self",))
        .select_related("version", "provision")
        .filter(annotation=annotation, version_id=version_id)
        .first()
    )
    if resolution is None:
        raise ValidationError({"version": _("This annotation was never carried to that draft.")})
    before = f"{resolution.state} {resolution.provision_key or '(no place)'}"
    if action == "confirm":
        if resolution.provision_id is None:
            raise ValidationError(
                {"action": _("There is no place to confirm: pick the words by hand, or leave it orphaned.")}
            )
        resolution.state, resolution.confidence = State.CONFIRMED, 1.0
    elif action == "orphan":
        resolution.state, resolution.confidence = State.ORPHANED, 0.0
        resolution.provision = resolution.article = None
        resolution.provision_key = resolution.exact = resolution.prefix = resolution.suffix = ""
        resolution.start = resolution.end = None
    else:
        _repick(resolution, provision_key=provision_key, exact=exact, prefix=prefix, suffix=suffix)
    resolution.resolved_by = actor
    resolution.resolved_at = timezone.now()
    resolution.save()
    after = f"{resolution.state} {resolution.provision_key or '(no place)'}"
    quote = f" “{resolution.exact}”" if resolution.exact else ""
    ModerationEvent.objects.create(
        annotation=annotation,
        actor=actor,
        action=ACTIONS[action],
        from_status=annotation.status,
        to_status=annotation.status,
        reason=f"{resolution.version.label} ({resolution.version.language}): {before} → {after}{quote}"[
            :2000
        ],
    )
    return resolution


def _repick(
    resolution: AnchorResolution, *, provision_key: str, exact: str, prefix: str, suffix: str
) -> None:
    key = provision_key or resolution.provision_key
    provision = Provision.objects.filter(version_id=resolution.version_id, key=key).first()
    if provision is None:
        raise ValidationError(
            {
                "provision": _("%(key)s is not a provision of %(version)s.")
                % {"key": key or _("No provision"), "version": resolution.version.label}
            }
        )
    try:
        selector = quote_anchor(provision.text, exact, prefix=prefix, suffix=suffix, label=provision.label)
    except AnchorError as error:
        raise ValidationError({"quote": str(error)}) from error
    resolution.provision = provision
    resolution.article_id = provision.article_id
    resolution.provision_key = provision.key
    resolution.exact, resolution.prefix, resolution.suffix = selector.exact, selector.prefix, selector.suffix
    resolution.start, resolution.end = selector.start, selector.end
    resolution.state, resolution.confidence = State.REPICKED, 1.0

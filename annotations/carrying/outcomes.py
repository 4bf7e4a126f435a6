"""Outcomes of carried annotations (DESIGN §3): on a later draft, the author's organisation (or a
moderator) says whether the concern was addressed there. Public, counted per article, logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.services.suspensions import require_not_suspended
from annotations.models import AnchorResolution, Annotation, ModerationEvent

Outcome = AnchorResolution.Outcome


def may_mark_outcome(user: User, annotation: Annotation) -> bool:
    """Moderators, and the members of the annotation's organisation (its author when it has none)."""
    if not user.is_authenticated:
        return False
    if user.is_moderator:
        return True
    if annotation.organization_id is None:
        return annotation.author_id == user.pk
    return Membership.objects.filter(
        user=user, organization_id=annotation.organization_id, status=Membership.Status.ACTIVE
    ).exists()


@transaction.atomic
def outcome_set(*, actor: User, annotation: Annotation, version_id: int, outcome: str) -> AnchorResolution:
    """Mark what became of the annotation's concern in a later draft it was carried to."""
    if not may_mark_outcome(actor, annotation):
        raise PermissionDenied(_("Only the annotation's organisation or a moderator can mark its outcome."))
    require_not_suspended(actor)
    if outcome not in Outcome.values:
        raise ValidationError(
            {
                "outcome": _("Unknown outcome %(outcome)r: use one of %(choices)s.")
                % {"outcome": outcome, "choices": ", ".join(Outcome.values)}
            }
        )
    resolution = (
        AnchorResolution.objects.select_for_update(of=("self",))
        .select_related("version__treaty", "article")
        .filter(annotation=annotation, version_id=version_id)
        .first()
    )
    if resolution is None:
        raise ValidationError(
            {"version": _("This annotation was never carried to that draft: no outcome there.")}
        )
    previous = resolution.outcome or "none"
    resolution.outcome = outcome
    resolution.outcome_by = actor
    resolution.outcome_at = timezone.now()
    resolution.save(update_fields=["outcome", "outcome_by", "outcome_at"])
    ModerationEvent.objects.create(
        annotation=annotation,
        actor=actor,
        action=ModerationEvent.Action.OUTCOME,
        from_status=annotation.status,
        to_status=annotation.status,
        reason=f"{resolution.version.label} ({resolution.version.language}): outcome {previous} → {outcome}",
    )
    return resolution


def outcome_counts_by_article(version_id: int) -> dict[int, dict[str, int]]:
    """Per article of a later draft: how many carried annotations were marked with each outcome."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        AnchorResolution.objects.filter(version_id=version_id, article__isnull=False)
        .exclude(outcome="")
        .values_list("article_id", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for article_id, outcome, n in rows:
        counts.setdefault(article_id, {})[outcome] = n
    return counts

"""Moderation decisions on annotations and replies (DESIGN §5), each one logged.

Two moderators may act on one item at once: every decision is a conditional UPDATE on the status
the moderator saw, so exactly one wins and the other gets a ModerationConflict naming who
decided what.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.suspensions import require_not_suspended
from annotations.heat.services import heat_mark_dirty
from annotations.models import Annotation, Flag, ModerationEvent, Reply, Status
from annotations.moderation.tasks import decision_email_task
from config.enqueue import enqueue_after_commit
from treaty.generations import public_generation_bump_on_commit

Action = ModerationEvent.Action

# What each moderator action does to the status (None: the status stays as it is).
DECISIONS: dict[str, str | None] = {
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
    Action.FEATURE: None,
    Action.UNFEATURE: None,
    Action.NOTE: None,
}
REPLY_ACTIONS = frozenset({Action.APPROVE, Action.REJECT, Action.SPAM, Action.NOTE})


class ModerationConflict(Exception):
    """The item changed since the moderator saw it (or cannot be acted on in its state)."""

    def __init__(self, message: str, *, current_status: str) -> None:
        super().__init__(message)
        self.current_status = current_status


@dataclass(frozen=True)
class Decision:
    item: Annotation | Reply
    event: ModerationEvent


def _require_moderator(user: User) -> None:
    if not (user.is_authenticated and user.is_moderator):
        raise PermissionDenied(_("Only moderators can moderate."))
    # A suspended moderator is a suspended account: no writes, decisions included.
    require_not_suspended(user)


def _last_decision(item: Annotation | Reply) -> str:
    field = "annotation" if isinstance(item, Annotation) else "reply"
    event = (
        ModerationEvent.objects.filter(**{field: item})
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return ""
    who = event.actor.display_name if event.actor else "the system"
    return f" {who} chose “{event.action}” at {timezone.localtime(event.created_at):%H:%M:%S %Z}."


@transaction.atomic
def moderate(
    *,
    item: Annotation | Reply,
    moderator: User,
    action: str,
    reason: str = "",
    expected_status: str | None = None,
) -> Decision:
    """Apply one moderator action to an annotation or a reply."""
    _require_moderator(moderator)
    is_reply = isinstance(item, Reply)
    allowed = REPLY_ACTIONS if is_reply else frozenset(DECISIONS)
    if action not in allowed:
        raise ValidationError(
            {
                "action": _("Unknown action “%(action)s”; use one of: %(choices)s.")
                % {"action": action, "choices": ", ".join(sorted(allowed))}
            }
        )
    reason = reason.strip()
    if action == Action.REJECT and not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting it: the author will see it.")})
    if action == Action.NOTE and not reason:
        raise ValidationError({"reason": _("Write the note to show under the item.")})
    if expected_status is not None and expected_status not in Status.values:
        raise ValidationError(
            {
                "expected_status": _("Unknown status “%(expected_status)s”.")
                % {"expected_status": expected_status}
            }
        )
    model: type[Annotation] | type[Reply] = Reply if is_reply else Annotation
    current = model.objects.select_for_update().get(pk=item.pk)
    if current.deleted_at is not None:
        raise ModerationConflict(
            "Its author deleted this item: there is nothing left to moderate.", current_status=current.status
        )
    if expected_status is not None and current.status != expected_status:
        seen_then = f"it is now {current.status}, not {expected_status}."
        raise ModerationConflict(
            f"Someone decided first: {seen_then}{_last_decision(current)}", current_status=current.status
        )
    if action == Action.APPROVE and current.author_id == moderator.pk and current.status != Status.APPROVED:
        raise PermissionDenied(_("You cannot approve your own contribution: another moderator must decide."))

    new_status = DECISIONS[action] or current.status
    updates: dict[str, object] = {"status": new_status, "updated_at": timezone.now()}
    if action == Action.REJECT:
        updates["rejection_reason"] = reason
    elif action in (Action.APPROVE, Action.SPAM):
        updates["rejection_reason"] = ""
    if action == Action.NOTE:
        updates["moderator_note"] = reason
    if action in (Action.FEATURE, Action.UNFEATURE):
        if current.status != Status.APPROVED and action == Action.FEATURE:
            raise ModerationConflict(
                "Only approved annotations can be featured.", current_status=current.status
            )
        updates["featured"] = action == Action.FEATURE
    if action in (Action.REJECT, Action.SPAM) and not is_reply:
        updates["featured"] = False  # a hidden item cannot stay on the curated list
    # The conditional UPDATE: under the row lock above it always matches; it also keeps the rule
    # correct on databases where select_for_update is a no-op (SQLite serialises writes instead).
    won = model.objects.filter(pk=current.pk, status=current.status, deleted_at__isnull=True).update(
        **updates
    )
    if not won:
        current.refresh_from_db()
        raise ModerationConflict(
            f"Someone decided first: it is now {current.status}.{_last_decision(current)}",
            current_status=current.status,
        )
    event = ModerationEvent.objects.create(
        annotation=current if isinstance(current, Annotation) else None,
        reply=current if isinstance(current, Reply) else None,
        actor=moderator,
        action=action,
        from_status=current.status,
        to_status=new_status,
        reason=reason,
    )
    counted_item = current if isinstance(current, Annotation) else None
    if (
        counted_item is not None
        and Status.APPROVED in (current.status, new_status)
        and current.status != new_status
    ):
        heat_mark_dirty(version_id=counted_item.version_id, article_id=counted_item.article_id)
    # Every decision shows on public pages: a status, a featured mark, a moderator's note, a reply.
    public_generation_bump_on_commit(
        version_id=current.annotation.version_id if isinstance(current, Reply) else current.version_id
    )
    if DECISIONS[action] is not None:
        # A decision settles the flags raised so far.
        flags = (
            Flag.objects.filter(reply=current)
            if isinstance(current, Reply)
            else Flag.objects.filter(annotation=current)
        )
        flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        if new_status != current.status and current.author_id:
            enqueue_after_commit(decision_email_task, event.pk)
    current.refresh_from_db()
    return Decision(item=current, event=event)


def flag_threshold_apply(item: Annotation | Reply) -> None:
    """Enough open flags send an approved item back to the queue, out of public view."""
    flags = (
        Flag.objects.filter(reply=item) if isinstance(item, Reply) else Flag.objects.filter(annotation=item)
    )
    if flags.filter(resolved_at__isnull=True).count() < settings.FLAG_THRESHOLD:
        return
    model: type[Annotation] | type[Reply] = type(item)
    moved = model.objects.filter(pk=item.pk, status=Status.APPROVED).update(
        status=Status.PENDING, updated_at=timezone.now()
    )
    if moved and isinstance(item, Annotation):
        heat_mark_dirty(version_id=item.version_id, article_id=item.article_id)
    elif moved and isinstance(item, Reply):  # out of public view: not counted in heat, but shown
        public_generation_bump_on_commit(version_id=item.annotation.version_id)
    if moved:
        ModerationEvent.objects.create(
            annotation=item if isinstance(item, Annotation) else None,
            reply=item if isinstance(item, Reply) else None,
            actor=None,
            action=Action.FLAGGED,
            from_status=Status.APPROVED,
            to_status=Status.PENDING,
            reason=f"{settings.FLAG_THRESHOLD} or more flags",
        )


def log_automatic(
    *, item: Annotation | Reply, action: str, from_status: str, to_status: str, reason: str
) -> None:
    ModerationEvent.objects.create(
        annotation=item if isinstance(item, Annotation) else None,
        reply=item if isinstance(item, Reply) else None,
        actor=None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )

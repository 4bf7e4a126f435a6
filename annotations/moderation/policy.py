"""A draft's commenting and moderation policy (DESIGN §5), set by moderators in the console and
logged in the audit log like every decision."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.suspensions import require_not_suspended
from annotations.models import ModerationEvent
from treaty.generations import public_generation_bump_on_commit
from treaty.models import DraftVersion

Moderation = DraftVersion.Moderation


@dataclass(frozen=True)
class Policy:
    moderation: str
    verified_skip_queue: bool
    open_for_comment: bool
    comment_deadline: date | None = None

    @classmethod
    def of(cls, version: DraftVersion) -> "Policy":
        return cls(
            version.moderation,
            version.verified_skip_queue,
            version.open_for_comment,
            version.comment_deadline,
        )

    def describe(self) -> str:
        return (
            f"moderation: {self.moderation}; verified organisations skip the queue: "
            f"{'yes' if self.verified_skip_queue else 'no'}; open for comment: "
            f"{'yes' if self.open_for_comment else 'no'}; comments until: "
            f"{self.comment_deadline.isoformat() if self.comment_deadline else 'no deadline'}"
        )


@transaction.atomic
def draft_policy_set(
    *,
    moderator: User,
    version: DraftVersion,
    moderation: str,
    verified_skip_queue: bool,
    open_for_comment: bool,
    comment_deadline: date | None = None,
) -> ModerationEvent | None:
    """Set the policy of one draft version. Returns the audit log's event, or None when nothing
    changed. An unknown moderation policy is refused and nothing is written."""
    if not (moderator.is_active and moderator.is_moderator):
        raise PermissionDenied(_("Only moderators set a draft's moderation policy."))
    require_not_suspended(moderator)
    if moderation not in Moderation.values:
        choices = ", ".join(Moderation.values)
        raise ValidationError(
            {
                "moderation": _("Unknown moderation policy “%(moderation)s”: use one of %(choices)s.")
                % {"moderation": moderation, "choices": choices}
            }
        )
    current = DraftVersion.objects.select_for_update().get(pk=version.pk)
    before = Policy.of(current)
    after = Policy(moderation, verified_skip_queue, open_for_comment, comment_deadline)
    if before == after:
        return None
    DraftVersion.objects.filter(pk=current.pk).update(
        moderation=moderation,
        verified_skip_queue=verified_skip_queue,
        open_for_comment=open_for_comment,
        comment_deadline=comment_deadline,
    )
    # The caller's instance too: writes that follow with it must see the new policy.
    version.moderation, version.verified_skip_queue = moderation, verified_skip_queue
    version.open_for_comment, version.comment_deadline = open_for_comment, comment_deadline
    # Already published annotations keep their status: a new policy applies to what comes next.
    # Pages show the policy and the deadline.
    public_generation_bump_on_commit(treaty_id=current.treaty_id)
    return ModerationEvent.objects.create(
        version=current,
        actor=moderator,
        action=ModerationEvent.Action.POLICY,
        from_status="",
        to_status="",
        reason=f"{current.label} ({current.language}) — was {before.describe()}; now {after.describe()}",
    )

"""A group of near-identical comments as one item of the moderation queue (DESIGN §5).

The queue lists a group's first pending member only; this module says what that item stands
for: how many pending comments, from how many accounts and organisations, whether the group
came in as a burst from new accounts, and what the other comments change in the first one's
text (a word diff, treaty.drafts.wordiff), so that a moderator reads one text and its
variations instead of thirty copies.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from annotations.campaigns.models import CampaignMember
from annotations.campaigns.selectors import group_summaries
from annotations.models import Annotation, Status
from treaty.drafts.wordiff import word_diff

# The variations a queue item lists, most frequent first; the rest are counted.
CHANGES_SHOWN = 8


@dataclass(frozen=True)
class Segment:
    text: str
    changed_by: int  # how many other members change these words


@dataclass
class QueueGroup:
    id: int
    pending: list[Annotation]  # the first is the queue item itself
    accounts: int
    organizations: int
    flagged: bool
    segments: list[Segment] = field(default_factory=list)
    changes: list[tuple[str, str, int]] = field(default_factory=list)  # removed, added, members
    more_changes: int = 0

    @property
    def size(self) -> int:
        return len(self.pending)


def later_pending_member_of_a_group() -> Q:
    """Annotations to leave out of the queue: a pending member of a group with an earlier pending
    member, which stands for the group."""
    earlier = CampaignMember.objects.filter(
        # Earlier as written (ids are random: annotations.public_ids).
        Q(annotation__created_at__lt=OuterRef("created_at"))
        | Q(annotation__created_at=OuterRef("created_at"), annotation_id__lt=OuterRef("pk")),
        group_id=OuterRef("campaign_member__group_id"),
        annotation__status=Status.PENDING,
        annotation__deleted_at__isnull=True,
    )
    return Q(status=Status.PENDING) & Q(Exists(earlier))


def queue_groups(annotations: list[Annotation]) -> dict[int, QueueGroup]:
    """For each queue item that stands for a group, what the group holds (a few queries; none
    when no item is in a group). The annotations carry `campaign_group_id` (queue.py joins it)."""
    group_of = {
        a.pk: a.campaign_group_id  # type: ignore[attr-defined]
        for a in annotations
        if a.status == Status.PENDING and getattr(a, "campaign_group_id", None) is not None
    }
    if not group_of:
        return {}
    pending: dict[int, list[Annotation]] = {}
    for member in (
        CampaignMember.objects.filter(
            group_id__in=set(group_of.values()),
            annotation__status=Status.PENDING,
            annotation__deleted_at__isnull=True,
        )
        .select_related("annotation", "annotation__author", "annotation__organization")
        # As written (ids are random): the group shows at its earliest pending comment.
        .order_by("annotation__created_at", "annotation_id")
    ):
        pending.setdefault(member.group_id, []).append(member.annotation)
    summaries = group_summaries(group_of.values(), viewer=None)
    found: dict[int, QueueGroup] = {}
    for annotation_id, group_id in group_of.items():
        members = pending.get(group_id, [])
        if len(members) < 2 or members[0].pk != annotation_id:
            continue
        summary = summaries.get(group_id)
        group = QueueGroup(
            id=group_id,
            pending=members,
            accounts=len({m.author_id or -m.pk for m in members}),
            organizations=len({_unit(m) for m in members}),
            flagged=bool(summary and summary.flagged) or _flagged(group_id),
        )
        _describe_changes(group)
        found[annotation_id] = group
    return found


def _unit(annotation: Annotation) -> str:
    # As heat counts: an anonymous comment is its author's own unit, never its organisation's.
    if annotation.attribution != "anonymous" and annotation.organization_id is not None:
        return f"o{annotation.organization_id}"
    return f"u{annotation.author_id or -annotation.pk}"


def _flagged(group_id: int) -> bool:
    return CampaignMember.objects.filter(group_id=group_id, group__flagged_at__isnull=False).exists()


def _describe_changes(group: QueueGroup) -> None:
    """The first member's text, each stretch marked with how many others change it, and the
    distinct changes with how many members make each."""
    base = group.pending[0].body
    changed = [0] * (len(base) + 1)
    changes: Counter[tuple[str, str]] = Counter()
    for other in group.pending[1:]:
        position = 0
        seen: set[tuple[str, str]] = set()
        removed = added = ""
        for op, text in word_diff(base, other.body):
            if op == "=":
                if removed or added:
                    seen.add((removed.strip(), added.strip()))
                    removed = added = ""
                position += len(text)
            elif op == "-":
                for index in range(position, position + len(text)):
                    changed[index] += 1
                removed += text
                position += len(text)
            else:
                changed[min(position, len(base))] += 1 if not removed else 0
                added += text
        if removed or added:
            seen.add((removed.strip(), added.strip()))
        changes.update(seen)
    segments: list[Segment] = []
    for index, char in enumerate(base):
        count = changed[index]
        if segments and (segments[-1].changed_by > 0) == (count > 0):
            last = segments[-1]
            segments[-1] = Segment(last.text + char, max(last.changed_by, count))
        else:
            segments.append(Segment(char, count))
    group.segments = segments
    ranked = changes.most_common()
    group.changes = [(removed, added, count) for (removed, added), count in ranked[:CHANGES_SHOWN]]
    group.more_changes = max(0, len(ranked) - CHANGES_SHOWN)

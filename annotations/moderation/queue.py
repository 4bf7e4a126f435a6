"""The moderation queue: pending and flagged annotations and replies, oldest first (DESIGN §5).

Annotations and replies live in two tables; the queue is their union, paged by a keyset on
(created_at, kind, id), so it costs the same few queries on page 1 or page 100, and an item
decided between two pages never makes the next page skip another.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.utils.dateparse import parse_datetime

from annotations.models import Annotation, Flag, Reply, Status
from annotations.moderation.campaign_queue import QueueGroup, later_pending_member_of_a_group, queue_groups
from annotations.selectors import with_display_data

PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class QueueFilters:
    treaty: str | None = None
    article: str | None = None
    tag: str | None = None
    organization: str | None = None
    flag_reason: str | None = None
    organization_verified: bool | None = None


@dataclass
class QueueEntry:
    kind: str  # "annotation" or "reply"
    item: Annotation | Reply
    open_flags: int = 0
    flag_reasons: list[str] = field(default_factory=list)
    group: QueueGroup | None = None  # the near-identical comments this item stands for


@dataclass
class QueuePage:
    entries: list[QueueEntry]
    next_cursor: str | None
    counts: dict[str, int]


def _open_flags(kind: str) -> QuerySet[Flag]:
    return Flag.objects.filter(**{kind: OuterRef("pk")}, resolved_at__isnull=True)


def _candidates[Item: (Annotation, Reply)](
    items: QuerySet[Item], kind: str, filters: QueueFilters, *, annotation: str
) -> QuerySet[Item]:
    """Pending items, and published ones with an open flag, of one kind. `annotation` is the path
    from an item to the annotation whose treaty, article and tags it is filtered by ("" for an
    annotation itself, "annotation__" for a reply); the organisation is the item's own."""
    queryset = (
        items.filter(deleted_at__isnull=True)
        .annotate(has_open_flag=Exists(_open_flags(kind)))
        .filter(Q(status=Status.PENDING) | Q(status=Status.APPROVED, has_open_flag=True))
    )
    if filters.treaty:
        queryset = queryset.filter(**{f"{annotation}version__treaty__slug": filters.treaty})
    if filters.article:
        queryset = queryset.filter(**{f"{annotation}article__number": filters.article})
    if filters.tag:
        queryset = queryset.filter(**{f"{annotation}tags__slug": filters.tag})
    if filters.organization:
        queryset = queryset.filter(organization__slug=filters.organization)
    if filters.organization_verified is not None:
        queryset = queryset.filter(organization__verified_at__isnull=not filters.organization_verified)
    if filters.flag_reason:
        queryset = queryset.filter(Exists(_open_flags(kind).filter(reason=filters.flag_reason)))
    return queryset


def _annotation_candidates(filters: QueueFilters) -> QuerySet[Annotation]:
    # A group of near-identical pending comments is one item: its first pending member.
    return _candidates(Annotation.objects.all(), "annotation", filters, annotation="").exclude(
        later_pending_member_of_a_group()
    )


def _reply_candidates(filters: QueueFilters) -> QuerySet[Reply]:
    return _candidates(Reply.objects.all(), "reply", filters, annotation="annotation__")


def encode_cursor(created_at: datetime, kind: str, pk: int) -> str:
    raw = json.dumps([created_at.isoformat(), kind, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, kind, pk = json.loads(base64.urlsafe_b64decode(padded))
        moment = parse_datetime(created)
        if moment is None or kind not in ("annotation", "reply") or not isinstance(pk, int):
            raise ValueError
        return moment, kind, pk
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValueError("That page cursor is not valid: start again from the first page.") from None


def moderation_queue(filters: QueueFilters, *, cursor: str | None = None, page_size: int = 50) -> QueuePage:
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    annotations = (
        _annotation_candidates(filters).distinct() if filters.tag else _annotation_candidates(filters)
    )
    replies = _reply_candidates(filters).distinct() if filters.tag else _reply_candidates(filters)
    keys_a = annotations.annotate(kind=Value("annotation")).values_list("created_at", "kind", "pk")
    keys_r = replies.annotate(kind=Value("reply")).values_list("created_at", "kind", "pk")
    if cursor:
        moment, kind, pk = decode_cursor(cursor)
        # Rows after (moment, kind, pk) in the order (created_at, kind, pk), "annotation" < "reply".
        later = Q(created_at__gt=moment)
        same_kind_later = later | Q(created_at=moment, pk__gt=pk)
        if kind == "annotation":
            keys_a, keys_r = keys_a.filter(same_kind_later), keys_r.filter(created_at__gte=moment)
        else:
            keys_a, keys_r = keys_a.filter(later), keys_r.filter(same_kind_later)
    # Each side without its model's default ordering: SQL allows ORDER BY only on the union.
    union = keys_a.order_by().union(keys_r.order_by(), all=True)
    keys = list(union.order_by("created_at", "kind", "pk")[: page_size + 1])
    has_more = len(keys) > page_size
    keys = keys[:page_size]
    annotation_ids = [pk for _, kind, pk in keys if kind == "annotation"]
    reply_ids = [pk for _, kind, pk in keys if kind == "reply"]
    annotation_rows = {
        a.pk: a
        for a in with_display_data(Annotation.objects.filter(pk__in=annotation_ids), None).annotate(
            # Joined here rather than asked apart: a queue without groups costs no query more.
            campaign_group_id=F("campaign_member__group_id")
        )
    }
    reply_rows = {
        r.pk: r
        for r in Reply.objects.filter(pk__in=reply_ids).select_related(
            "author",
            "organization",
            "annotation",
            "annotation__provision",
            "annotation__version__treaty",
            "annotation__article",
            "annotation__target",
        )
    }
    flags = _flag_summary(annotation_ids, reply_ids)
    groups = queue_groups(list(annotation_rows.values()))
    entries = []
    for _, kind, pk in keys:
        item = annotation_rows[pk] if kind == "annotation" else reply_rows[pk]
        count, reasons = flags.get((kind, pk), (0, []))
        group = groups.get(pk) if kind == "annotation" else None
        entries.append(QueueEntry(kind=kind, item=item, open_flags=count, flag_reasons=reasons, group=group))
    next_cursor = encode_cursor(*keys[-1]) if has_more and keys else None
    counts = {
        "pending_annotations": Annotation.objects.filter(
            status=Status.PENDING, deleted_at__isnull=True
        ).count(),
        "pending_replies": Reply.objects.filter(status=Status.PENDING, deleted_at__isnull=True).count(),
        # Items with an open flag: annotations and replies counted apart (their ids may coincide).
        "flagged": sum(
            Flag.objects.filter(resolved_at__isnull=True)
            .aggregate(
                annotations=Count("annotation_id", distinct=True), replies=Count("reply_id", distinct=True)
            )
            .values()
        ),
    }
    return QueuePage(entries=entries, next_cursor=next_cursor, counts=counts)


def _flag_summary(
    annotation_ids: list[int], reply_ids: list[int]
) -> dict[tuple[str, int], tuple[int, list[str]]]:
    summary: dict[tuple[str, int], tuple[int, list[str]]] = {}
    rows = (
        Flag.objects.filter(resolved_at__isnull=True)
        .filter(Q(annotation_id__in=annotation_ids) | Q(reply_id__in=reply_ids))
        .values_list("annotation_id", "reply_id", "reason")
    )
    for annotation_id, reply_id, reason in rows:
        key = ("annotation", annotation_id) if annotation_id else ("reply", reply_id)
        count, reasons = summary.get(key, (0, []))
        summary[key] = (count + 1, sorted({*reasons, reason}))
    return summary

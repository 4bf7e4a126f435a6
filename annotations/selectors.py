"""Reads of annotations, scoped to who asks (DESIGN §5: who sees what).

- The public sees approved, live annotations.
- Authors also see their own in any status (with the rejection reason).
- Moderators see everything.
Deleted annotations appear only as tombstones where a thread needs them, never in lists.
"""

import html
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

from accounts.models import Attribution, User
from annotations.models import OUT_OF_PUBLIC_VIEW, Annotation, Flag, ModerationEvent, Reply, Status
from treaty.models import Provision


def _is_moderator(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_moderator", False))


def visibility_filter(user: User | AnonymousUser | None, *, prefix: str = "") -> Q:
    """The Q a queryset of annotations (or replies) is filtered with for this viewer."""
    if _is_moderator(user):
        return Q()
    public = Q(**{f"{prefix}status": Status.APPROVED})
    if user is not None and user.is_authenticated:
        return public | Q(**{f"{prefix}author_id": user.pk})
    return public


def annotation_visible_to(annotation: Annotation, user: User | AnonymousUser | None) -> bool:
    if _is_moderator(user):
        return True
    if annotation.status == Status.APPROVED:
        return True
    return bool(user is not None and user.is_authenticated and annotation.author_id == user.pk)


@dataclass(frozen=True)
class AnnotationFilters:
    treaty: str | None = None
    version: str | None = None
    language: str | None = None
    article: str | None = None
    provision: str | None = None
    tag: str | None = None
    organization: str | None = None
    status: str | None = None
    position: str | None = None
    mine: bool = False
    updated_after: datetime | None = None
    q: str | None = None  # words in the comment or the proposed wording
    group: int | None = None  # members of one group of near-identical comments


def annotations_matching(
    user: User | AnonymousUser | None, filters: AnnotationFilters
) -> QuerySet[Annotation]:
    """Live annotations this viewer may see that match the filters (lists and exports share it)."""
    queryset = Annotation.objects.filter(deleted_at__isnull=True).filter(visibility_filter(user))
    return _filtered(queryset, filters, user)


def annotations_removed_from_public(filters: AnnotationFilters) -> QuerySet[Annotation]:
    """Annotations that were in public view and have left it (deleted, rejected, marked spam, sent
    back to the queue), matching the filters as they are now: what a copy kept up to date with
    `updated_after` must drop. Every way out of public view sets `updated_at`, and every status
    change away from approved writes a ModerationEvent, so "was public" is: approved now (then
    deleted), or an event to or from approved. Never-published items stay unmentioned."""
    events = ModerationEvent.objects.filter(annotation=OuterRef("pk")).filter(
        Q(from_status=Status.APPROVED) | Q(to_status=Status.APPROVED)
    )
    was_public = Q(status=Status.APPROVED) | Q(Exists(events))
    return _filtered(Annotation.objects.filter(OUT_OF_PUBLIC_VIEW).filter(was_public), filters, None)


def _filtered(
    queryset: QuerySet[Annotation], filters: AnnotationFilters, user: User | AnonymousUser | None
) -> QuerySet[Annotation]:
    if filters.treaty:
        queryset = queryset.filter(version__treaty__slug=filters.treaty)
    if filters.version:
        queryset = queryset.filter(version__label=filters.version)
    if filters.language:
        queryset = queryset.filter(version__language=filters.language)
    if filters.article:
        queryset = queryset.filter(article__number=filters.article)
    if filters.provision:
        queryset = queryset.filter(target__provision_key=filters.provision)
    if filters.tag:
        # EXISTS rather than a join: no duplicate rows, so no DISTINCT over wide rows.
        tagged = Annotation.tags.through.objects.filter(
            annotation_id=OuterRef("pk"), concerntag__slug=filters.tag
        )
        queryset = queryset.filter(Exists(tagged))
    if filters.organization:
        # Anonymous annotations never show up under an organisation: that would reveal who wrote them.
        queryset = queryset.filter(organization__slug=filters.organization).exclude(attribution="anonymous")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.position:
        queryset = queryset.filter(position=filters.position)
    if filters.mine and user is not None and user.is_authenticated:
        queryset = queryset.filter(author_id=user.pk)
    if filters.updated_after:
        queryset = queryset.filter(updated_at__gt=filters.updated_after)
    if filters.q:
        queryset = annotations_with_words(queryset, filters.q)
    if filters.group is not None:
        queryset = queryset.filter(campaign_member__group_id=filters.group)
    return queryset


def annotation_list_visible_to(
    user: User | AnonymousUser | None, filters: AnnotationFilters
) -> QuerySet[Annotation]:
    return with_display_data(annotations_matching(user, filters), user)


def with_display_data(
    queryset: QuerySet[Annotation], user: User | AnonymousUser | None
) -> QuerySet[Annotation]:
    """Everything a list shows, in a constant number of queries whatever the page size."""
    visible_replies = Reply.objects.filter(deleted_at__isnull=True).filter(visibility_filter(user))
    return (
        queryset.select_related(
            "author",
            "organization",
            "target",
            "version",
            "version__treaty",
            "provision",
            "article",
            "target__provision",
        )
        .prefetch_related("tags")
        .annotate(
            endorsement_count=Count("endorsements", distinct=True),
            reply_count=Count("replies", filter=Q(replies__in=visible_replies), distinct=True),
        )
    )


def annotation_get_visible(pk: int, user: User | AnonymousUser | None) -> Annotation | None:
    """The annotation if this viewer may see it (deleted ones included: shown as tombstones)."""
    annotation = with_display_data(Annotation.objects.filter(pk=pk), user).first()
    if annotation is None or not annotation_visible_to(annotation, user):
        return None
    return annotation


def reply_visible_to(reply: Reply, user: User | AnonymousUser | None) -> bool:
    if _is_moderator(user) or reply.status == Status.APPROVED:
        return True
    return bool(user is not None and user.is_authenticated and reply.author_id == user.pk)


def replies_visible_to(annotation: Annotation, user: User | AnonymousUser | None) -> list[Reply]:
    """A thread: visible replies, plus tombstones for deleted or hidden ones that have visible children."""
    replies = list(
        Reply.objects.filter(annotation=annotation)
        .select_related("author", "organization")
        .order_by("created_at", "id")
    )
    visible_ids = {r.pk for r in replies if r.deleted_at is None and reply_visible_to(r, user)}
    needed = set(visible_ids)
    by_id = {r.pk: r for r in replies}
    for reply_id in list(visible_ids):
        parent_id = by_id[reply_id].parent_id
        while parent_id is not None:
            needed.add(parent_id)
            parent_id = by_id[parent_id].parent_id
    result = []
    for reply in replies:
        if reply.pk not in needed:
            continue
        reply.is_tombstone = reply.pk not in visible_ids  # type: ignore[attr-defined]
        result.append(reply)
    return result


# --- The annotation panel of an article page ------------------------------------------------


@dataclass(frozen=True)
class ArticleAnnotationRow:
    """One annotation of an article page, light enough to list thousands: counts, filters, paging."""

    id: int
    provision_id: int
    author_id: int | None
    position: str
    deleted: bool
    # Only when the public may know it: never for an anonymous annotation.
    organization_slug: str | None
    organization_name: str | None
    has_tag: bool  # carries the tag asked for (True when none was asked for)


def _article_queryset(article: Provision, user: User | AnonymousUser | None) -> QuerySet[Annotation]:
    live_visible_replies = Reply.objects.filter(annotation=OuterRef("pk"), deleted_at__isnull=True).filter(
        visibility_filter(user)
    )
    # A deleted annotation stays only as a tombstone that keeps a visible thread readable.
    return (
        Annotation.objects.filter(article=article)
        .filter(visibility_filter(user))
        .filter(Q(deleted_at__isnull=True) | Q(Exists(live_visible_replies)))
    )


def article_annotation_rows(
    article: Provision, user: User | AnonymousUser | None, *, tag: str | None = None
) -> list[ArticleAnnotationRow]:
    """Every annotation on an article this viewer may see, in document order, in one query."""
    queryset = _article_queryset(article, user)
    if tag:
        tagged = Annotation.tags.through.objects.filter(annotation=OuterRef("pk"), concerntag__slug=tag)
        queryset = queryset.annotate(has_tag=Exists(tagged))
    else:
        queryset = queryset.annotate(has_tag=Value(True))
    rows = queryset.order_by("provision__order", "created_at", "id").values_list(
        "id",
        "provision_id",
        "author_id",
        "position",
        "deleted_at",
        "attribution",
        "organization__slug",
        "organization__name",
        "has_tag",
    )
    return [
        ArticleAnnotationRow(
            id=pk,
            provision_id=provision_id,
            author_id=author_id,
            position=position,
            deleted=deleted_at is not None,
            organization_slug=None if attribution == Attribution.ANONYMOUS else slug,
            organization_name=None if attribution == Attribution.ANONYMOUS else name,
            has_tag=bool(has_tag),
        )
        for pk, provision_id, author_id, position, deleted_at, attribution, slug, name, has_tag in rows
    ]


def article_annotations_visible_to(
    article: Provision, user: User | AnonymousUser | None, *, ids: Collection[int] | None = None
) -> list[Annotation]:
    """The annotations on an article (its lead-in and every provision in it) this viewer may see.

    Only those in `ids` when given (one page of the panel). In document order (provision, then
    oldest first), each with `.thread`: its visible replies as a tree (`.answers` on every reply,
    tombstones for deleted or hidden replies that still have visible answers). Three queries
    whatever the number of annotations: the annotations, their tags, and their replies.
    """
    queryset = _article_queryset(article, user)
    if ids is not None:
        if not ids:
            return []
        queryset = queryset.filter(pk__in=list(ids))
    annotations: list[Annotation] = list(
        with_display_data(queryset, user)
        # Its group of near-identical comments, if any (annotations.campaigns), in the same query.
        .annotate(campaign_group_id=F("campaign_member__group_id"))
        .order_by("provision__order", "created_at", "id")
    )
    by_annotation: dict[int, list[Reply]] = {a.pk: [] for a in annotations}
    replies = Reply.objects.filter(annotation__article=article).select_related("author", "organization")
    if ids is not None:
        replies = replies.filter(annotation_id__in=list(by_annotation))
    for reply in replies.order_by("created_at", "id"):
        if reply.annotation_id in by_annotation:
            by_annotation[reply.annotation_id].append(reply)
    for annotation in annotations:
        annotation.thread = _thread(by_annotation[annotation.pk], user)  # type: ignore[attr-defined]
    return annotations


def _thread(replies: list[Reply], user: User | AnonymousUser | None) -> list[Reply]:
    """Roots of a reply tree, keeping tombstones only where a visible reply hangs below them."""
    by_id = {r.pk: r for r in replies}
    visible_ids = {r.pk for r in replies if r.deleted_at is None and reply_visible_to(r, user)}
    needed = set(visible_ids)
    for reply_id in visible_ids:
        parent_id = by_id[reply_id].parent_id
        while parent_id is not None and parent_id in by_id:
            needed.add(parent_id)
            parent_id = by_id[parent_id].parent_id
    roots: list[Reply] = []
    for reply in replies:
        if reply.pk not in needed:
            continue
        reply.is_tombstone = reply.pk not in visible_ids  # type: ignore[attr-defined]
        reply.answers = []  # type: ignore[attr-defined]
        # Replies come oldest first, so a parent is always placed before its children.
        parent = by_id.get(reply.parent_id) if reply.parent_id is not None else None
        if parent is not None and parent.pk in needed:
            parent.answers.append(reply)  # type: ignore[attr-defined]
        else:
            roots.append(reply)
    return roots


def annotation_page_path(annotation: Annotation) -> str:
    """Where an annotation is shown: its article page, or the treaty page for the preamble and
    final clause; with the annotation's anchor."""
    from django.urls import reverse

    slug = annotation.version.treaty.slug
    unit = annotation.article
    if unit.kind == Provision.Kind.ARTICLE:
        return f"{reverse('treaty:article', args=[slug, unit.number])}#annotation-{annotation.pk}"
    return f"{reverse('treaty:detail', args=[slug])}#annotation-{annotation.pk}"


def flags_received(item: Annotation | Reply, viewer: User | AnonymousUser | None) -> list[Flag] | None:
    """The flags on an item, for its author and moderators; None for anybody else.

    Reasons and notes only: the rows are read without their `user`, and callers must never show
    who flagged (issue 17 §3: a flagger must not become a target)."""
    if viewer is None or not viewer.is_authenticated:
        return None
    if not (_is_moderator(viewer) or item.author_id == viewer.pk):
        return None
    where = {"reply": item} if isinstance(item, Reply) else {"annotation": item}
    return list(
        Flag.objects.filter(**where).only("pk", "reason", "note", "created_at").order_by("created_at", "pk")
    )


# --- Searching comments and proposed wordings -------------------------------------------------

# Comments are written in many languages: no stemming, so no language's rules mangle another's words.
COMMENT_SEARCH_CONFIG = "simple"
COMMENT_SEARCH_LIMIT = 20
_MARK_START, _MARK_STOP = "\x02", "\x03"  # as treaty.selectors: swapped for <mark> after escaping


def _comment_document() -> SearchVector:
    return SearchVector("body", "proposed_text", config=COMMENT_SEARCH_CONFIG)


def _comment_query(query: str) -> SearchQuery:
    return SearchQuery(query, config=COMMENT_SEARCH_CONFIG, search_type="websearch")


def _query_words(query: str) -> list[str]:
    return [word for word in re.split(r"\W+", query) if word][:8]


def annotations_with_words(queryset: QuerySet[Annotation], query: str) -> QuerySet[Annotation]:
    """Annotations whose comment or proposed wording hold the words: PostgreSQL full text, or
    every word as a substring on SQLite."""
    query = " ".join(query.replace("\x00", " ").split())[:200]  # NUL: no database stores it
    if connection.vendor == "postgresql":
        return queryset.alias(comment_document=_comment_document()).filter(
            comment_document=_comment_query(query)
        )
    condition = Q()
    for word in _query_words(query):
        condition &= Q(body__icontains=word) | Q(proposed_text__icontains=word)
    return queryset.filter(condition)


@dataclass
class CommentHit:
    annotation: Annotation
    snippet_html: str  # escaped, the matched words in <mark>


def published_comment_search(
    *, treaty_slug: str, version_label: str, query: str, limit: int = COMMENT_SEARCH_LIMIT
) -> list[CommentHit]:
    """Published annotations on a draft (all its languages) whose comment or proposed wording holds
    the words, best first (PostgreSQL: ranked; SQLite: newest first)."""
    query = " ".join(query.replace("\x00", " ").split())[:200]  # NUL: no database stores it
    if not query:
        return []
    published = Annotation.objects.filter(
        deleted_at__isnull=True,
        status=Status.APPROVED,
        version__treaty__slug=treaty_slug,
        version__label=version_label,
    ).select_related("provision", "article", "version", "version__treaty")
    matching = annotations_with_words(published, query)
    if connection.vendor == "postgresql":
        search_query = _comment_query(query)
        ranked = matching.annotate(
            rank=SearchRank(_comment_document(), search_query),
            headline=SearchHeadline(
                Concat("body", Value(" — ", output_field=TextField()), "proposed_text"),
                search_query,
                config=COMMENT_SEARCH_CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=35,
                min_words=15,
            ),
        ).order_by("-rank", "-created_at")[:limit]
        return [CommentHit(a, _escaped_marks(a.headline)) for a in ranked]  # type: ignore[attr-defined]
    # Imported here: treaty.selectors is the reading app's; this is its one shared helper.
    from treaty.selectors import plain_snippet

    words = _query_words(query)
    hits = []
    for annotation in matching.order_by("-created_at")[:limit]:
        text = (
            annotation.body
            if not annotation.proposed_text
            else f"{annotation.body} — {annotation.proposed_text}"
        )
        hits.append(CommentHit(annotation, plain_snippet(text, words)))
    return hits


def _escaped_marks(raw: str) -> str:
    return html.escape(raw).replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")

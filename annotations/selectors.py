"""Reads of annotations, scoped to who asks (DESIGN §5: who sees what).

- The public sees approved, live annotations.
- Authors also see their own in any status (with the rejection reason).
- Moderators see everything.
Deleted annotations appear only as tombstones where a thread needs them, never in lists.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value

from accounts.models import Attribution, User
from annotations.comment_search import annotations_with_words
from annotations.models import (
    OUT_OF_PUBLIC_VIEW,
    AnchorResolution,
    Annotation,
    Flag,
    ModerationEvent,
    Reply,
    Status,
)
from annotations.public_time import in_public_order, public_moment
from treaty.models import DraftVersion, Provision


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
    comment_language: str | None = None  # BCP 47; "fr" also matches "fr-CA"
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
    if filters.comment_language:
        # RFC 4647 basic filtering: the tag itself or a longer one that starts with it.
        tag = filters.comment_language
        queryset = queryset.filter(
            Q(comment_language__iexact=tag) | Q(comment_language__istartswith=f"{tag}-")
        )
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
        # From the start of its minute, included: `modified` is given to the minute, so a client
        # passing the last one it saw gets that minute again (duplicates, never a gap), and no
        # second within a minute answers differently from another (no oracle of the precise time).
        queryset = queryset.filter(updated_at__gte=public_moment(filters.updated_after))
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


def parents_first(replies: Iterable[Reply]) -> list[Reply]:
    """Replies in the order given, except that an answer waits until the reply it answers has
    come: replies are ordered by minute, then by their random id (annotations.public_time), so an
    answer written in the same minute can sort before its parent."""
    replies = list(replies)
    present = {r.pk for r in replies}
    placed: list[Reply] = []
    done: set[int] = set()
    waiting: dict[int, list[Reply]] = {}

    def place(reply: Reply) -> None:
        placed.append(reply)
        done.add(reply.pk)
        for answer in waiting.pop(reply.pk, []):
            place(answer)

    for reply in replies:
        if reply.parent_id is None or reply.parent_id in done or reply.parent_id not in present:
            place(reply)
        else:
            waiting.setdefault(reply.parent_id, []).append(reply)
    return placed


def replies_visible_to(annotation: Annotation, user: User | AnonymousUser | None) -> list[Reply]:
    """A thread: visible replies, plus tombstones for deleted or hidden ones that have visible children."""
    replies = parents_first(
        Reply.objects.filter(annotation=annotation)
        .select_related("author", "organization")
        .order_by(*in_public_order())
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
    provision_key: str  # the same in every language version: rows of siblings count together
    author_id: int | None
    position: str
    deleted: bool
    # Only when the public may know it: never for an anonymous annotation.
    organization_slug: str | None
    organization_name: str | None
    has_tag: bool  # carries the tag asked for (True when none was asked for)
    carried: bool = False  # written on an earlier draft, carried to this one (AnchorResolution)
    outcome: str = ""  # carried: what became of its concern in this draft, if marked


def on_unit_in_every_language(article: Provision, prefix: str = "") -> Q:
    """The annotations on this unit (article, preamble, ...) in any language version of its draft:
    the same key in a sibling version (same treaty and label). A condition, not a query: the
    panel's query count does not grow with the languages (issue 16 §3)."""
    version = DraftVersion.objects.filter(pk=article.version_id)
    siblings = DraftVersion.objects.filter(
        treaty_id=Subquery(version.values("treaty_id")[:1]), label=Subquery(version.values("label")[:1])
    )
    return Q(**{f"{prefix}article__key": article.key, f"{prefix}version__in": siblings})


def _carried_to(article: Provision) -> QuerySet[AnchorResolution]:
    """Resolutions that place an earlier draft's annotation in this article (not orphaned)."""
    return AnchorResolution.objects.filter(version=article.version_id, article=article).exclude(
        state=AnchorResolution.State.ORPHANED
    )


def _article_queryset(
    article: Provision, user: User | AnonymousUser | None, *, carried: bool = False
) -> QuerySet[Annotation]:
    """The annotations written on the article in any language of its draft (or, `carried`, those
    carried to it from earlier drafts)."""
    live_visible_replies = Reply.objects.filter(annotation=OuterRef("pk"), deleted_at__isnull=True).filter(
        visibility_filter(user)
    )
    where = (
        Q(pk__in=_carried_to(article).values("annotation_id"))
        if carried
        else on_unit_in_every_language(article)
    )
    # A deleted annotation stays only as a tombstone that keeps a visible thread readable.
    return (
        Annotation.objects.filter(where)
        .filter(visibility_filter(user))
        .filter(Q(deleted_at__isnull=True) | Q(Exists(live_visible_replies)))
    )


def article_annotation_rows(
    article: Provision, user: User | AnonymousUser | None, *, tag: str | None = None
) -> list[ArticleAnnotationRow]:
    """Every annotation on an article this viewer may see, those carried to it from earlier drafts
    included, in document order (of this draft), in one query."""
    parts = []
    for carried in (False, True):
        queryset = _article_queryset(article, user, carried=carried)
        if tag:
            tagged = Annotation.tags.through.objects.filter(annotation=OuterRef("pk"), concerntag__slug=tag)
            queryset = queryset.annotate(has_tag=Exists(tagged))
        else:
            queryset = queryset.annotate(has_tag=Value(True))
        if carried:
            # Placed where it was carried to: that provision of this draft, in its order.
            here = _carried_to(article).filter(annotation=OuterRef("pk"))
            queryset = queryset.annotate(
                shown_key=Subquery(here.values("provision__key")[:1]),
                shown_order=Subquery(here.values("provision__order")[:1]),
                is_carried=Value(True),
                carried_outcome=Subquery(here.values("outcome")[:1]),
            )
        else:
            queryset = queryset.annotate(
                # Keys, not ids: a sibling language's annotation sits under this page's provision.
                shown_key=F("provision__key"),
                shown_order=F("provision__order"),
                is_carried=Value(False),
                carried_outcome=Value(""),
            )
        # Model fields first, then the annotations in the order they were added: the order the
        # database returns them in, which a union's rows are read back in as they are.
        parts.append(
            queryset.order_by().values_list(
                "id",
                "author_id",
                "position",
                "deleted_at",
                "attribution",
                "organization__slug",
                "organization__name",
                "created_at",
                "has_tag",
                "shown_key",
                "shown_order",
                "is_carried",
                "carried_outcome",
            )
        )
    # Document order, then the public order within a provision (public_time: minute, then id).
    rows = sorted(
        parts[0].union(parts[1], all=True), key=lambda row: (row[10], public_moment(row[7]), row[0])
    )
    return [
        ArticleAnnotationRow(
            id=pk,
            provision_key=provision_key,
            author_id=author_id,
            position=position,
            deleted=deleted_at is not None,
            organization_slug=None if attribution == Attribution.ANONYMOUS else slug,
            organization_name=None if attribution == Attribution.ANONYMOUS else name,
            has_tag=bool(has_tag),
            carried=bool(carried),
            outcome=outcome or "",
        )
        for (
            pk,
            author_id,
            position,
            deleted_at,
            attribution,
            slug,
            name,
            _,
            has_tag,
            provision_key,
            _,
            carried,
            outcome,
        ) in rows
    ]


def article_annotations_visible_to(
    article: Provision, user: User | AnonymousUser | None, *, ids: Collection[int] | None = None
) -> list[Annotation]:
    """The annotations on an article (its lead-in and every provision in it) this viewer may see.

    Only those in `ids` when given (one page of the panel), in the order of `ids`; those carried
    to the article from earlier drafts among them have `.resolution` (their AnchorResolution
    here). Otherwise in document order (provision, then oldest first). Each has `.thread`: its
    visible replies as a tree (`.answers` on every reply, tombstones for deleted or hidden replies
    that still have visible answers). Four queries whatever the number of annotations: the
    annotations, their tags, their replies, and the resolutions of those carried here.
    """
    queryset = _article_queryset(article, user)
    if ids is not None:
        if not ids:
            return []
        queryset = _article_queryset(article, user) | _article_queryset(article, user, carried=True)
        queryset = queryset.filter(pk__in=list(ids))
    annotations: list[Annotation] = list(
        with_display_data(queryset, user)
        # Its group of near-identical comments, if any (annotations.campaigns), in the same query.
        .annotate(campaign_group_id=F("campaign_member__group_id"))
        .order_by("provision__order", *in_public_order())
    )
    if ids is not None:
        place = {pk: index for index, pk in enumerate(ids)}
        annotations.sort(key=lambda a: place[a.pk])
        carried = [a.pk for a in annotations if a.article_id != article.pk]
        resolutions = {
            r.annotation_id: r
            for r in _carried_to(article).filter(annotation_id__in=carried).select_related("provision")
        } if carried else {}  # fmt: skip
        for annotation in annotations:
            annotation.resolution = resolutions.get(annotation.pk)  # type: ignore[attr-defined]
    by_annotation: dict[int, list[Reply]] = {a.pk: [] for a in annotations}
    replies = Reply.objects.filter(annotation__in=list(by_annotation)).select_related(
        "author", "organization"
    )
    if ids is None:
        replies = Reply.objects.filter(on_unit_in_every_language(article, "annotation__")).select_related(
            "author", "organization"
        )
    for reply in replies.order_by(*in_public_order()):
        if reply.annotation_id in by_annotation:
            by_annotation[reply.annotation_id].append(reply)
    for annotation in annotations:
        thread = parents_first(by_annotation[annotation.pk])
        annotation.thread = _thread(thread, user)  # type: ignore[attr-defined]
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

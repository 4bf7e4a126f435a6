"""What the moderation console shows of each item: the quoted words in their provision, the
author as a moderator may see them, flags, history and links; and the counts in its navigation."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from accounts.models import Organization, User
from accounts.privacy import AuthorView, author_visible_to
from annotations.models import (
    Annotation,
    AnnotationRevision,
    ConcernTag,
    Flag,
    ModerationEvent,
    Reply,
    Status,
)
from annotations.rendering import comment_html
from treaty.models import DraftVersion, Provision

Action = ModerationEvent.Action


# --- What one item shows in the console ------------------------------------------------------


@dataclass(frozen=True)
class QuoteInContext:
    """The paragraph an annotation is on, split around the quoted words (code point offsets)."""

    provision: Provision
    before: str
    exact: str
    after: str
    version: DraftVersion


def quote_in_context(annotation: Annotation) -> QuoteInContext:
    # annotation.provision is the target's provision, denormalised and never edited, and it is
    # already joined in: target.provision would cost one query per item.
    provision = annotation.provision
    text = provision.text
    target = annotation.target
    start, end = target.start, target.end
    if target.exact and start is not None and end is not None and text[start:end] == target.exact:
        return QuoteInContext(provision, text[:start], target.exact, text[end:], annotation.version)
    if target.exact and (found := text.find(target.exact)) >= 0:
        # Offsets that no longer match would be a bug elsewhere: still show the words in place.
        end = found + len(target.exact)
        return QuoteInContext(provision, text[:found], target.exact, text[end:], annotation.version)
    return QuoteInContext(provision, text, "", "", annotation.version)


@dataclass
class ConsoleItem:
    kind: str  # "annotation" or "reply"
    item: Annotation | Reply
    author_view: AuthorView
    body_html: str
    context: QuoteInContext
    annotation: Annotation  # the item itself, or the annotation a reply answers
    tags: list[ConcernTag] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    revisions: list[AnnotationRevision] = field(default_factory=list)
    events: list[ModerationEvent] = field(default_factory=list)
    own: bool = False
    # The near-identical pending comments a queue item stands for (campaign_queue.QueueGroup).
    group: Any = None

    @cached_property
    def label(self) -> str:
        return f"{self.kind} {self.item.pk}"

    @cached_property
    def dom_id(self) -> str:
        return f"{self.kind}-{self.item.pk}"

    @cached_property
    def decide_url(self) -> str:
        return reverse(f"moderation:{self.kind}-decide", args=[self.item.pk])

    @cached_property
    def detail_url(self) -> str:
        return reverse(f"moderation:{self.kind}", args=[self.item.pk])

    @cached_property
    def public_url(self) -> str:
        return article_url(self.annotation, self.dom_id)

    @cached_property
    def bulk_value(self) -> str:
        return f"{self.kind}:{self.item.pk}:{self.item.status}"

    @property
    def deleted(self) -> bool:
        return self.item.deleted_at is not None

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def can_approve(self) -> bool:
        # Approving an approved item with open flags keeps it published and settles the flags.
        return not self.deleted and (self.status != Status.APPROVED or bool(self.flags))

    @property
    def can_reject(self) -> bool:
        return not self.deleted and self.status != Status.REJECTED

    @property
    def can_spam(self) -> bool:
        return not self.deleted and self.status != Status.SPAM

    @property
    def can_feature(self) -> bool:
        return (
            self.kind == "annotation"
            and not self.deleted
            and self.status == Status.APPROVED
            and not self.item.featured  # type: ignore[union-attr]
        )

    @property
    def can_unfeature(self) -> bool:
        return self.kind == "annotation" and not self.deleted and bool(self.item.featured)  # type: ignore[union-attr]


def article_url(annotation: Annotation, fragment: str) -> str:
    """The public article page with the item in its panel (version and language spelled out)."""
    version = annotation.version
    query = urlencode({"version": version.label, "lang": version.language})
    if not annotation.article.number:
        # The preamble and the closing formula have no article page: they are read on the
        # treaty's own page, which has no annotation panel, so point at the provision itself.
        path = reverse("treaty:detail", args=[version.treaty.slug])
        return f"{path}?{query}#{annotation.provision.key}"
    path = reverse("treaty:article", args=[version.treaty.slug, annotation.article.number])
    return f"{path}?{query}#{fragment}"


def console_items(
    viewer: User,
    annotations: Iterable[tuple[str, Annotation | Reply]],
    *,
    with_events: bool = False,
) -> list[ConsoleItem]:
    """Wrap annotations and replies (already joined to what they show) for the templates.

    Costs three queries whatever the number of items: open flags, edit history, and (on the
    item page only) the moderation events."""
    pairs = list(annotations)
    annotation_ids = [item.pk for kind, item in pairs if kind == "annotation"]
    reply_ids = [item.pk for kind, item in pairs if kind == "reply"]
    flags: dict[tuple[str, int], list[Flag]] = {}
    if pairs:
        open_flags = (
            Flag.objects.filter(resolved_at__isnull=True)
            .filter(Q(annotation_id__in=annotation_ids) | Q(reply_id__in=reply_ids))
            .select_related("user")
            .order_by("created_at", "id")
        )
        for flag in open_flags:
            key = ("annotation", flag.annotation_id) if flag.annotation_id else ("reply", flag.reply_id)
            flags.setdefault(key, []).append(flag)  # type: ignore[arg-type]
    revisions: dict[int, list[AnnotationRevision]] = {}
    if annotation_ids:
        for revision in AnnotationRevision.objects.filter(annotation_id__in=annotation_ids).order_by(
            "-created_at", "-id"
        ):
            revisions.setdefault(revision.annotation_id, []).append(revision)
    events: dict[tuple[str, int], list[ModerationEvent]] = {}
    if with_events and pairs:
        for event in (
            ModerationEvent.objects.filter(Q(annotation_id__in=annotation_ids) | Q(reply_id__in=reply_ids))
            .select_related("actor")
            .order_by("-created_at", "-id")
        ):
            key = ("annotation", event.annotation_id) if event.annotation_id else ("reply", event.reply_id)
            events.setdefault(key, []).append(event)  # type: ignore[arg-type]

    items = []
    for kind, item in pairs:
        annotation = item if isinstance(item, Annotation) else item.annotation
        items.append(
            ConsoleItem(
                kind=kind,
                item=item,
                # Moderators see who wrote it, anonymous contributions included (accounts.privacy).
                author_view=author_visible_to(
                    viewer, author=item.author, organization=item.organization, attribution=item.attribution
                ),
                body_html=comment_html(item.body),
                context=quote_in_context(annotation),
                annotation=annotation,
                tags=list(item.tags.all()) if isinstance(item, Annotation) else [],
                flags=flags.get((kind, item.pk), []),
                revisions=revisions.get(item.pk, []) if kind == "annotation" else [],
                events=events.get((kind, item.pk), []),
                own=item.author_id == viewer.pk,
            )
        )
    return items


def replies_for_console() -> Any:
    return Reply.objects.select_related(
        "author",
        "organization",
        "annotation",
        "annotation__target",
        "annotation__provision",
        "annotation__article",
        "annotation__version__treaty",
    )


def console_nav_counts() -> dict[str, int]:
    return {"organizations_waiting": Organization.objects.filter(verified_at__isnull=True).count()}

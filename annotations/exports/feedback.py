"""Aggregated feedback per article × concern tag: what goes to the negotiating table.

Counts come from the stored heat rows; featured comments and proposed wordings from approved
annotations, each attributed to its organisation unless its author chose anonymity.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Attribution
from annotations.amend import amended_clause
from annotations.campaigns.selectors import Signatories, group_signatories
from annotations.exports.rows import permalink_prefix
from annotations.heat.selectors import HeatCell, HeatMatrix, treaty_heat
from annotations.models import Annotation, Status
from annotations.public_time import public_moment
from treaty.models import RTL_LANGUAGES, DraftVersion, Provision
from treaty.selectors import draft_versions

WORDINGS_PER_ARTICLE = 20
WHAT_COUNTS = (
    "Approved annotations only (pending, rejected, spam and deleted ones never count). "
    "'organizations' counts distinct organisations (an author without one counts as one); "
    "'score' is the sum of severities (1 note, 2 concern, 3 serious); "
    "'endorsements' counts organisations co-signing."
)


@dataclass
class Comment:
    id: int
    permalink: str
    provision: str
    provision_label: str
    quote: str
    body: str
    proposed_text: str
    # With position "amend": the words the proposed wording would replace (the quote, else the
    # provision's text), so a reader of the feedback sees the change, not only the new words.
    amends: str
    organization: str | None
    tags: list[str]
    position: str
    severity: int
    moderator_note: str
    # The language version it was written on (its quote is in that language), and the language
    # of the comment itself (issue 16 §3): feedback pools every language of the draft.
    text_language: str = ""
    language: str = ""
    # A coalition's position (annotations.campaigns): quoted once, for its whole group.
    group_id: int | None = None
    group_size: int = 0
    signatories: list[str] = field(default_factory=list)

    @property
    def text_direction(self) -> str:
        return "rtl" if self.text_language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


@dataclass
class ArticleFeedback:
    unit: Provision
    total: HeatCell
    cells: list[HeatCell]
    featured: list[Comment] = field(default_factory=list)
    proposed_wordings: list[Comment] = field(default_factory=list)


@dataclass
class Feedback:
    version: DraftVersion
    matrix: HeatMatrix
    articles: list[ArticleFeedback]
    generated_at: datetime
    filters: dict[str, str]

    def provenance(self) -> dict[str, Any]:
        treaty = self.version.treaty
        return {
            "treaty": treaty.slug,
            "title": treaty.title,
            "version": self.version.label,
            "language": self.version.language,
            "generated_at": self.generated_at.isoformat(),
            "heat_computed_at": self.matrix.computed_at.isoformat() if self.matrix.computed_at else None,
            "filters": self.filters,
            "what_counts": WHAT_COUNTS,
            "source": f"{settings.SITE_URL}/treaties/{treaty.slug}/",
        }


def comment_from(annotation: Annotation) -> Comment:
    """A published annotation as it is quoted in feedback: no author unless organisation-attributed."""
    anonymous = annotation.attribution == Attribution.ANONYMOUS
    return Comment(
        id=annotation.pk,
        # /annotations/<id>/: the annotation on its unit's page in the draft it was written on.
        permalink=f"{permalink_prefix()}{annotation.pk}/",
        provision=annotation.target.provision_key,
        provision_label=annotation.provision.label,
        quote=annotation.target.exact,
        body=annotation.body,
        proposed_text=annotation.proposed_text,
        amends=amended_clause(annotation.position, annotation.target.exact, annotation.provision.text),
        organization=None if anonymous or annotation.organization is None else annotation.organization.name,
        tags=[t.slug for t in annotation.tags.all()],
        position=annotation.position,
        severity=annotation.severity,
        moderator_note=annotation.moderator_note,
        text_language=annotation.version.language,
        language=getattr(annotation, "language", ""),
    )


def coalitions_once(
    comments: list[Comment], groups: dict[int, tuple[int, Signatories]] | None = None
) -> list[Comment]:
    """Near-identical comments of one group quoted once, the first, with the group's size and its
    signatories (named organisations, individuals and anonymous members counted, never named).
    `groups`: group_signatories of these comments, when read already for several lists at once."""
    if groups is None:
        groups = group_signatories(c.id for c in comments)
    seen: set[int] = set()
    kept: list[Comment] = []
    for comment in comments:
        if comment.id in groups:
            group_id, signatories = groups[comment.id]
            if group_id in seen:
                continue
            seen.add(group_id)
            comment.group_id, comment.group_size = group_id, signatories.size
            comment.signatories = signatories.as_words()
        kept.append(comment)
    return kept


def _in_segment(annotations: QuerySet[Annotation], segment: str) -> QuerySet[Annotation]:
    """The annotations a breakdown by organisation type or country counts: never anonymous ones,
    which count in no segment (annotations.heat.queries)."""
    if not segment:
        return annotations
    kind, _, value = segment.partition(":")
    counted = annotations.exclude(attribution=Attribution.ANONYMOUS)
    if kind == "type":
        if value == "individual":
            return counted.filter(organization__isnull=True)
        return counted.filter(organization__type=value)
    return counted.filter(organization__country=value)


def treaty_feedback(
    version: DraftVersion, *, segment: str = "", tag: str | None = None, filters: dict[str, str] | None = None
) -> Feedback:
    matrix = treaty_heat(version, segment=segment, tag=tag)
    # Every language version of the draft: the heat rows pool them, so do the comments quoted.
    published = (
        Annotation.objects.filter(
            version__in=draft_versions(version), status=Status.APPROVED, deleted_at__isnull=True
        )
        .select_related("target", "provision", "article", "organization", "version__treaty")
        .prefetch_related("tags")
    )
    if tag:
        published = published.filter(tags__slug=tag)
    published = _in_segment(published, segment)
    # By the key of their unit, the same in every language version.
    featured: dict[str, list[Comment]] = {}
    for annotation in published.filter(featured=True).order_by(
        "article__order", "provision__order", "created_at", "pk"
    ):
        featured.setdefault(annotation.article.key, []).append(comment_from(annotation))
    wordings: dict[str, list[Comment]] = {}
    # Curated first, then the most serious; a bounded number per article.
    for annotation in published.exclude(proposed_text="").order_by(
        "-featured", "-severity", "created_at", "pk"
    ):
        bucket = wordings.setdefault(annotation.article.key, [])
        if len(bucket) < WORDINGS_PER_ARTICLE:
            bucket.append(comment_from(annotation))
    # In a breakdown, an article whose segment has too few organisations shows no comments: they
    # would say who the few are (DESIGN §6 "Small cells").
    # Every article's groups in one read: the number of queries does not grow with the articles.
    quoted = [c.id for lists in (featured, wordings) for comments in lists.values() for c in comments]
    groups = group_signatories(quoted)

    def once(comments: dict[str, list[Comment]], unit: Provision) -> list[Comment]:
        return coalitions_once(comments.get(unit.key, []), groups)

    articles = [
        ArticleFeedback(
            unit=row.provision,
            total=row.total,
            cells=row.cells,
            featured=[] if row.total.suppressed else once(featured, row.provision),
            proposed_wordings=[] if row.total.suppressed else once(wordings, row.provision),
        )
        for row in matrix.rows
    ]
    return Feedback(
        version=version,
        matrix=matrix,
        articles=articles,
        generated_at=public_moment(timezone.now()),
        filters=filters or {},
    )

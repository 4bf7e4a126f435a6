"""Printable briefings: what a treaty's commenters said, or one article's beside its text, as an
HTML page made to be printed or saved as PDF (static/css/print.css).

The numbers come from the stored heat rows and the comments from the aggregated feedback
(annotations.exports.feedback), so a briefing says exactly what the feedback download says: approved
annotations only, and no organisation named for an annotation whose author chose anonymity.
"""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from annotations.amend import amend_redline
from annotations.campaigns.selectors import group_signatories
from annotations.exports.feedback import (
    WORDINGS_PER_ARTICLE,
    ArticleFeedback,
    Comment,
    Feedback,
    coalitions_once,
    comment_from,
    treaty_feedback,
)
from annotations.heat.selectors import HeatCell, HeatMatrix, article_heat
from annotations.models import Annotation, ConcernTag, Status
from annotations.public_time import public_moment
from annotations.rendering import comment_html
from annotations.selectors import on_unit_in_every_language
from treaty import selectors as treaty_selectors
from treaty.drafts.wordiff import Diff
from treaty.models import DraftVersion, Provision, Treaty
from treaty.page_cache import by_slug, cached_for_anonymous

TOP_ARTICLES_PER_CONCERN = 3
TAGS_PER_ROW = 3


@dataclass
class TagRow:
    """One concern tag's counts (a row of the heat table)."""

    tag: ConcernTag
    cell: HeatCell


@dataclass
class Concern:
    """A concern tag in the ranking, with where it is raised most (treaty briefing)."""

    tag: ConcernTag
    cell: HeatCell
    most_in: list[tuple[Provision, HeatCell]] = field(default_factory=list)


@dataclass
class UnitRow:
    """An article (treaty briefing) or a provision (article briefing) with its main concerns."""

    unit: Provision
    total: HeatCell
    main_tags: list[ConcernTag]
    url: str = ""


@dataclass
class CommentView:
    comment: Comment
    body_html: SafeString
    tag_names: list[str]
    severity: str
    position: str
    redline: dict[str, Diff] | None  # a proposed wording against the words it replaces


@dataclass
class ArticleComments:
    unit: Provision
    briefing_url: str
    featured: list[CommentView]
    proposed_wordings: list[CommentView]


def _version(request: HttpRequest, treaty: Treaty) -> DraftVersion:
    """The version asked for (?version=, ?lang=, as on the reading pages), else the current one."""
    versions = treaty_selectors.version_list(treaty)
    return treaty_selectors.version_choose(
        versions, label=request.GET.get("version") or None, language=request.GET.get("lang") or None
    )


def _version_params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in ("version", "lang") if request.GET.get(k)}


def _version_query(request: HttpRequest) -> str:
    """The query string that keeps the version asked for on the links of the page."""
    params = _version_params(request)
    return f"?{urlencode(params)}" if params else ""


def _absolute(path: str) -> str:
    # Printed links must work on paper: always the full address, the site's own (SITE_URL), as
    # every other link it prints: never a host a request happened to name.
    return f"{settings.SITE_URL}{path}"


def _ranked(cells: list[HeatCell], tags: dict[str, ConcernTag]) -> list[tuple[ConcernTag, HeatCell]]:
    """Tags with any annotation, most organisations first (then annotations, then score), so that
    one prolific group cannot put its concern on top (DESIGN §6)."""
    present = [c for c in cells if c.annotations and c.tag in tags]
    order = {slug: index for index, slug in enumerate(tags)}
    present.sort(key=lambda c: (-c.organizations, -c.annotations, -c.score, order[c.tag or ""]))
    return [(tags[c.tag or ""], c) for c in present]


def _unit_row(
    unit: Provision, total: HeatCell, cells: list[HeatCell], tags: dict[str, ConcernTag]
) -> UnitRow:
    return UnitRow(unit=unit, total=total, main_tags=[t for t, _ in _ranked(cells, tags)[:TAGS_PER_ROW]])


def _comment_views(comments: list[Comment], tags: dict[str, ConcernTag]) -> list[CommentView]:
    severities = dict(Annotation.Severity.choices)
    positions = dict(Annotation.Position.choices)
    return [
        CommentView(
            comment=c,
            # Light Markdown, sanitised: raw HTML in a comment is shown as text, never interpreted.
            body_html=mark_safe(comment_html(c.body)),  # noqa: S308
            tag_names=[tags[slug].name if slug in tags else slug for slug in c.tags],
            severity=str(severities.get(c.severity, c.severity)),
            position=str(positions.get(c.position, c.position)),
            redline=_redline(c),
        )
        for c in comments
    ]


def _redline(comment: Comment) -> dict[str, Diff] | None:
    diff = amend_redline(comment.position, comment.proposed_text, comment.amends, "")
    return {"diff": diff} if diff else None  # treaty/_redline.html reads `p.diff`


def _positions(cell: HeatCell) -> list[tuple[str, int]]:
    labels = dict(Annotation.Position.choices)
    return [(str(labels.get(name, name)), count) for name, count in cell.positions.items() if count]


def _provenance(feedback: Feedback, source: str) -> dict[str, Any]:
    provenance = feedback.provenance()
    provenance["source"] = source
    return provenance


@require_GET
@cached_for_anonymous(by_slug)
def treaty_briefing(request: HttpRequest, slug: str) -> HttpResponse:
    treaty = treaty_selectors.treaty_get(slug)
    version = _version(request, treaty)
    feedback = treaty_feedback(version, filters=_version_params(request))
    matrix = feedback.matrix
    tags = {t.slug: t for t in matrix.tags}
    query = _version_query(request)

    concerns = []
    for tag, cell in _ranked(matrix.column_totals, tags):
        index = matrix.tags.index(tag)
        raised = [(row.provision, row.cells[index]) for row in matrix.rows if row.cells[index].annotations]
        raised.sort(key=lambda pair: (-pair[1].organizations, -pair[1].annotations, pair[0].order))
        concerns.append(Concern(tag=tag, cell=cell, most_in=raised[:TOP_ARTICLES_PER_CONCERN]))

    def unit_url(unit: Provision) -> str:
        if unit.kind == Provision.Kind.ARTICLE:
            return _absolute(reverse("briefing:article", args=[treaty.slug, unit.number]) + query)
        return _absolute(reverse("treaty:detail", args=[treaty.slug]) + query + f"#{unit.key}")

    articles: list[UnitRow] = []
    comments: list[ArticleComments] = []
    for article in feedback.articles:
        if article.total.annotations:
            row = _unit_row(article.unit, article.total, article.cells, tags)
            row.url = unit_url(article.unit)
            articles.append(row)
        if article.featured or article.proposed_wordings:
            comments.append(_article_comments(article, tags, unit_url(article.unit)))

    context = {
        "treaty": treaty,
        "version": version,
        "feedback": feedback,
        "provenance": _provenance(feedback, _absolute(reverse("treaty:detail", args=[treaty.slug]) + query)),
        "heat_caption": "Published annotations on the whole text, by concern tag",
        "tag_rows": [TagRow(tag=t, cell=c) for t, c in zip(matrix.tags, matrix.column_totals, strict=True)],
        "total": matrix.grand_total,
        "positions": _positions(matrix.grand_total),
        "concerns": concerns,
        "articles": articles,
        "unannotated": len(feedback.articles) - len(articles),
        "comments": comments,
        "query": query,
        "downloads": [
            ("Download feedback (CSV)", _feedback_url(treaty, version, query, "csv")),
            ("Feedback as JSON", _feedback_url(treaty, version, query, "json")),
        ],
    }
    return render(request, "annotations/briefing/treaty_briefing.html", context)


def _feedback_url(treaty: Treaty, version: DraftVersion, query: str, kind: str) -> str:
    params = {"format": kind}
    if query:
        params |= {"version": version.label, "language": version.language}
    return f"{reverse('api:treaty-feedback', args=[treaty.slug])}?{urlencode(params)}"


def _export_url(treaty: Treaty, version: DraftVersion, query: str, article: Provision) -> str:
    params = {"format": "csv", "article": article.number}
    if query:
        params |= {"version": version.label, "language": version.language}
    return f"{reverse('api:annotation-export', args=[treaty.slug])}?{urlencode(params)}"


def _article_comments(article: ArticleFeedback, tags: dict[str, ConcernTag], url: str) -> ArticleComments:
    return ArticleComments(
        unit=article.unit,
        briefing_url=url,
        featured=_comment_views(article.featured, tags),
        proposed_wordings=_comment_views(article.proposed_wordings, tags),
    )


def _published_comments(version: DraftVersion, article: Provision) -> tuple[list[Comment], list[Comment]]:
    """The article's featured comments and proposed wordings, chosen and ordered as the treaty
    feedback chooses them (annotations.exports.feedback.treaty_feedback), read for this article alone."""
    published = (
        Annotation.objects.filter(
            on_unit_in_every_language(article), status=Status.APPROVED, deleted_at__isnull=True
        )
        .select_related("target", "provision", "article", "organization", "version__treaty")
        .prefetch_related("tags")
    )
    featured = [
        comment_from(a)
        for a in published.filter(featured=True).order_by("provision__order", "created_at", "pk")
    ]
    wordings = [
        comment_from(a)
        for a in published.exclude(proposed_text="").order_by("-featured", "-severity", "created_at", "pk")[
            :WORDINGS_PER_ARTICLE
        ]
    ]
    groups = group_signatories(c.id for c in [*featured, *wordings])  # one read for both lists
    return coalitions_once(featured, groups), coalitions_once(wordings, groups)


@require_GET
def article_briefing(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    treaty = treaty_selectors.treaty_get(slug)
    version = _version(request, treaty)
    article = treaty_selectors.article_get(version, number)
    matrix: HeatMatrix = article_heat(version, article)
    tags = {t.slug: t for t in matrix.tags}
    query = _version_query(request)
    featured, wordings = _published_comments(version, article)
    feedback = Feedback(
        version=version,
        matrix=matrix,
        articles=[
            ArticleFeedback(
                unit=article,
                total=matrix.grand_total,
                cells=matrix.column_totals,
                featured=featured,
                proposed_wordings=wordings,
            )
        ],
        generated_at=public_moment(timezone.now()),
        filters=_version_params(request),
    )
    # The article's own row is its lead-in text; its roll-up is the matrix total.
    provisions = [row.provision for row in matrix.rows]
    provision_rows = [
        _unit_row(row.provision, row.total, row.cells, tags) for row in matrix.rows if row.total.annotations
    ]
    article_url = reverse("treaty:article", args=[treaty.slug, article.number]) + query
    context = {
        "treaty": treaty,
        "version": version,
        "article": article,
        "provisions": [p for p in provisions if p.pk != article.pk],
        "feedback": feedback,
        "provenance": _provenance(feedback, _absolute(article_url)),
        "tag_rows": [TagRow(tag=t, cell=c) for t, c in zip(matrix.tags, matrix.column_totals, strict=True)],
        "total": matrix.grand_total,
        "positions": _positions(matrix.grand_total),
        "concerns": [Concern(tag=t, cell=c) for t, c in _ranked(matrix.column_totals, tags)],
        "provision_rows": provision_rows,
        "featured": _comment_views(featured, tags),
        "proposed_wordings": _comment_views(wordings, tags),
        "query": query,
        "heat_caption": f"Published annotations on {article.label}, by concern tag",
        "downloads": [
            ("Download feedback (CSV)", _feedback_url(treaty, version, query, "csv")),
            ("Annotations on this article (CSV)", _export_url(treaty, version, query, article)),
        ],
        "article_url": _absolute(article_url),
        "treaty_briefing_url": reverse("briefing:treaty", args=[treaty.slug]) + query,
    }
    return render(request, "annotations/briefing/article_briefing.html", context)

"""Searching published comments and proposed wordings, each stemmed in its own language.

Split from annotations.selectors, which filters the annotation list with `annotations_with_words`.
"""

import html
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Concat

from annotations.models import (
    Annotation,
    Status,
)
from annotations.public_time import in_public_order
from treaty.search_configs import SEARCH_CONFIGS

# Comments are written in many languages: each is stemmed by the rules of its own comment_language
# (treaty.search_configs; "simple" for others and for "und"), the query by the same rules per row.
COMMENT_SEARCH_LIMIT = 20
_MARK_START, _MARK_STOP = "\x02", "\x03"  # as treaty.selectors: swapped for <mark> after escaping


def _in_language(language: str) -> Q:
    """RFC 4647 basic filtering on comment_language: "fr" matches fr and fr-CA."""
    return Q(comment_language__iexact=language) | Q(comment_language__istartswith=f"{language}-")


def _comment_config() -> Case:
    whens = [When(_in_language(language), then=Value(config)) for language, config in SEARCH_CONFIGS.items()]
    return Case(*whens, default=Value("simple"), output_field=TextField())


def _comment_document() -> SearchVector:
    return SearchVector("body", "proposed_text", config=_comment_config())


def _comment_query(query: str) -> SearchQuery:
    return SearchQuery(query, config=_comment_config(), search_type="websearch")


def _substring_condition(query: str) -> Q:
    condition = Q()
    for word in _query_words(query):
        condition &= Q(body__icontains=word) | Q(proposed_text__icontains=word)
    return condition


def _query_words(query: str) -> list[str]:
    return [word for word in re.split(r"\W+", query) if word][:8]


def annotations_with_words(queryset: QuerySet[Annotation], query: str) -> QuerySet[Annotation]:
    """Annotations whose comment or proposed wording hold the words: PostgreSQL full text, or
    every word as a substring on SQLite."""
    query = " ".join(query.replace("\x00", " ").split())[:200]  # NUL: no database stores it
    if connection.vendor == "postgresql":
        # Chinese has no spaces to split words at: its comments are matched by substring.
        chinese = _in_language("zh") & _substring_condition(query)
        # One condition per configuration, each with a constant config: a per-row config inside
        # SearchQuery is not relabelled when the list is used as a subquery (an export's), and
        # PostgreSQL refused the outer table name there.
        configs = {**SEARCH_CONFIGS, "": "simple"}
        known = Q()
        for language in SEARCH_CONFIGS:
            known |= _in_language(language)
        condition = chinese
        for language, config in configs.items():
            alias = f"comment_document_{config}"
            queryset = queryset.alias(**{alias: SearchVector("body", "proposed_text", config=config)})
            rows = _in_language(language) if language else ~known
            condition |= rows & Q(**{alias: SearchQuery(query, config=config, search_type="websearch")})
        return queryset.filter(condition)
    return queryset.filter(_substring_condition(query))


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
                config=_comment_config(),
                start_sel=_MARK_START,
                stop_sel=_MARK_STOP,
                max_words=35,
                min_words=15,
            ),
        ).order_by("-rank", *in_public_order(newest_first=True))[:limit]
        return [CommentHit(a, _escaped_marks(a.headline)) for a in ranked]  # type: ignore[attr-defined]
    # Imported here: treaty.selectors is the reading app's; this is its one shared helper.
    from treaty.selectors import plain_snippet

    words = _query_words(query)
    hits = []
    for annotation in matching.order_by(*in_public_order(newest_first=True))[:limit]:
        text = (
            annotation.body
            if not annotation.proposed_text
            else f"{annotation.body} — {annotation.proposed_text}"
        )
        hits.append(CommentHit(annotation, plain_snippet(text, words)))
    return hits


def _escaped_marks(raw: str) -> str:
    return html.escape(raw).replace(_MARK_START, "<mark>").replace(_MARK_STOP, "</mark>")

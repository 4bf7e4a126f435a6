"""Reads of treaties, draft versions and provisions. Public data: no permission check needed yet."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, Subquery, TextField, Value
from django.http import Http404

from treaty.models import DraftVersion, Provision, Treaty
from treaty.search_configs import KNOWN_CONFIGS, searches_by_substring

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

Kind = Provision.Kind
TOC_KINDS = (Kind.PREAMBLE, Kind.CHAPTER, Kind.SECTION, Kind.TITLE, Kind.ARTICLE, Kind.ANNEX)
NAVIGATION_FIELDS = ("id", "key", "kind", "number", "label", "heading", "order", "depth", "parent_id")


def treaty_list() -> list[Treaty]:
    treaties = list(Treaty.objects.order_by("title"))
    currents = DraftVersion.objects.filter(treaty__in=treaties, is_current=True).order_by(
        "treaty_id", "language"
    )
    by_treaty: dict[int, list[DraftVersion]] = {}
    for version in currents:
        by_treaty.setdefault(version.treaty_id, []).append(version)
    for treaty in treaties:
        treaty.current_versions = by_treaty.get(treaty.pk, [])  # type: ignore[attr-defined]
    return treaties


def drafts_open_for_comment() -> list[DraftVersion]:
    """The current drafts, of every treaty and language, that take comments now."""
    return list(
        DraftVersion.objects.filter(is_current=True, open_for_comment=True)
        .exclude(status=DraftVersion.Status.SUPERSEDED)
        .select_related("treaty")
        .order_by("treaty__title", "language")
    )


def treaty_get(slug: str) -> Treaty:
    try:
        return Treaty.objects.get(slug=slug)
    except Treaty.DoesNotExist:
        raise Http404(f"No treaty {slug!r}.") from None


def treaty_with_versions(slug: str) -> tuple[Treaty, list[DraftVersion]]:
    """A treaty and its versions in one query (404 if there is no such treaty)."""
    versions = list(
        DraftVersion.objects.filter(treaty__slug=slug)
        .select_related("treaty")
        .order_by("-is_current", "label", "language")
    )
    if not versions:
        return treaty_get(slug), []
    return versions[0].treaty, versions


def draft_versions(version: DraftVersion) -> QuerySet[DraftVersion]:
    """The language versions of `version`'s draft, itself included: same treaty, same label.
    Annotations on any of them count together by provision key (DESIGN §3 "Languages")."""
    return DraftVersion.objects.filter(treaty_id=version.treaty_id, label=version.label)


def version_list(treaty: Treaty) -> list[DraftVersion]:
    return list(treaty.versions.order_by("-is_current", "label", "language"))


def version_choose(
    versions: list[DraftVersion], *, label: str | None = None, language: str | None = None
) -> DraftVersion:
    """The version a reader asked for: by label and/or language, else the current English text."""
    candidates = [
        v for v in versions if (not label or v.label == label) and (not language or v.language == language)
    ]
    if not candidates:
        wanted = " ".join(part for part in (label, language) if part)
        raise Http404(f"No version {wanted!r} of this treaty.")
    # Prefer the current text, then English, then whatever comes first.
    candidates.sort(key=lambda v: (not v.is_current, v.language != "en"))
    return candidates[0]


def current_version_label(treaty: Treaty) -> str | None:
    currents = getattr(treaty, "current_versions", None)
    if currents is None:
        currents = list(treaty.versions.filter(is_current=True))
    preferred = sorted(currents, key=lambda v: v.language != "en")
    return preferred[0].label if preferred else None


@dataclass
class TocEntry:
    provision: Provision
    children: list[TocEntry] = field(default_factory=list)


@dataclass
class TableOfContents:
    entries: list[TocEntry]
    articles: list[Provision]  # in document order
    by_id: dict[int, Provision]

    def neighbours(self, article: Provision) -> tuple[Provision | None, Provision | None]:
        index = next(i for i, a in enumerate(self.articles) if a.pk == article.pk)
        previous = self.articles[index - 1] if index > 0 else None
        following = self.articles[index + 1] if index + 1 < len(self.articles) else None
        return previous, following

    def ancestors(self, provision: Provision) -> list[Provision]:
        """Chapter, section and title headings above a provision, outermost first."""
        chain = []
        parent_id = provision.parent_id
        while parent_id is not None and parent_id in self.by_id:
            parent = self.by_id[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return list(reversed(chain))


def table_of_contents(version: DraftVersion) -> TableOfContents:
    """Headings and articles of a version, nested, in one query."""
    rows = list(
        Provision.objects.filter(version=version, kind__in=TOC_KINDS)
        .order_by("order")
        .only(*NAVIGATION_FIELDS)
    )
    by_id = {row.pk: row for row in rows}
    entries: dict[int, TocEntry] = {row.pk: TocEntry(row) for row in rows}
    roots: list[TocEntry] = []
    for row in rows:
        entry = entries[row.pk]
        if row.parent_id in entries:
            entries[row.parent_id].children.append(entry)
        else:
            roots.append(entry)
    articles = [row for row in rows if row.kind == Kind.ARTICLE]
    return TableOfContents(roots, articles, by_id)


def article_get(version: DraftVersion, number: str) -> Provision:
    try:
        # The headings above it (title, section, chapter) come with it, for the breadcrumbs.
        return Provision.objects.select_related("parent__parent__parent").get(
            version=version, kind=Kind.ARTICLE, number=number
        )
    except Provision.DoesNotExist:
        raise Http404(f"No article {number} in this version.") from None


def article_ancestors(article: Provision) -> list[Provision]:
    """Chapter, section and title above an article (loaded by article_get), outermost first."""
    chain = []
    parent = article.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent if parent.parent_id is not None else None
    return list(reversed(chain))


def article_neighbours(
    version: DraftVersion, article: Provision
) -> tuple[Provision | None, Provision | None]:
    """The previous and next articles in printed order, in one query whatever the treaty's size.
    Numbers are strings such as 4a or 6bis, so the neighbours are found by position, not by
    arithmetic: the articles just before and just after this one's `order`."""
    articles = Provision.objects.filter(version=version, kind=Kind.ARTICLE)
    before = articles.filter(order__lt=article.order).order_by("-order").values("order")[:1]
    after = articles.filter(order__gt=article.order).order_by("order").values("order")[:1]
    around = list(
        articles.filter(Q(order=Subquery(before)) | Q(order=Subquery(after))).only(
            "id", "number", "label", "heading", "key", "order"
        )
    )
    previous = next((p for p in around if p.order < article.order), None)
    following = next((p for p in around if p.order > article.order), None)
    return previous, following


def part_get(version: DraftVersion, key: str) -> Provision:
    """The preamble, the closing formula or an annex: a reading unit that is not an article."""
    part = (
        Provision.objects.filter(version=version, key=key, article_id=F("pk"))
        .exclude(kind=Kind.ARTICLE)
        .first()
    )
    if part is None:
        raise Http404(f"No part {key!r} in this version.")
    return part


def part_list(version: DraftVersion) -> list[Provision]:
    """The reading units that are not articles (preamble, closing formula, annexes), in order."""
    return list(
        Provision.objects.filter(version=version, article_id=F("pk"))
        .exclude(kind=Kind.ARTICLE)
        .order_by("order")
        .only(*NAVIGATION_FIELDS)
    )


def unit_provisions(unit: Provision) -> list[Provision]:
    """An article (or the preamble, or the final clause) and everything inside it, in order."""
    return list(Provision.objects.filter(article=unit).order_by("order"))


def preamble_and_final(version: DraftVersion) -> tuple[list[Provision], list[Provision]]:
    rows = list(
        Provision.objects.filter(version=version, article__key__in=("pre", "final")).order_by("order")
    )
    return [r for r in rows if not r.key.startswith("final")], [r for r in rows if r.key.startswith("final")]


# --- Search ---------------------------------------------------------------------------------

MARK_START, MARK_STOP = "\x02", "\x03"  # cannot occur in imported text; swapped for <mark> after escaping


@dataclass
class SearchHit:
    provision: Provision
    article_number: str | None
    snippet_html: str  # escaped text with the matched words in <mark>
    url: str = ""  # set by the view

    @property
    def heading(self) -> str:
        """For the result's title: the heading of the provision's article (or part), else its own."""
        unit = self.provision.article
        heading = unit.heading if unit is not None and unit.heading else self.provision.heading
        return "" if heading == self.provision.label else heading


def provision_search(version: DraftVersion, query: str, *, limit: int = 50) -> list[SearchHit]:
    query = " ".join(query.replace("\x00", " ").split())[:200]  # NUL: no database stores it
    if not query:
        return []
    base = (
        Provision.objects.filter(version=version).exclude(kind__in=(Kind.PREAMBLE,)).select_related("article")
    )
    if searches_by_substring(version.language):
        return _search_substring(base, query, limit)
    if connection.vendor == "postgresql":
        return _search_postgresql(base, version.search_config, query, limit)
    return _search_plain(base, query, limit)


def _search_substring(base: QuerySet[Provision], query: str, limit: int) -> list[SearchHit]:
    """Chinese (both databases): written without spaces, so no text search configuration or FTS5
    tokenizer finds a word inside a sentence. Every space-separated part of the query must occur
    as a substring (its characters in sequence: an n-gram of any length), in document order."""
    parts = query.split()[:8]
    condition = Q()
    for part in parts:
        condition &= Q(text__icontains=part) | Q(heading__icontains=part)
    return [
        SearchHit(
            p,
            p.article.number if p.article else None,
            plain_snippet(f"{p.heading} {p.text}".strip(), parts),
        )
        for p in base.filter(condition).order_by("order")[:limit]
    ]


def _search_postgresql(base: QuerySet[Provision], config: str, query: str, limit: int) -> list[SearchHit]:
    search_query = SearchQuery(query, config=config, search_type="websearch")
    document = TsVector(config)
    matches = (
        base.alias(document=document)
        .filter(document=search_query)
        .annotate(rank=SearchRank(F("document"), search_query))
        .annotate(
            headline=Headline(config, search_query),
        )
        .order_by("-rank", "order")[:limit]
    )
    return [
        SearchHit(p, p.article.number if p.article else None, _marked(p.headline))  # type: ignore[attr-defined]
        for p in matches
    ]


# The searched text of a provision; the same expression as the GIN index (migration 0002).
SEARCH_DOCUMENT_SQL = (
    """COALESCE("treaty_provision"."heading", '') || ' ' || COALESCE("treaty_provision"."text", '')"""
)


class TsVector(Func):
    """to_tsvector(config, COALESCE(heading,'') || ' ' || COALESCE(text,'')), as indexed.

    Written out by hand because the GIN index in migration 0002 only serves a query whose
    expression is textually the same, and the ORM's SearchVector adds casts that differ.
    """

    output_field = SearchVectorField()

    def __init__(self, config: str) -> None:
        super().__init__(Value(config), function="to_tsvector")
        # Only known configurations (treaty.search_configs), never input, reach the SQL.
        assert config in KNOWN_CONFIGS
        self.config = config

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        return f"to_tsvector('{self.config}'::regconfig, {SEARCH_DOCUMENT_SQL})", ()


class Headline(Func):
    output_field = TextField()

    def __init__(self, config: str, query: SearchQuery) -> None:
        super().__init__(query)
        assert config in KNOWN_CONFIGS  # written into the SQL below
        self.config = config

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[str | int, ...]]:
        query_sql, params = compiler.compile(self.source_expressions[0])
        options = f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=15, MaxFragments=2"
        sql = f"ts_headline('{self.config}'::regconfig, {SEARCH_DOCUMENT_SQL}, {query_sql}, %s)"
        return sql, (*params, options)


def _search_plain(base: QuerySet[Provision], query: str, limit: int) -> list[SearchHit]:
    """SQLite: the FTS5 index (migration 0004), every word as a word or the start of one, best
    first (bm25), then in document order."""
    words = [w for w in re.split(r"\W+", query) if w][:8]
    if not words:
        return []
    # Each word quoted (FTS5's own syntax never reaches it) and matched as a prefix: "intercept"
    # finds "interception", as a reader expects.
    match = " ".join('"' + word.replace('"', '""') + '"*' for word in words)
    inner, params = base.values("id").query.sql_with_params()
    # `inner` is the ORM's own SQL for the version's provisions; every value is a parameter.
    sql = (
        "SELECT treaty_provision_fts.rowid FROM treaty_provision_fts"  # noqa: S608
        " JOIN treaty_provision ON treaty_provision.id = treaty_provision_fts.rowid"
        f" WHERE treaty_provision_fts MATCH %s AND treaty_provision.id IN ({inner})"
        ' ORDER BY bm25(treaty_provision_fts), treaty_provision."order" LIMIT %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, *params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    by_id = {p.pk: p for p in base.filter(pk__in=ids)}
    hits = []
    for provision in (by_id[pk] for pk in ids if pk in by_id):
        snippet = plain_snippet(f"{provision.heading} {provision.text}".strip(), words)
        hits.append(SearchHit(provision, provision.article.number if provision.article else None, snippet))
    return hits


def plain_snippet(text: str, words: list[str], width: int = 220) -> str:
    """About `width` characters around the first match, cut between words, never inside one."""
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    match_start, match_end = (first.start(), first.end()) if first else (0, 0)
    start = max(0, match_start - width // 3)
    if start > 0:
        # Forward to the start of the next word, unless that would pass the match.
        space = text.find(" ", start - 1, match_start)
        start = space + 1 if space >= 0 else match_start
    end = start + width
    if end < len(text):
        # Back to the end of the last whole word, keeping the match.
        space = text.rfind(" ", max(match_end, start), end + 1)
        if space < 0:  # the match, or one long word, runs past the width: end after it
            space = text.find(" ", max(match_end, end))
        end = space if space >= 0 else len(text)
    excerpt = text[start:end].strip()
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    marked = pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_STOP}", excerpt)
    return _marked(prefix + marked + suffix)


def _marked(raw: str) -> str:
    """Escape treaty text, then turn the match markers into <mark> elements."""
    return html.escape(raw).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")

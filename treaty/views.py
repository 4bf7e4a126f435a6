"""Reading pages: home, treaty (contents and preamble), article, search."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from annotations.heat.article import article_heat_context
from annotations.views import article_panel
from treaty import selectors
from treaty.drafts.lineage import draft_line
from treaty.models import DraftVersion, Treaty


def _version_for_request(request: HttpRequest, slug: str) -> tuple[Treaty, DraftVersion, list[DraftVersion]]:
    treaty, versions = selectors.treaty_with_versions(slug)
    version = selectors.version_choose(
        versions, label=request.GET.get("version") or None, language=request.GET.get("lang") or None
    )
    return treaty, version, versions


def version_query(version: DraftVersion, default: DraftVersion) -> str:
    """The query string that keeps a reader on a non-default version while they navigate."""
    if version.pk == default.pk:
        return ""
    return "?" + urlencode({"version": version.label, "lang": version.language})


def superseded_notice(
    treaty: Treaty, version: DraftVersion, versions: list[DraftVersion]
) -> dict[str, str] | None:
    """For a superseded draft: the current draft in its language and the "what changed" link."""
    if version.status != DraftVersion.Status.SUPERSEDED:
        return None
    current = next((v for v in versions if v.is_current and v.language == version.language), None)
    if current is None:
        return {"label": "", "url": "", "compare_url": ""}
    detail = reverse("treaty:detail", args=[treaty.slug])
    compare = reverse("treaty:compare", args=[treaty.slug])
    query = urlencode({"from": version.label, "to": current.label, "language": version.language})
    return {
        "label": current.label,
        "url": detail + version_query(current, selectors.version_choose(versions)),
        "compare_url": f"{compare}?{query}",
    }


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "treaty/home.html", {"treaties": selectors.treaty_list()})


def treaty_detail(request: HttpRequest, slug: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    preamble, final = selectors.preamble_and_final(version)
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "toc": selectors.table_of_contents(version),
        # The line of drafts, oldest first, with dates, status and counts (DESIGN §3).
        "drafts": draft_line(treaty),
        "superseded": superseded_notice(treaty, version, versions),
        "preamble": preamble,
        "final": final,
        "query": version_query(version, selectors.version_choose(versions)),
    }
    return render(request, "treaty/treaty_detail.html", context)


def article_detail(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    article = selectors.article_get(version, number)
    previous, following = selectors.article_neighbours(version, article)
    provisions = [p for p in selectors.unit_provisions(article) if p.pk != article.pk]
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "article": article,
        "provisions": provisions,
        # The annotation panel, and the counts it sets on each provision for the margin.
        "panel": article_panel(request, version, article, provisions),
        # The article's heat: its tag breakdown at the top, each provision shaded in the margin.
        "heat": article_heat_context(version, article, provisions),
        "ancestors": selectors.article_ancestors(article),
        "superseded": superseded_notice(treaty, version, versions),
        "previous": previous,
        "next": following,
        "query": version_query(version, selectors.version_choose(versions)),
    }
    return render(request, "treaty/article_detail.html", context)


def search(request: HttpRequest, slug: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    q = request.GET.get("q", "").strip()
    hits = selectors.provision_search(version, q) if q else []
    query = version_query(version, selectors.version_choose(versions))
    for hit in hits:
        hit.url = _provision_url(treaty, hit.article_number, hit.provision.key, query)
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "q": q,
        "hits": hits,
        "query": query,
    }
    return render(request, "treaty/search.html", context)


def _provision_url(treaty: Treaty, article_number: str | None, key: str, query: str) -> str:
    if article_number:
        base = reverse("treaty:article", args=[treaty.slug, article_number])
    else:
        base = reverse("treaty:detail", args=[treaty.slug])
    return f"{base}{query}#{key}"

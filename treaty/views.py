"""Reading pages: home, treaty (contents and preamble), article, search."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from annotations import comment_search
from annotations.heat.article import article_heat_context
from annotations.heat.render import heat_scale
from annotations.heat.selectors import draft_activity, most_discussed, unit_activity
from annotations.models import Status
from annotations.panel import AnnotateForm, annotate_form_initial, annotate_form_post, article_panel
from config.throttles import SearchRateThrottle
from treaty import links, selectors
from treaty.drafts.lineage import draft_line
from treaty.models import DraftVersion, Provision, Treaty
from treaty.page_cache import by_slug, cached_for_anonymous, site_wide
from treaty.parallel import parallel_choices, parallel_view


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


@cached_for_anonymous(site_wide)
def home(request: HttpRequest) -> HttpResponse:
    """What the site is for, the drafts open for comment with their numbers and days left, and
    the most discussed articles (issue 14 §5)."""
    open_drafts = selectors.drafts_open_for_comment()
    activity = draft_activity([draft.pk for draft in open_drafts])
    today = timezone.localdate()
    for draft in open_drafts:
        draft.activity = activity.get(draft.pk)  # type: ignore[attr-defined]
        deadline = draft.comment_deadline
        draft.days_left = (deadline - today).days if deadline else None  # type: ignore[attr-defined]
    discussed = most_discussed([draft.pk for draft in open_drafts])
    context = {
        "treaties": selectors.treaty_list(),
        "open_drafts": open_drafts,
        "most_discussed": [
            (unit, numbers, links.unit_path(unit.version.treaty.slug, unit)) for unit, numbers in discussed
        ],
    }
    return render(request, "treaty/home.html", context)


@cached_for_anonymous(by_slug)
def treaty_detail(request: HttpRequest, slug: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    preamble, final = selectors.preamble_and_final(version)
    toc = selectors.table_of_contents(version)
    # Activity per article in the contents: organisations, annotations, a small heat mark.
    activity = unit_activity(version)
    scale = heat_scale(max((a.organizations for a in activity.values()), default=0))
    for row in toc.by_id.values():
        numbers = activity.get(row.pk)
        row.activity = numbers  # type: ignore[attr-defined]
        row.activity_css = scale.css_class(numbers.organizations) if numbers else ""  # type: ignore[attr-defined]
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "toc": toc,
        # The line of drafts, oldest first, with dates, status and counts (DESIGN §3).
        "drafts": draft_line(treaty),
        "superseded": superseded_notice(treaty, version, versions),
        "preamble": preamble,
        "final": final,
        "query": version_query(version, selectors.version_choose(versions)),
    }
    return render(request, "treaty/treaty_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@cached_for_anonymous(by_slug)
def article_detail(request: HttpRequest, slug: str, number: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    article = selectors.article_get(version, number)
    previous, following = selectors.article_neighbours(version, article)
    return _unit_page(
        request,
        treaty,
        version,
        versions,
        article,
        ancestors=selectors.article_ancestors(article),
        previous=previous,
        following=following,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@cached_for_anonymous(by_slug)
def part_detail(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The preamble, the closing formula or an annex: read and annotated exactly like an article."""
    treaty, version, versions = _version_for_request(request, slug)
    part = selectors.part_get(version, key)
    return _unit_page(request, treaty, version, versions, part, ancestors=[], previous=None, following=None)


# What the page calls its unit ("3 annotations on this preamble", "the whole annex").
_UNIT_NOUNS = {
    "article": gettext_lazy("article"),
    "preamble": gettext_lazy("preamble"),
    "annex": gettext_lazy("annex"),
}


def _unit_page(
    request: HttpRequest,
    treaty: Treaty,
    version: DraftVersion,
    versions: list[DraftVersion],
    unit: Provision,
    *,
    ancestors: list[Provision],
    previous: Provision | None,
    following: Provision | None,
) -> HttpResponse:
    annotate_form: AnnotateForm | None = None
    if request.method == "POST":
        # The annotate dialog's form, sent without script (the script posts to the API instead).
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        annotation, annotate_form = annotate_form_post(request, version)
        if annotation is not None:
            waiting = annotation.status == Status.PENDING
            messages.success(
                request,
                _("Your annotation on %(provision)s was saved.") % {"provision": annotation.provision.label}
                + (" A moderator will read it before it is published." if waiting else ""),
            )
            path = links.annotation_permalink_path(
                treaty_slug=treaty.slug, unit=unit, version=version, pk=annotation.pk
            )
            return HttpResponseRedirect(path, status=303)
    provisions = [p for p in selectors.unit_provisions(unit) if p.pk != unit.pk]
    panel = article_panel(request, version, unit, provisions)
    other_language = request.GET.get("with", "").strip()
    parallel = None
    if other_language and other_language.lower() != version.language.lower():
        parallel = parallel_view(version, versions, unit, provisions, other_language)
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "article": unit,
        "unit_noun": _UNIT_NOUNS.get(unit.kind, gettext_lazy("text")),
        "provisions": provisions,
        # The annotation panel, and the counts it sets on each provision for the margin.
        "panel": panel,
        "annotate_form": annotate_form or annotate_form_initial(request, panel),
        # The unit's heat: its tag breakdown at the top, each provision shaded in the margin.
        "heat": article_heat_context(version, unit, provisions),
        "ancestors": ancestors,
        "superseded": superseded_notice(treaty, version, versions),
        "previous": previous,
        "next": following,
        "query": version_query(version, selectors.version_choose(versions)),
        "parallel": parallel,
        "parallel_choices": parallel_choices(version, versions),
    }
    return render(request, "treaty/article_detail.html", context, status=400 if annotate_form else 200)


def search(request: HttpRequest, slug: str) -> HttpResponse:
    treaty, version, versions = _version_for_request(request, slug)
    q = request.GET.get("q", "").strip()
    throttle = SearchRateThrottle()
    if not throttle.allow_request(request, None):
        wait = int(throttle.wait() or 60) + 1
        response = render(
            request,
            "treaty/search.html",
            {"treaty": treaty, "version": version, "q": q, "throttled_for": wait},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    hits = selectors.provision_search(version, q) if q else []
    query = version_query(version, selectors.version_choose(versions))
    for hit in hits:
        hit.url = _provision_url(treaty, hit, query)
    comments = (
        comment_search.published_comment_search(treaty_slug=treaty.slug, version_label=version.label, query=q)
        if q
        else []
    )
    for comment in comments:
        annotation = comment.annotation
        comment.url = links.annotation_permalink_path(  # type: ignore[attr-defined]
            treaty_slug=treaty.slug, unit=annotation.article, version=annotation.version, pk=annotation.pk
        )
    context = {
        "treaty": treaty,
        "version": version,
        "versions": versions,
        "q": q,
        "hits": hits,
        "comments": comments,
        "query": query,
    }
    return render(request, "treaty/search.html", context)


def _provision_url(treaty: Treaty, hit: selectors.SearchHit, query: str) -> str:
    unit = hit.provision.article
    if unit is None:  # a chapter, section or title heading: in the contents
        return f"{reverse('treaty:detail', args=[treaty.slug])}{query}#{hit.provision.key}"
    return f"{links.unit_path(treaty.slug, unit)}{query}#{hit.provision.key}"

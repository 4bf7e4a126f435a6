"""The compare page: what changed between two drafts, article by article, as a redline."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from treaty import selectors
from treaty.drafts.compare import CompareError, compare_drafts
from treaty.drafts.lineage import draft_line
from treaty.page_cache import by_slug, cached_for_anonymous


@cached_for_anonymous(by_slug)
def compare_page(request: HttpRequest, slug: str) -> HttpResponse:
    treaty = selectors.treaty_get(slug)
    drafts = draft_line(treaty)
    labels = [draft.label for draft in drafts]
    to_label = request.GET.get("to") or next(
        (d.label for d in drafts if d.is_current), labels[-1] if labels else ""
    )
    from_label = request.GET.get("from") or next((d.follows for d in drafts if d.label == to_label), "")
    view = "inline" if request.GET.get("view") == "inline" else "side"
    context: dict[str, object] = {
        "treaty": treaty,
        "drafts": drafts,
        "from_label": from_label,
        "to_label": to_label,
        "view": view,
        "language": request.GET.get("language", ""),
        "article": request.GET.get("article", ""),
        "comparison": None,
        "error": "",
    }
    status = 200
    if from_label and to_label:
        try:
            comparison = compare_drafts(
                treaty,
                from_label=from_label,
                to_label=to_label,
                language=request.GET.get("language") or None,
                article=request.GET.get("article") or None,
            )
        except CompareError as error:
            if error.status == 404 and not request.GET.get("article") and not request.GET.get("language"):
                raise Http404(error.detail) from error
            context["error"], status = error.detail, error.status
        else:
            context["comparison"] = comparison
            context["articles"] = comparison.articles
            context["changed"] = [a for a in comparison.articles if a.relation != "same"]
            context["unchanged"] = [a for a in comparison.articles if a.relation == "same"]
    else:
        context["error"] = "This treaty has only one draft: there is nothing to compare yet."
    return render(request, "treaty/compare.html", context, status=status)

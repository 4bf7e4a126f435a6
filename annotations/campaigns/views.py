"""The page of a group of near-identical comments: what readers reach from an annotation's badge."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.campaigns.selectors import group_get_visible


@require_GET
def group_page(request: HttpRequest, pk: int) -> HttpResponse:
    detail = group_get_visible(pk, request.user)
    if detail is None:
        raise Http404(f"There is no group {pk}.")
    first = detail.members[0].annotation
    return render(
        request,
        "annotations/group.html",
        {"group": detail.summary, "members": detail.members, "first": first, "version": first.version},
    )

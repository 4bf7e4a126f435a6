"""My annotations: everything the user wrote and whether it is published, with the account pages.

Comments are rendered as the article page renders them (annotations.rendering.comment_html), and
each item links to where it was written: its unit's page in the version it was written on.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from annotations.carrying.notices import carried_summaries_for
from annotations.models import Annotation, Reply, Status
from annotations.rendering import comment_html
from treaty import links

PAGE_SIZE = 50
STATUS_FOR_AUTHOR = {
    Status.PENDING: gettext_lazy("Waiting for a moderator"),
    Status.APPROVED: gettext_lazy("Published"),
    Status.REJECTED: gettext_lazy("Not published"),
    Status.SPAM: gettext_lazy("Not published (spam)"),
}


@dataclass
class MyItem:
    kind: str  # "annotation" or "reply": the HTML id's prefix on the article page
    item: Annotation | Reply
    annotation: Annotation
    body_html: str

    @property
    def status_text(self) -> str:
        return str(STATUS_FOR_AUTHOR[Status(self.item.status)])

    @property
    def url(self) -> str:
        annotation = self.annotation
        path = links.annotation_permalink_path(
            treaty_slug=annotation.version.treaty.slug,
            unit=annotation.article,
            version=annotation.version,
            pk=annotation.pk,
        )
        # A reply: the same page, at the reply.
        return path if self.kind == "annotation" else f"{path.split('#')[0]}#reply-{self.item.pk}"


@login_required
@require_safe
def my_annotations(request: HttpRequest) -> HttpResponse:
    annotations = (
        Annotation.objects.filter(author_id=request.user.pk, deleted_at__isnull=True)
        .select_related("version__treaty", "article", "provision", "target")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )
    replies = (
        Reply.objects.filter(author_id=request.user.pk, deleted_at__isnull=True)
        .select_related("annotation__version__treaty", "annotation__article", "annotation__provision")
        .order_by("-created_at", "-id")
    )
    annotation_page = Paginator(annotations, PAGE_SIZE).get_page(request.GET.get("page"))
    reply_page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("replies_page"))
    context = {
        "annotation_page": annotation_page,
        "reply_page": reply_page,
        "annotation_items": [MyItem("annotation", a, a, comment_html(a.body)) for a in annotation_page],
        "reply_items": [MyItem("reply", r, r.annotation, comment_html(r.body)) for r in reply_page],
        # How the annotations were carried to later drafts (issue 15 §3).
        "carried_summaries": carried_summaries_for(request.user),  # type: ignore[arg-type]
    }
    return render(request, "accounts/my_annotations.html", context)

"""The author's own items and what moderation decided on them ("My annotations")."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from annotations.models import (
    Annotation,
    Reply,
    Status,
)
from annotations.moderation.console import article_url

MY_PAGE_SIZE = 50
STATUS_FOR_AUTHOR = {
    Status.PENDING: "Waiting for a moderator",
    Status.APPROVED: "Published",
    Status.REJECTED: "Not published",
    Status.SPAM: "Not published (spam)",
}


@dataclass
class MyItem:
    kind: str
    item: Annotation | Reply
    annotation: Annotation

    @property
    def status_text(self) -> str:
        return STATUS_FOR_AUTHOR[self.item.status]  # type: ignore[index]

    @property
    def url(self) -> str:
        return article_url(self.annotation, f"{self.kind}-{self.item.pk}")


@login_required
@require_GET
def my_annotations(request: HttpRequest) -> HttpResponse:
    user: User | AnonymousUser = request.user
    annotations = (
        Annotation.objects.filter(author_id=user.pk, deleted_at__isnull=True)
        .select_related("version__treaty", "article", "provision", "target")
        .prefetch_related("tags")
        .order_by("-created_at", "-id")
    )
    replies = (
        Reply.objects.filter(author_id=user.pk, deleted_at__isnull=True)
        .select_related("annotation__version__treaty", "annotation__article", "annotation__provision")
        .order_by("-created_at", "-id")
    )
    annotation_page = Paginator(annotations, MY_PAGE_SIZE).get_page(request.GET.get("page"))
    reply_page = Paginator(replies, MY_PAGE_SIZE).get_page(request.GET.get("replies_page"))
    context = {
        "annotation_page": annotation_page,
        "reply_page": reply_page,
        "annotation_items": [MyItem("annotation", a, a) for a in annotation_page],
        "reply_items": [MyItem("reply", r, r.annotation) for r in reply_page],
    }
    return render(request, "annotations/my_annotations.html", context)

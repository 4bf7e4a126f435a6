"""The review queue of carried anchors (DESIGN §4) as pages: the old text with the quote marked
beside the new text with the best candidates; confirm, pick the words by hand, or leave orphaned.
Moderators see every item, an organisation's admins those of their organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import signed_in_user
from annotations.carrying.review import (
    may_open_review_queue,
    may_review,
    resolution_decide,
    review_queue_for,
)
from annotations.models import AnchorResolution, Annotation
from annotations.moderation.console import console_nav_counts
from treaty.models import Provision

PAGE_SIZE = 25


@dataclass(frozen=True)
class Passage:
    """A provision's text cut around the marked words (`mark` empty: nothing marked)."""

    key: str
    label: str
    before: str
    mark: str
    after: str
    score: int | None = None


def _cut(provision: Provision, start: int | None, end: int | None, score: float | None = None) -> Passage:
    text = provision.text
    percent = None if score is None else round(100 * score)
    if start is None or end is None:
        return Passage(provision.key, provision.label, text, "", "", percent)
    return Passage(provision.key, provision.label, text[:start], text[start:end], text[end:], percent)


def _items(resolutions: list[AnchorResolution]) -> list[dict[str, object]]:
    wanted = {c["provision_id"] for r in resolutions for c in r.candidates if c.get("provision_id")}
    provisions = {p.pk: p for p in Provision.objects.filter(pk__in=wanted)}
    items = []
    for resolution in resolutions:
        target = resolution.annotation.target
        candidates = [
            _cut(provisions[c["provision_id"]], c.get("start"), c.get("end"), c.get("score"))
            for c in resolution.candidates
            if c.get("provision_id") in provisions
        ]
        if not candidates and resolution.provision is not None:
            candidates = [_cut(resolution.provision, resolution.start, resolution.end, resolution.confidence)]
        items.append(
            {
                "resolution": resolution,
                "old": _cut(target.provision, target.start, target.end),
                "candidates": candidates,
                # The repick form starts from the current place, else the best candidate's provision.
                "repick_key": resolution.provision_key or (candidates[0].key if candidates else ""),
            }
        )
    return items


def _page(request: HttpRequest, *, error: tuple[int, str] | None = None, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    version = request.GET.get("version", "")
    queue = review_queue_for(user, version_id=int(version) if version.isdigit() else None)
    resolutions = list(queue[:PAGE_SIZE])
    context = {
        "items": _items(resolutions),
        "total": queue.count(),
        "error": error,
        "console_section": "reanchor",
        "base_template": "annotations/moderation/console_base.html" if user.is_moderator else "base.html",
        **(console_nav_counts() if user.is_moderator else {}),
    }
    return render(request, "annotations/moderation/reanchor.html", context, status=status)


def _require_reviewer(request: HttpRequest) -> None:
    if not may_open_review_queue(signed_in_user(request)):
        raise PermissionDenied(_("Only moderators and organisation admins review carried anchors."))


@login_required
@require_GET
def reanchor_queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    return _page(request)


@login_required
@require_POST
def reanchor_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide one resolution (`pk`): its annotation in its later draft."""
    chosen = get_object_or_404(AnchorResolution.objects.only("annotation_id", "version_id"), pk=pk)
    annotation = get_object_or_404(Annotation.objects.select_related("target"), pk=chosen.annotation_id)
    version_pk = chosen.version_id
    user = signed_in_user(request)
    if not may_review(user, annotation):
        raise PermissionDenied(
            _("Only moderators and the annotation's organisation admins review carried anchors.")
        )
    try:
        resolution = resolution_decide(
            actor=user,
            annotation=annotation,
            version_id=version_pk,
            action=request.POST.get("action", ""),
            provision_key=request.POST.get("provision", "").strip(),
            exact=request.POST.get("exact", "").strip(),
        )
    except ValidationError as error:
        text = " ".join(error.messages)
        return _page(request, error=(annotation.pk, text), status=400)
    messages.success(
        request,
        _("Annotation %(pk)s in %(version)s: %(state)s.")
        % {"pk": annotation.pk, "version": resolution.version.label, "state": resolution.get_state_display()},
    )
    return HttpResponseRedirect(reverse("moderation:reanchor"))

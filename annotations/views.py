"""HTML side of annotating: the panel of an article page, and small forms that work without script.

The article page (treaty.views.article_detail) asks `article_panel` for everything the panel and
the margin show. Replies, deletion, endorsements and flags are plain POST forms handled here, so
they work without JavaScript; static/js/annotate.js sends the same forms through the API instead
and shows errors beside the form.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import verified_required
from annotations import selectors, services
from annotations.carrying.outcomes import outcome_set
from annotations.models import (
    Annotation,
    ConcernTag,
    Reply,
)
from treaty import links
from treaty import selectors as treaty_selectors

# --- Concern tag colours --------------------------------------------------------------------

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@require_GET
def tag_stylesheet(request: HttpRequest) -> HttpResponse:
    """One class per concern tag setting --tag-color: the CSP forbids style attributes."""
    rules = [
        f".tag-{tag.slug} {{ --tag-color: {tag.color}; }}"
        for tag in ConcernTag.objects.order_by("order", "slug")
        # Staff type these in the admin: never let a stray character end the rule.
        if _SLUG.fullmatch(tag.slug) and _COLOUR.fullmatch(tag.color)
    ]
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


# --- Forms that work without script -----------------------------------------------------------


def _annotation_or_404(request: HttpRequest, pk: int) -> Annotation:
    annotation = selectors.annotation_get_visible(pk, request.user)
    if annotation is None:
        raise Http404(f"There is no annotation {pk}.")
    return annotation


def _article_url(annotation: Annotation, fragment: str) -> str:
    version = annotation.version
    path = links.unit_path(version.treaty.slug, annotation.article)
    default = treaty_selectors.version_choose(treaty_selectors.version_list(version.treaty))
    query = (
        ""
        if default.pk == version.pk
        else "?" + urlencode({"version": version.label, "lang": version.language})
    )
    return f"{path}{query}#{fragment}"


@require_GET
def annotation_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """/annotations/<id>/: the annotation on its unit's page, in the version it was written on."""
    annotation = _annotation_or_404(request, pk)
    return HttpResponseRedirect(
        links.annotation_permalink_path(
            treaty_slug=annotation.version.treaty.slug,
            unit=annotation.article,
            version=annotation.version,
            pk=annotation.pk,
        )
    )


def _refused(request: HttpRequest, error: ValidationError | PermissionDenied | services.NotFound) -> None:
    if isinstance(error, ValidationError):
        text = " ".join(error.messages)
    else:
        text = str(error) or "You cannot do that."
    messages.error(request, text)


@verified_required
@require_POST
def reply_create(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(request, pk)
    parent = request.POST.get("parent") or None
    try:
        reply = services.reply_create(
            annotation=annotation,
            author=request.user,  # type: ignore[arg-type]
            body=request.POST.get("body", ""),
            parent_id=int(parent) if parent and parent.isdigit() else None,
            comment_language=request.POST.get("comment_language") or None,
        )
    except (ValidationError, PermissionDenied, services.NotFound) as error:
        _refused(request, error)
        return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))
    messages.success(request, _("Your reply was posted."))
    return HttpResponseRedirect(_article_url(annotation, f"reply-{reply.pk}"))


@verified_required
@require_POST
def reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply.objects.select_related("annotation"), pk=pk, deleted_at__isnull=True)
    annotation = _annotation_or_404(request, reply.annotation_id)
    try:
        services.reply_delete(reply=reply, actor=request.user)  # type: ignore[arg-type]
    except PermissionDenied as error:
        _refused(request, error)
    else:
        messages.success(request, _("Your reply was deleted."))
    return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))


@verified_required
@require_POST
def annotation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(request, pk)
    try:
        services.annotation_delete(annotation=annotation, actor=request.user)  # type: ignore[arg-type]
    except PermissionDenied as error:
        _refused(request, error)
        return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))
    messages.success(request, _("Your annotation was deleted."))
    return HttpResponseRedirect(_article_url(annotation, "annotations"))


@verified_required
@require_POST
def endorsement_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(request, pk)
    organization = request.POST.get("organization") or None
    try:
        if request.POST.get("withdraw"):
            services.endorsement_delete(
                annotation=annotation,
                user=request.user,  # type: ignore[arg-type]
                organization_slug=organization,
            )
            messages.success(request, _("The endorsement was withdrawn."))
        else:
            endorsement = services.endorsement_create(
                annotation=annotation,
                user=request.user,  # type: ignore[arg-type]
                organization_slug=organization,
            )
            messages.success(
                request,
                _("%(organization)s now endorses this annotation.")
                % {"organization": endorsement.organization.name},
            )
    except (ValidationError, PermissionDenied, services.NotFound) as error:
        _refused(request, error)
    return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))


@verified_required
@require_POST
def outcome_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome form of a carried annotation on a later draft's article page."""
    annotation = _annotation_or_404(request, pk)
    version = request.POST.get("version", "")
    try:
        resolution = outcome_set(
            actor=request.user,  # type: ignore[arg-type]
            annotation=annotation,
            version_id=int(version) if version.isdigit() else 0,
            outcome=request.POST.get("outcome", ""),
        )
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
        return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))
    messages.success(
        request,
        _("Outcome in %(version)s: %(outcome)s.")
        % {"version": resolution.version.label, "outcome": resolution.get_outcome_display()},
    )
    if resolution.article is None:  # orphaned: no place in that draft
        return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"), status=303)
    path = links.annotation_permalink_path(
        treaty_slug=resolution.version.treaty.slug, unit=resolution.article, version=resolution.version, pk=pk
    )
    return HttpResponseRedirect(path, status=303)


@verified_required
@require_POST
def reply_flag_create(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(Reply.objects.select_related("annotation"), pk=pk)
    annotation = _annotation_or_404(request, reply.annotation_id)
    try:
        services.flag_create(
            user=request.user,  # type: ignore[arg-type]
            reply=reply,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied, services.NotFound) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Thank you: moderators will look at it."))
    return HttpResponseRedirect(_article_url(annotation, f"reply-{reply.pk}"))


@verified_required
@require_POST
def flag_create(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(request, pk)
    try:
        services.flag_create(
            user=request.user,  # type: ignore[arg-type]
            annotation=annotation,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied, services.NotFound) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Thank you: moderators will look at it."))
    return HttpResponseRedirect(_article_url(annotation, f"annotation-{annotation.pk}"))

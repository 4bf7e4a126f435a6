"""Organisation pages: list, create, public page, joining, members, and moderator verification."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import moderator_required, verified_required
from accounts.forms import OrganizationForm, VerificationForm, add_service_errors
from accounts.models import Membership, Organization, User
from accounts.permissions import signed_in_user
from accounts.services import organizations as services

ACTIVE = Membership.Status.ACTIVE


def organization_list(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())[:100]
    organizations = Organization.objects.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=ACTIVE))
    ).order_by("-verified_at", "name")
    if q:
        organizations = organizations.filter(name__icontains=q)
    return render(request, "accounts/organization_list.html", {"organizations": organizations[:200], "q": q})


@verified_required
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(creator=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organization)s was created. A moderator will verify it.")
                % {"organization": organization.name},
            )
            return redirect("accounts:organization-detail", organization.slug)
    return render(
        request, "accounts/organization_form.html", {"form": form}, status=400 if form.errors else 200
    )


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    user = request.user
    membership = (
        Membership.objects.filter(organization=organization, user=user).first()
        if user.is_authenticated
        else None
    )
    listed = (
        Membership.objects.filter(organization=organization, status=ACTIVE, listed_publicly=True)
        .select_related("user")
        .order_by("user__display_name")
    )
    context = {
        "organization": organization,
        "membership": membership,
        "listed_members": listed,
        "can_manage": user.is_authenticated and services.can_manage(user, organization),  # type: ignore[arg-type]
        "verification_form": VerificationForm() if user.is_authenticated and user.is_moderator else None,  # type: ignore[union-attr]
        "public_annotations": _public_annotations(organization),
    }
    return render(request, "accounts/organization_detail.html", context)


PUBLIC_ANNOTATIONS_SHOWN = 30


def _public_annotations(organization: Organization) -> list[Any]:
    """The organisation's published annotations, newest first. Anonymous ones are never listed:
    that would tell who wrote them."""
    from annotations.public_time import in_public_order
    from annotations.selectors import AnnotationFilters, annotation_list_visible_to, annotation_page_path

    filters = AnnotationFilters(organization=organization.slug)
    newest = annotation_list_visible_to(None, filters).order_by(*in_public_order(newest_first=True))
    annotations = list(newest[:PUBLIC_ANNOTATIONS_SHOWN])
    for annotation in annotations:
        annotation.page_path = annotation_page_path(annotation)  # type: ignore[attr-defined]
    return annotations


@verified_required
@require_POST
def organization_join(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    try:
        services.membership_request(user=signed_in_user(request), organization=organization)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("You asked to join %(organization)s. Its admins will decide.")
            % {"organization": organization.name},
        )
    return redirect("accounts:organization-detail", slug)


@verified_required
def organization_members(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    if not services.can_manage(signed_in_user(request), organization):
        raise PermissionDenied(
            _("Only an admin of %(organization)s or a moderator can manage its members.")
            % {"organization": organization.name}
        )
    memberships = (
        Membership.objects.filter(organization=organization)
        .exclude(status=Membership.Status.DECLINED)
        .select_related("user")
        .order_by("status", "-role", "user__display_name")
    )
    return render(
        request,
        "accounts/organization_members.html",
        {"organization": organization, "memberships": memberships},
    )


def _membership_action(request: HttpRequest, pk: int) -> tuple[Membership, User]:
    membership = get_object_or_404(Membership.objects.select_related("organization"), pk=pk)
    return membership, signed_in_user(request)


@verified_required
@require_POST
def membership_decide(request: HttpRequest, pk: int) -> HttpResponse:
    membership, actor = _membership_action(request, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.membership_decide(actor=actor, membership=membership, accept=accept)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Request accepted.") if accept else _("Request declined."))
    return redirect("accounts:organization-members", membership.organization.slug)


@verified_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership, actor = _membership_action(request, pk)
    try:
        outcome = services.membership_set_role(
            actor=actor, membership=membership, role=request.POST.get("role", "")
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _outcome_message(outcome, "Role changed."))
    return redirect("accounts:organization-members", membership.organization.slug)


@verified_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership, actor = _membership_action(request, pk)
    leaving_self = membership.user_id == actor.pk
    try:
        outcome = services.membership_remove(actor=actor, membership=membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("You left %(organization)s.") % {"organization": membership.organization.name}
            if leaving_self
            else _outcome_message(outcome, "Member removed."),
        )
    if leaving_self:
        return redirect("accounts:organization-detail", membership.organization.slug)
    return redirect("accounts:organization-members", membership.organization.slug)


def _outcome_message(outcome: services.ChangeOutcome, done: str) -> str:
    if outcome is services.ChangeOutcome.PROPOSED:
        return (
            "Proposed. This is the organisation's last founder-era admin: another admin of the "
            "organisation or a second moderator must confirm the change before it takes effect."
        )
    return done


@verified_required
@require_POST
def membership_listing(request: HttpRequest, pk: int) -> HttpResponse:
    membership, actor = _membership_action(request, pk)
    services.membership_listing_set(
        user=actor, membership=membership, listed=request.POST.get("listed") == "1"
    )
    messages.success(request, _("Your choice was saved."))
    return redirect("accounts:organization-detail", membership.organization.slug)


@moderator_required
def organization_verification(request: HttpRequest) -> HttpResponse:
    waiting = (
        Organization.objects.filter(verified_at__isnull=True)
        .order_by("created_at")
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=ACTIVE)))
    )
    recent = (
        Organization.objects.filter(verified_at__isnull=False)
        .select_related("verified_by")
        .order_by("-verified_at")[:20]
    )
    return render(
        request,
        "accounts/organization_verification.html",
        {"waiting": waiting, "recent": recent, "form": VerificationForm()},
    )


@moderator_required
@require_POST
def organization_verify(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how the organisation was verified: the note is required."))
        return redirect("accounts:organization-verification")
    try:
        services.organization_verify(
            organization=organization, moderator=signed_in_user(request), note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("%(organization)s is now verified.") % {"organization": organization.name}
        )
    if request.POST.get("back") == "detail":
        return redirect("accounts:organization-detail", organization.slug)
    return redirect("accounts:organization-verification")

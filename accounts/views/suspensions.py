"""Suspensions and appeals: the moderators' pages, and the suspended account's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import moderator_required
from accounts.forms import AppealDecisionForm, AppealForm, ReasonForm, SuspensionForm, add_service_errors
from accounts.models import Appeal, Suspension
from accounts.permissions import signed_in_user
from accounts.services import suspensions as services

CONSOLE_SHOWN = 100


@moderator_required
def suspension_console(request: HttpRequest) -> HttpResponse:
    initial = {
        "user_email": request.GET.get("email", ""),
        "organization": request.GET.get("organization", ""),
    }
    form = SuspensionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suspension = services.suspension_create(
                moderator=signed_in_user(request),
                user=data.get("user"),
                organization=data.get("organization_row"),
                reason=data["reason"],
                ends_at=data.get("ends_at"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Suspended: %(value)s. The account was told.")
                % {"value": suspension.user or suspension.organization},
            )
            return redirect("accounts:suspension-console")
    suspensions = Suspension.objects.select_related(
        "user", "organization", "created_by", "lifted_by"
    ).order_by("lifted_at", "-starts_at")[:CONSOLE_SHOWN]
    return render(
        request,
        "accounts/suspension_console.html",
        {"form": form, "suspensions": suspensions, "lift_form": ReasonForm()},
        status=400 if form.errors else 200,
    )


@moderator_required
@require_POST
def suspension_lift(request: HttpRequest, pk: int) -> HttpResponse:
    suspension = get_object_or_404(Suspension, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the suspension is lifted: the account reads it."))
    else:
        try:
            services.suspension_lift(
                moderator=signed_in_user(request), suspension=suspension, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The suspension was lifted. The account was told."))
    return redirect("accounts:suspension-console")


@moderator_required
def appeal_console(request: HttpRequest) -> HttpResponse:
    appeals = Appeal.objects.select_related(
        "suspension__user", "suspension__organization", "suspension__created_by", "appellant", "decided_by"
    )
    return render(
        request,
        "accounts/appeal_console.html",
        {
            "pending": appeals.filter(status=Appeal.Status.PENDING).order_by("created_at"),
            "decided": appeals.exclude(status=Appeal.Status.PENDING).order_by("-decided_at")[:CONSOLE_SHOWN],
            "form": AppealDecisionForm(),
        },
    )


@moderator_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal, pk=pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to uphold or grant, and give a reason: the account reads it."))
    else:
        try:
            services.appeal_decide(
                moderator=signed_in_user(request),
                appeal=appeal,
                grant=form.cleaned_data["decision"] == "grant",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The appeal was decided. The account was told."))
    return redirect("accounts:appeal-console")


@login_required
def suspension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The suspended account's view of the decision (reason, end, appeal and its outcome), with
    the appeal form. Moderators may read it; anybody else is refused."""
    user = signed_in_user(request)
    suspension = get_object_or_404(Suspension.objects.select_related("user", "organization"), pk=pk)
    concerned = services.may_appeal(user, suspension)
    if not (concerned or user.is_moderator):
        raise PermissionDenied(_("This decision is not about your account."))
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_create(appellant=user, suspension=suspension, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Your appeal was sent. A moderator will decide and you will be told.")
            )
            return redirect("accounts:suspension-detail", suspension.pk)
    appeal = Appeal.objects.filter(suspension=suspension).select_related("decided_by").first()
    context = {
        "suspension": suspension,
        "in_force": suspension.is_in_force(),
        "appeal": appeal,
        "form": form,
        "can_appeal": concerned and appeal is None and suspension.lifted_at is None,
    }
    return render(request, "accounts/suspension_detail.html", context, status=400 if form.errors else 200)

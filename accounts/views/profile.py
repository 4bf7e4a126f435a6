"""The profile page and what hangs off it: preferences, email change, tokens, export, deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import AccountDeleteForm, ApiTokenForm, EmailChangeForm, ProfileForm
from accounts.models import Membership, User
from accounts.services.api_tokens import api_token_create, api_token_revoke
from accounts.services.suspensions import suspensions_concerning
from accounts.services.users import account_delete, account_export, email_change_request
from accounts.views.language import language_cookie_apply


def _profile_context(user: User, **forms: object) -> dict[str, object]:
    return {
        "profile_form": forms.get("profile_form") or ProfileForm(instance=user),
        "email_form": forms.get("email_form") or EmailChangeForm(),
        "token_form": forms.get("token_form") or ApiTokenForm(),
        "new_token": forms.get("new_token"),
        "tokens": user.api_tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()),
        "suspensions": suspensions_concerning(user)[:20],
        "memberships": Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name"),
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            if form.cleaned_data.get("language"):
                translation.activate(user.language)
            messages.success(request, _("Your preferences were saved."))
            response = redirect("accounts:profile")
            language_cookie_apply(response, user)
            return response
        return render(request, "accounts/profile.html", _profile_context(user, profile_form=form), status=400)
    return render(request, "accounts/profile.html", _profile_context(user))


@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            email_change_request(user=user, new_email=form.cleaned_data["email"])
        except ValidationError as error:
            form.add_error("email", error.messages[0])
        else:
            messages.info(
                request,
                _("We sent a confirmation link to the new address. Your address changes when you open it."),
            )
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", _profile_context(user, email_form=form), status=400)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = api_token_create(user=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            # Rendered, not redirected: the key is shown this once and never stored in the session.
            response = render(request, "accounts/profile.html", _profile_context(user, new_token=key))
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "accounts/profile.html", _profile_context(user, token_form=form), status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The token was revoked: it no longer works."))
    return redirect("accounts:profile")


@login_required
def account_export_download(request: HttpRequest) -> HttpResponse:
    body = account_export(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="marginalia-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=user, keep_contributions=form.cleaned_data["contributions"] == "keep")
        logout(request)
        messages.success(request, _("Your account and personal data were deleted."))
        return redirect("treaty:home")
    return render(request, "accounts/account_delete.html", {"form": form}, status=400 if form.errors else 200)

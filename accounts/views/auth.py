"""Sign-up, email confirmation, login and logout, password reset and change."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.email_links import InvalidLink
from accounts.forms import (
    RecipientLanguagePasswordResetForm,
    SignUpForm,
    ThrottledLoginForm,
    add_service_errors,
)
from accounts.login_throttle import login_reset_for_account
from accounts.outbox import outbox_active
from accounts.services.api_tokens import api_tokens_revoke_all
from accounts.services.users import email_confirm, email_confirmation_resend, user_sign_up
from accounts.views.language import language_cookie_apply


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_sign_up(**form.cleaned_data, language=translation.get_language() or "")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The same page whether or not the address already had an account.
            return redirect("accounts:signup-done")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


def signup_done(request: HttpRequest) -> HttpResponse:
    # Under `make run` the email never leaves the laptop: say where to read it.
    return render(request, "accounts/signup_done.html", {"outbox": outbox_active()})


def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    # GET shows a button; the POST confirms. Mail scanners that prefetch links must not use them up.
    if request.method != "POST":
        return render(request, "accounts/confirm_email.html", {"token": token})
    try:
        user = email_confirm(token=token)
    except InvalidLink as error:
        return render(request, "accounts/confirm_email_failed.html", {"problem": str(error)}, status=400)
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": user.email})
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    email_confirmation_resend(user=request.user)  # type: ignore[arg-type]
    messages.info(request, _("We sent a new confirmation link. It expires in 48 hours."))
    return redirect("accounts:profile")


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # With no page to go back to (?next=): moderators start at the queue, others at home.
        user = self.request.user
        if user.is_authenticated and user.is_moderator:  # type: ignore[union-attr]
            return reverse("moderation:queue")
        return reverse("treaty:home")

    def form_valid(self, form: ThrottledLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        language_cookie_apply(response, form.get_user())  # type: ignore[arg-type]
        return response

    def form_invalid(self, form: ThrottledLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        retry_after = getattr(form, "retry_after", None)
        response.status_code = 429 if retry_after else 400
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "treaty:home"  # a URL name: resolve_url() reverses it at logout


class PasswordResetView(auth_views.PasswordResetView):
    form_class = RecipientLanguagePasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        api_tokens_revoke_all(user=form.user)
        # The lockout message offers a reset as the way out: five wrong guesses by anybody lock an
        # account, so its owner, having proved control of the mailbox, may log in again at once
        # instead of waiting. The per-address limit still applies.
        login_reset_for_account(form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        revoked = api_tokens_revoke_all(user=form.user)
        revoked_note = " Your API tokens were revoked: create new ones if you need them." if revoked else ""
        messages.success(self.request, _("Your password was changed.") + revoked_note)
        return response

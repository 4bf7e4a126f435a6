from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.emails import recipient_language
from accounts.login_throttle import client_ip, login_attempt_begin, login_lockout, login_success_record
from accounts.models import Organization, User


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        max_length=100,
        help_text=gettext_lazy("Shown with your comments unless you choose otherwise."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 10 characters; not a common password."),
    )


class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """The reset email in the account's own language, not the language of whoever asked."""

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(recipient_language(context["user"])):
            super().send_mail(*args, **kwargs)


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, refusing for a while after repeated failures (accounts.login_throttle)."""

    username = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account (the password is case-sensitive).",
    }

    def clean(self) -> dict[str, object]:
        email = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        request: HttpRequest | None = self.request
        ip = client_ip(request.META) if request else "unknown"
        # Counted before the password is checked, so parallel guesses cannot outrun the limit.
        lockout = login_attempt_begin(email, ip) if email and password else login_lockout(email, ip)
        if lockout is not None:
            self.retry_after = lockout.retry_after
            raise ValidationError(lockout.message, code="throttled")
        if email and password:
            self.user_cache = authenticate(request, username=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
            login_success_record(email, ip)
        return self.cleaned_data


class ProfileForm(forms.ModelForm[User]):
    # Required here although the model allows a blank name: sign-up and the API require one, and
    # the profile must not be the way to empty it.
    display_name = forms.CharField(max_length=100, label=gettext_lazy("Display name"))
    # Blank: no choice made (the browser's language decides); otherwise one of the six.
    language = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Language of the site and of the emails we send you"),
        choices=[("", gettext_lazy("As my browser asks")), *settings.LANGUAGES],
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "language",
            "attribution_preference",
            "notify_on_decision",
            "notify_on_reply",
        ]
        widgets = {"attribution_preference": forms.RadioSelect}
        labels = {
            "attribution_preference": gettext_lazy("By default, show my annotations as written by"),
            "notify_on_decision": gettext_lazy("Email me when a moderator decides on my item"),
            "notify_on_reply": gettext_lazy("Email me when someone replies to my annotation"),
        }
        help_texts = {"notify_on_decision": "", "notify_on_reply": ""}


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("New email address"), max_length=254)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Token name"),
        help_text=gettext_lazy("E.g. the script that will use it."),
    )


class AccountDeleteForm(forms.Form):
    contributions = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            (
                "keep",
                gettext_lazy(
                    "Keep my annotations, shown as written by a “former member”, with no trace of me"
                ),
            ),
            ("delete", gettext_lazy("Delete my annotations too")),
        ],
        label=gettext_lazy("My annotations"),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label=gettext_lazy("Your password, to confirm"),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."))
        return password


class OrganizationForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = ["name", "type", "country", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {
            "name": gettext_lazy("Name"),
            "type": gettext_lazy("Type"),
            "country": gettext_lazy("Country"),
            "website": gettext_lazy("Website"),
            "description": gettext_lazy("Description"),
        }
        help_texts = {
            "name": gettext_lazy(
                "The organisation's full name. It stays unverified until a moderator checks it."
            ),
            "website": gettext_lazy("Helps moderators verify the organisation."),
        }

    def validate_constraints(self) -> None:
        # The model's only constraint is the case-insensitive unique name. The service checks it
        # (after normalising spaces) with a message that says what to do; the form would otherwise
        # show Django's generic "Constraint “accounts_organization_unique_name_ci” is violated."
        return None


class VerificationForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("How you checked it (logged, not public)."),
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, error)


class SuspensionForm(forms.Form):
    """A moderator suspends a user (by email) or an organisation (by its slug)."""

    user_email = forms.EmailField(label=gettext_lazy("User's email address"), required=False, max_length=254)
    organization = forms.SlugField(
        label=gettext_lazy("Or an organisation (its address name, e.g. open-net)"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The account reads this reason. Never name who flagged it."),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Empty: until a moderator lifts it."),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        email, slug = cleaned.get("user_email"), cleaned.get("organization")
        if bool(email) == bool(slug):
            raise ValidationError(_("Give either a user's email address or an organisation, not both."))
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise ValidationError({"user_email": _("No account has this email address.")})
            cleaned["user"] = user
        else:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise ValidationError({"organization": _("No organisation has this address name.")})
            cleaned["organization_row"] = organization
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Reason (the account reads it)"),
    )


class AppealForm(forms.Form):
    body = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Your appeal"),
        help_text=gettext_lazy(
            "Say why the decision should be reconsidered. You can appeal each decision once."
        ),
    )


class AppealDecisionForm(ReasonForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("uphold", gettext_lazy("Uphold the suspension")),
            ("grant", gettext_lazy("Grant the appeal: lift the suspension")),
        ],
        widget=forms.RadioSelect,
    )

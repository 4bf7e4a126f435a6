"""The console's page of drafts: each draft's commenting and moderation policy, set in place."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import moderator_required
from accounts.models import User
from annotations.carrying.progress import carrying_progress_by_version
from annotations.moderation.console import console_nav_counts
from annotations.moderation.policy import Moderation, draft_policy_set
from treaty.models import DraftVersion


class PolicyForm(forms.Form):
    moderation = forms.ChoiceField(
        choices=Moderation.choices, widget=forms.RadioSelect, label=gettext_lazy("Moderation")
    )
    verified_skip_queue = forms.BooleanField(
        required=False,
        label=gettext_lazy("Under pre-moderation, publish verified organisations' annotations at once"),
    )
    open_for_comment = forms.BooleanField(required=False, label=gettext_lazy("Open for comment"))
    comment_deadline = forms.DateField(
        required=False,
        label=gettext_lazy(
            "Last day for comments (shown on the home page as days left; empty: none announced)"
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _drafts() -> list[DraftVersion]:
    return list(
        DraftVersion.objects.select_related("treaty").order_by(
            "treaty__title", "-is_current", "label", "language"
        )
    )


def _page(
    request: HttpRequest, *, invalid: tuple[int, PolicyForm] | None = None, status: int = 200
) -> HttpResponse:
    rows = []
    versions = _drafts()
    carrying = carrying_progress_by_version([v.pk for v in versions])
    for version in versions:
        if invalid and invalid[0] == version.pk:
            form = invalid[1]
        else:
            form = PolicyForm(
                initial={
                    "moderation": version.moderation,
                    "verified_skip_queue": version.verified_skip_queue,
                    "open_for_comment": version.open_for_comment,
                    "comment_deadline": version.comment_deadline,
                },
                auto_id=f"policy-{version.pk}-%s",
            )
        rows.append((version, form, carrying.get(version.pk)))
    context = {"rows": rows, "console_section": "drafts", **console_nav_counts()}
    return render(request, "annotations/moderation/drafts.html", context, status=status)


@moderator_required
@require_GET
def drafts(request: HttpRequest) -> HttpResponse:
    return _page(request)


@moderator_required
@require_POST
def draft_policy(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(DraftVersion.objects.select_related("treaty"), pk=pk)
    form = PolicyForm(request.POST, auto_id=f"policy-{version.pk}-%s")
    if not form.is_valid():
        return _page(request, invalid=(version.pk, form), status=400)
    moderator: User = request.user  # type: ignore[assignment]
    try:
        event = draft_policy_set(moderator=moderator, version=version, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, invalid=(version.pk, form), status=400)
    name = f"{version.treaty.short_title or version.treaty.title}, {version.label} ({version.language})"
    if event is None:
        messages.info(request, _("Nothing changed for %(name)s.") % {"name": name})
    else:
        messages.success(request, _("Saved the policy of %(name)s; it is in the audit log.") % {"name": name})
    return HttpResponseRedirect(reverse("moderation:drafts") + f"#draft-{version.pk}")

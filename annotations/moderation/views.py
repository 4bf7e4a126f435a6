"""The moderation console (DESIGN §5, issue 5).

Parse → selector / service → render, as everywhere. Every decision goes through
`annotations.moderation.services.moderate()` carrying the status the moderator saw: when another moderator
decided first, the page shows the service's message (who chose what) and the item as it is now,
and never overwrites the other decision. Everything works as plain forms, without script.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import moderator_required
from accounts.models import MODERATORS_GROUP, Organization, User
from annotations.models import (
    Annotation,
    ConcernTag,
    Flag,
    ModerationEvent,
    Reply,
)
from annotations.moderation import services as moderation
from annotations.moderation.console import Action, console_items, console_nav_counts, replies_for_console
from annotations.moderation.decisions import (
    DONE,
    REASON_MAX_LENGTH,
    decision_json,
    error_text,
    safe_next,
    wants_json,
)
from annotations.moderation.log import LogFilters, moderation_log, moderation_log_csv
from annotations.moderation.queue import QueueFilters, moderation_queue
from annotations.selectors import with_display_data
from treaty.models import Treaty

QUEUE_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50


# --- The queue -------------------------------------------------------------------------------

VERIFIED_CHOICES = [
    ("", gettext_lazy("Either")),
    ("yes", gettext_lazy("Verified")),
    ("no", gettext_lazy("Not verified, or none")),
]


class QueueFilterForm(forms.Form):
    treaty = forms.ChoiceField(required=False, label=gettext_lazy("Treaty"))
    article = forms.CharField(required=False, max_length=20, label=gettext_lazy("Article number"))
    tag = forms.ChoiceField(required=False, label=gettext_lazy("Concern tag"))
    organization = forms.ChoiceField(required=False, label=gettext_lazy("Organisation"))
    flag_reason = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Flag reason"),
        choices=[("", gettext_lazy("Any")), *Flag.Reason.choices],
    )
    verified = forms.ChoiceField(
        required=False, label=gettext_lazy("Author's organisation"), choices=VERIFIED_CHOICES
    )

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        self.fields["treaty"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *Treaty.objects.order_by("title").values_list("slug", "title"),
        ]
        self.fields["tag"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *ConcernTag.objects.order_by("order", "name").values_list("slug", "name"),
        ]
        self.fields["organization"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *Organization.objects.order_by("name").values_list("slug", "name"),
        ]

    def filters(self) -> QueueFilters:
        """The valid fields only: an invalid one is reported beside the form and ignored."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        verified = data.get("verified") or ""
        return QueueFilters(
            treaty=data.get("treaty") or None,
            article=(data.get("article") or "").strip() or None,
            tag=data.get("tag") or None,
            organization=data.get("organization") or None,
            flag_reason=data.get("flag_reason") or None,
            organization_verified=None if not verified else verified == "yes",
        )


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.filters()
    cursor = request.GET.get("cursor") or None
    problem = ""
    try:
        page = moderation_queue(filters, cursor=cursor, page_size=QUEUE_PAGE_SIZE)
    except ValueError as error:
        problem = str(error)
        page = moderation_queue(filters, page_size=QUEUE_PAGE_SIZE)
        cursor = None
    viewer: User = request.user  # type: ignore[assignment]
    items = console_items(viewer, ((entry.kind, entry.item) for entry in page.entries))
    for console_item, entry in zip(items, page.entries, strict=True):
        console_item.group = entry.group
    filter_query = request.GET.copy()
    filter_query.pop("cursor", None)
    next_url = first_url = ""
    if page.next_cursor:
        following = filter_query.copy()
        following["cursor"] = page.next_cursor
        next_url = f"{request.path}?{following.urlencode()}"
    if cursor:
        first_url = f"{request.path}?{filter_query.urlencode()}" if filter_query else request.path
    context = {
        "form": form,
        "items": items,
        "counts": page.counts,
        "next_url": next_url,
        "first_url": first_url,
        "problem": problem,
        "here": request.get_full_path(),
        "filtered": any(value for key, value in filter_query.items()),
        "console_section": "queue",
        **console_nav_counts(),
    }
    return render(
        request,
        "annotations/moderation/queue.html",
        context,
        status=200 if valid and not problem else 400,
    )


# --- One item, and decisions on it -----------------------------------------------------------


def _load_item(kind: str, pk: int) -> Annotation | Reply:
    if kind == "annotation":
        return get_object_or_404(with_display_data(Annotation.objects.all(), None), pk=pk)
    return get_object_or_404(replies_for_console(), pk=pk)


def _item_page(
    request: HttpRequest,
    kind: str,
    pk: int,
    *,
    problem: str = "",
    problem_kind: str = "",
    draft: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    item = _load_item(kind, pk)
    viewer: User = request.user  # type: ignore[assignment]
    (console_item,) = console_items(viewer, [(kind, item)], with_events=True)
    context = {
        "entry": console_item,
        "problem": problem,
        "problem_kind": problem_kind,
        "draft": draft or {},
        "here": reverse(f"moderation:{kind}", args=[pk]),
        "back": safe_next(request, default=reverse("moderation:queue")),
        "console_section": "",
        **console_nav_counts(),
    }
    return render(request, "annotations/moderation/item.html", context, status=status)


@moderator_required
@require_GET
def annotation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, "annotation", pk)


@moderator_required
@require_GET
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, "reply", pk)


def _decide(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    item: Annotation | Reply = (
        get_object_or_404(Annotation, pk=pk) if kind == "annotation" else get_object_or_404(Reply, pk=pk)
    )
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    expected_status = request.POST.get("expected_status", "")
    draft = {"action": action, "reason": reason}
    label = f"{kind} {pk}"
    try:
        if not expected_status:
            # The console always sends what the moderator saw; without it a stale page could
            # silently overwrite another moderator's decision.
            raise ValidationError(
                _("The form did not say which status you saw: reload the page and try again.")
            )
        if len(reason) > REASON_MAX_LENGTH:
            raise ValidationError(
                _("Keep the reason under %(REASON_MAX_LENGTH)s characters.")
                % {"REASON_MAX_LENGTH": REASON_MAX_LENGTH}
            )
        moderation.moderate(
            item=item,
            moderator=request.user,  # type: ignore[arg-type]
            action=action,
            reason=reason,
            expected_status=expected_status,
        )
    except moderation.ModerationConflict as conflict:
        if wants_json(request):
            return decision_json("conflict", str(conflict), conflict.current_status, http_status=409)
        return _item_page(
            request, kind, pk, problem=str(conflict), problem_kind="conflict", draft=draft, status=409
        )
    except ValidationError as error:
        if wants_json(request):
            return decision_json("invalid", error_text(error), item.status, http_status=400)
        return _item_page(
            request, kind, pk, problem=error_text(error), problem_kind="invalid", draft=draft, status=400
        )
    except PermissionDenied as error:
        if wants_json(request):
            return decision_json("refused", error_text(error), item.status, http_status=403)
        return _item_page(
            request, kind, pk, problem=error_text(error), problem_kind="refused", draft=draft, status=403
        )
    done = DONE[action].format(label=label)  # type: ignore[index]
    done = done[:1].upper() + done[1:]
    if wants_json(request):
        item.refresh_from_db(fields=["status"])
        return decision_json("ok", done, item.status, http_status=200)
    messages.success(request, done)
    return HttpResponseRedirect(safe_next(request, default=reverse("moderation:queue")))


@moderator_required
@require_POST
def annotation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "annotation", pk)


@moderator_required
@require_POST
def reply_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, "reply", pk)


# --- The audit log ---------------------------------------------------------------------------


class LogFilterForm(forms.Form):
    moderator = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=gettext_lazy("Moderator")
    )
    action = forms.ChoiceField(
        required=False, label=gettext_lazy("Action"), choices=[("", gettext_lazy("Any")), *Action.choices]
    )
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        # Current moderators, and former ones who are still in the log.
        moderators = (
            User.objects.filter(
                Q(groups__name=MODERATORS_GROUP)
                | Q(pk__in=ModerationEvent.objects.filter(actor__isnull=False).values("actor_id"))
            )
            .distinct()
            .order_by("display_name", "email")
        )
        self.fields["moderator"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((user.pk, user.display_name or user.email) for user in moderators),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since: date | None = data.get("since")
        until: date | None = data.get("until")
        if since and until and since > until:
            raise ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> LogFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return LogFilters(
            moderator_id=data.get("moderator"),
            action=data.get("action") or None,
            since=data.get("since"),
            until=data.get("until"),
        )


@moderator_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET)
    valid = form.is_valid()
    events = moderation_log(form.filters())
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "csv_url": reverse("moderation:log-csv") + (f"?{query.urlencode()}" if query else ""),
        "console_section": "log",
        **console_nav_counts(),
    }
    return render(request, "annotations/moderation/log.html", context, status=200 if valid else 400)


@moderator_required  # type: ignore[arg-type]  # the decorator's type knows only HttpResponse
@require_GET
def log_csv(request: HttpRequest) -> HttpResponseBase:
    form = LogFilterForm(request.GET)
    if not form.is_valid():
        return log(request)
    response = StreamingHttpResponse(
        moderation_log_csv(moderation_log(form.filters())), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="moderation-log-{stamp}.csv"'
    return response

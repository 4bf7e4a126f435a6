"""Decisions on several queue items at once: each applied on its own, with the status the moderator
saw, so that an item another moderator decided meanwhile is a conflict (409) and the rest are applied."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.decorators import moderator_required
from annotations.models import (
    Annotation,
    Reply,
    Status,
)
from annotations.moderation import services as moderation
from annotations.moderation.console import Action, console_nav_counts
from annotations.moderation.decisions import (
    BULK_MAX_ITEMS,
    DONE,
    REASON_MAX_LENGTH,
    error_text,
    safe_next,
    wants_json,
)

# --- Bulk decisions --------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    kind: str
    pk: int
    result: str  # ok, conflict, refused, not_found
    message: str
    status: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def detail_url(self) -> str:
        return reverse(f"moderation:{self.kind}", args=[self.pk])

    # Per item, the answer the single decision would have had: 409 when someone decided first.
    HTTP_STATUS = {"ok": 200, "conflict": 409, "refused": 403, "not_found": 404}

    def as_json(self) -> dict[str, object]:
        return {
            "item": f"{self.kind}-{self.pk}",
            "result": self.result,
            "http_status": self.HTTP_STATUS[self.result],
            "message": self.message,
            "status": self.status,
        }


def _parse_selection(values: list[str]) -> list[tuple[str, int, str]]:
    selection = []
    for value in values:
        kind, _, rest = value.partition(":")
        number, _, expected = rest.partition(":")
        if kind not in ("annotation", "reply") or not number.isdigit() or expected not in Status.values:
            raise ValidationError(
                gettext("“%(value)s” is not an item of the queue: reload the page.") % {"value": value}
            )
        selection.append((kind, int(number), expected))
    return selection


@moderator_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    back = safe_next(request, default=reverse("moderation:queue"))
    problem = ""
    outcomes: list[BulkOutcome] = []
    selection: list[tuple[str, int, str]] = []
    try:
        selection = _parse_selection(request.POST.getlist("items"))
        if action not in (Action.APPROVE, Action.REJECT):
            raise ValidationError(gettext("Choose whether to approve or to reject the selected items."))
        if not selection:
            raise ValidationError(gettext("Select at least one item: tick its checkbox in the queue."))
        if len(selection) > BULK_MAX_ITEMS:
            raise ValidationError(
                gettext("Select at most %(BULK_MAX_ITEMS)s items at a time.")
                % {"BULK_MAX_ITEMS": BULK_MAX_ITEMS}
            )
        if action == Action.REJECT and not reason.strip():
            raise ValidationError(gettext("Give the reason for rejecting them: their authors will see it."))
        if len(reason) > REASON_MAX_LENGTH:
            raise ValidationError(
                gettext("Keep the reason under %(REASON_MAX_LENGTH)s characters.")
                % {"REASON_MAX_LENGTH": REASON_MAX_LENGTH}
            )
    except ValidationError as error:
        problem = error_text(error)
    else:
        for kind, pk, expected in selection:
            outcomes.append(_bulk_one(request, kind, pk, expected, action, reason))
    if wants_json(request):
        return JsonResponse(
            {
                "problem": problem,
                "done": sum(outcome.result == "ok" for outcome in outcomes),
                "outcomes": [outcome.as_json() for outcome in outcomes],
            },
            status=400 if problem else 200,
        )
    context = {
        "problem": problem,
        "outcomes": outcomes,
        # A refused request keeps the selection: the page offers the same items again.
        "selected": [(f"{kind}:{pk}:{expected}", f"{kind} {pk}") for kind, pk, expected in selection],
        "action": action,
        "reason": reason,
        "back": back,
        "done": sum(outcome.result == "ok" for outcome in outcomes),
        "console_section": "",
        **console_nav_counts(),
    }
    return render(request, "annotations/moderation/bulk_result.html", context, status=400 if problem else 200)


def _bulk_one(
    request: HttpRequest, kind: str, pk: int, expected: str, action: str, reason: str
) -> BulkOutcome:
    model = Annotation if kind == "annotation" else Reply
    item = model.objects.filter(pk=pk).first()
    if item is None:
        return BulkOutcome(kind, pk, "not_found", f"There is no {kind} {pk}.")
    try:
        decision = moderation.moderate(
            item=item,
            moderator=request.user,  # type: ignore[arg-type]
            action=action,
            reason=reason,
            expected_status=expected,
        )
    except moderation.ModerationConflict as conflict:
        return BulkOutcome(kind, pk, "conflict", str(conflict), conflict.current_status)
    except (ValidationError, PermissionDenied) as error:
        # One refusal (say, the moderator's own item) must not stop the others.
        return BulkOutcome(kind, pk, "refused", error_text(error), item.status)
    return BulkOutcome(kind, pk, "ok", DONE[action].format(label=f"{kind} {pk}"), decision.item.status)  # type: ignore[index]

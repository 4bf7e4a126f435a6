"""How the console's decision forms are read and answered, by the pages and by the queue's script:
the reason's limit, what the success message says, where to go back to, and JSON for decisions
applied in place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from annotations.models import ModerationEvent

Action = ModerationEvent.Action

BULK_MAX_ITEMS = 200
REASON_MAX_LENGTH = 4000  # as the API

# What the success message says, per action ("Approved annotation 12.").
DONE = {
    Action.APPROVE: gettext_lazy("Approved {label}."),
    Action.REJECT: gettext_lazy("Rejected {label}: its author will see your reason."),
    Action.SPAM: gettext_lazy("Marked {label} as spam."),
    Action.FEATURE: gettext_lazy("Featured {label}: it now comes first on its article page."),
    Action.UNFEATURE: gettext_lazy("{label} is no longer featured."),
    Action.NOTE: gettext_lazy("Saved the public moderator note on {label}."),
}


def safe_next(request: HttpRequest, *, default: str) -> str:
    """Where to go back to: only a page of this console, never another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/moderation/") else default


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You cannot do that."


def wants_json(request: HttpRequest) -> bool:
    """The queue's script asks for JSON to apply a decision in place; forms without it get pages."""
    return request.headers.get("Accept", "").startswith("application/json")


def decision_json(result: str, message: str, status: str, *, http_status: int) -> JsonResponse:
    return JsonResponse({"result": result, "message": message, "status": status}, status=http_status)

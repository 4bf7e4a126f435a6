from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView


class WriteRateThrottle(ScopedRateThrottle):
    """Per-user limits on creating things (annotations, replies, flags); reads are not counted here."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


# A view's own throttle_classes replace the defaults: views that limit creation keep the general
# limits (APIView's default, REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES: per address and per user)
# on their reads too.
WRITE_AND_GENERAL_THROTTLES: list[type[BaseThrottle]] = [
    *APIView.throttle_classes,
    WriteRateThrottle,
]


class SearchRateThrottle(SimpleRateThrottle):
    """Per user (or address) on full-text searches (`?q=`): each reads a whole draft or every
    comment on it, so they have their own, tighter budget. Requests without `q` are not counted.

    Also used by the treaty's search page (treaty.views.search), with a plain Django request.
    """

    scope = "search"

    def allow_request(self, request: Request | HttpRequest, view: Any) -> bool:
        if not request.GET.get("q", "").strip():
            return True
        return super().allow_request(request, view)  # type: ignore[arg-type]

    def get_cache_key(self, request: Request | HttpRequest, view: Any) -> str:  # type: ignore[override]
        user = request.user
        ident = user.pk if user.is_authenticated else self.get_ident(request)  # type: ignore[arg-type]
        return self.cache_format % {"scope": self.scope, "ident": ident}

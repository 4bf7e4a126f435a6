"""The API's rate limits, failing open when their cache (Redis) is down (issue 18).

DRF's throttles keep their counts in the cache: with Redis down every request they saw raised, so
every API read and write answered 500, and DESIGN §6 promises that writes succeed with the broker
(the same Redis, by default) down. A rate limit is a guard against abuse, not a condition of
service: without its counts the request is let through, and the outage is logged (once a minute
per process, not once per request).
"""

import logging
import time
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:
    # Not at run time: APIView's class body reads DEFAULT_THROTTLE_CLASSES, i.e. this module.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

# The errors of an unreachable cache: Redis's own, and OSError (socket errors, the file cache).
CACHE_UNAVAILABLE: tuple[type[Exception], ...] = (RedisError, OSError)
_LOG_EVERY_SECONDS = 60.0
_last_logged = 0.0


def _log_cache_unavailable(throttle: BaseThrottle, error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning(
            "rate limits are not enforced: the cache is unavailable (%s: %r); requests are let through",
            type(throttle).__name__,
            error,
        )


class FailOpenMixin:
    def allow_request(self, request: Request, view: "APIView") -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except CACHE_UNAVAILABLE as error:
            _log_cache_unavailable(self, error)  # type: ignore[arg-type]
            return True


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    """Per client address, for anonymous requests (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    """Per user (per address when anonymous) (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""


class ScopedRateThrottle(FailOpenMixin, throttling.ScopedRateThrottle):
    """Per view's throttle_scope: use this, never DRF's own, which fails closed."""


class WriteRateThrottle(ScopedRateThrottle):
    """Per-user limits on creating things (annotations, replies, flags); reads are not counted here."""

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


# A view's own throttle_classes replace the defaults: views that limit creation keep the general
# limits (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES: per address and per user) on their reads too.
WRITE_AND_GENERAL_THROTTLES: list[type[BaseThrottle]] = [
    AnonRateThrottle,
    UserRateThrottle,
    WriteRateThrottle,
]


class SearchRateThrottle(FailOpenMixin, throttling.SimpleRateThrottle):
    """Per user (or address) on full-text searches (`?q=`): each reads a whole draft or every
    comment on it, so they have their own, tighter budget. Requests without `q` are not counted.

    Also used by the treaty's search page (treaty.views.search), with a plain Django request.
    """

    scope = "search"

    def allow_request(self, request: "Request | HttpRequest", view: Any) -> bool:
        if not request.GET.get("q", "").strip():
            return True
        return super().allow_request(request, view)  # type: ignore[arg-type]

    def get_cache_key(self, request: "Request | HttpRequest", view: Any) -> str:  # type: ignore[override]
        user = request.user
        ident = user.pk if user.is_authenticated else self.get_ident(request)  # type: ignore[arg-type]
        return self.cache_format % {"scope": self.scope, "ident": ident}

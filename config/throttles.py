from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
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

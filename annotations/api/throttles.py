from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class WriteRateThrottle(ScopedRateThrottle):
    """Per-user limits on creating things (annotations, replies, flags); reads are not counted here."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


# A view's own throttle_classes replace the defaults: views that limit creation keep the general
# limits (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES: per address and per user) on their reads too.
WRITE_AND_GENERAL_THROTTLES = [*api_settings.DEFAULT_THROTTLE_CLASSES, WriteRateThrottle]

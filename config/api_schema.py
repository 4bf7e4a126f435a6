"""The API's error answers (DESIGN §7) as OpenAPI responses, for `@extend_schema(responses=…)`.

Every operation lists the error codes it can really give, so that clients (and the schemathesis
run in tests/test_schemathesis.py) can rely on the schema: an undocumented status is a defect.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR_DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})

_DESCRIPTIONS = {
    # Field errors are nested like the input ({"quote": {"exact": [...]}}), hence a bare object.
    400: 'Bad input: {"detail": …} or field errors {field: [message, …]}',
    # Session authentication comes first and sends no WWW-Authenticate challenge, so DRF answers
    # a missing or wrong login with 403, not 401.
    403: "Not logged in, not verified, or not allowed to do this",
    404: "No such treaty, article, annotation or other object (or not visible to you)",
    409: "Conflict with the current state",
    415: "The body is not in a media type the operation reads (JSON, form or multipart)",
    429: "Throttled: try again later",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`{**error_responses(400, 403, 404)}` beside the success response of an operation."""
    return {
        code: OpenApiResponse(
            response=OpenApiTypes.OBJECT if code == 400 else ERROR_DETAIL, description=_DESCRIPTIONS[code]
        )
        for code in codes
    }

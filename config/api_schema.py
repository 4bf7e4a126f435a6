"""The API's error answers (DESIGN §7) as OpenAPI responses, for `@extend_schema(responses=…)`.

Every operation lists the error codes it can really give, so that clients (and the schemathesis
run in tests/test_schemathesis.py) can rely on the schema: an undocumented status is a defect.
"""

from typing import Any

from django.utils.translation import gettext as _
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


NUL_REFUSED = "Bad input: a NUL character in the URL, the query or a header (config.request_guards)"


def document_refused_nul(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation can answer 400, since a NUL byte
    anywhere in a request is refused before any view runs (issue 18). Operations that already
    list their own 400 keep it."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if responses is not None and "400" not in responses:
                responses["400"] = {
                    "description": NUL_REFUSED,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"detail": {"type": _("string")}},
                                "required": ["detail"],
                            }
                        }
                    },
                }
    return result

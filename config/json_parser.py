"""The API's JSON parser: DRF's, with a size limit, a depth limit and no NUL (issue 18).

DRF reads a JSON body whole and hands it to json.loads: a body of any size was read into memory,
a 10,000-deep array raised RecursionError (a 500, even on the unauthenticated auth/token/), and a
"\\u0000" in any string reached PostgreSQL, which cannot store it. No request of this API needs
more than a few kilobytes or a few levels (the deepest is an annotation's quote object).
"""

import codecs
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from config.request_guards import NUL_MESSAGE


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def _too_deep_or_nul(data: Any, max_depth: int) -> str | None:
    """Why the decoded body is refused, or None. Iterative: the depth is what is being checked."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return NUL_MESSAGE
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                return f"The JSON body is nested more than {max_depth} levels deep."
            items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    return NUL_MESSAGE
                stack.append((item, depth + 1))
    return None


class LimitedJSONParser(JSONParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        max_bytes: int = settings.API_JSON_MAX_BYTES
        max_depth: int = settings.API_JSON_MAX_DEPTH
        too_large = PayloadTooLarge(f"The JSON body is larger than the limit of {max_bytes} bytes.")
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise too_large  # refused before a byte of it is read
        raw = stream.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise too_large
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            parse_constant = strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(
                _("The JSON body is nested more than %(max_depth)s levels deep.") % {"max_depth": max_depth}
            ) from None
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(exc)s") % {"exc": exc}) from None
        problem = _too_deep_or_nul(data, max_depth)
        if problem:
            raise ParseError(problem)
        return data

"""Refuse requests that no view can answer safely, before any view sees them (issue 18).

A NUL character cannot be stored or compared in PostgreSQL text ("cannot contain NUL (0x00)
bytes"): a NUL that reached a query was a 500 there, and a silent mismatch on SQLite. No
legitimate URL, header or form field carries one, so the request is refused as a whole with a
400 instead of every view and filter having to remember it. JSON bodies are checked by their
parser (config.json_parser), which decodes them anyway.
"""

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError

NUL_MESSAGE = "The request contains a NUL character, which is not allowed."


def is_api_path(path: str) -> bool:
    """Answers under /api/ are JSON, errors included (DESIGN §7)."""
    return path.startswith("/api/")


def bad_request(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    if is_api_path(request.path_info):
        return JsonResponse({"detail": message}, status=status)
    response = HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    response.status_code = status
    return response


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    # The raw query string: %00 decodes to NUL whatever the parameter or its encoding.
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    for name, value in request.META.items():
        if (name.startswith("HTTP_") or name in ("CONTENT_TYPE", "CONTENT_LENGTH")) and "\x00" in str(value):
            return True
    # Form fields (urlencoded or multipart; files are not text). Django parses them for
    # request.POST anyway, and DRF reuses that parse when a middleware got there first.
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for key, values in request.POST.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class RejectNulMiddleware:
    """First in MIDDLEWARE: a NUL in the path, query, headers or a form body is a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            carries_nul = _carries_nul(request)
        except MultiPartParserError:
            return bad_request(request, "The form data could not be read.")
        if carries_nul:
            return bad_request(request, NUL_MESSAGE)
        return self.get_response(request)

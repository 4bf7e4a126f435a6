"""HEAD answers wherever GET does.

Many views allow GET only (`require_GET`, DRF views without `head`), so a HEAD request (link
checkers, monitors, `curl -I`) got 405 where GET answered 200. A HEAD is served as the GET it
stands for, then its body is dropped, keeping the headers (Content-Length included).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse


class HeadAsGetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        length = response.get("Content-Length")
        if isinstance(response, StreamingHttpResponse):
            # Not response.close(): the server calls it when the answer is sent (it signals the
            # end of the request). Open files stay registered with it and are closed then.
            response.streaming_content = []
        elif hasattr(response, "content"):
            if length is None:
                length = str(len(response.content))
            response.content = b""
        if length is not None:
            response["Content-Length"] = length
        return response

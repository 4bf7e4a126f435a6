"""Public pages and API answers served from the cache to visitors who are not logged in (issue 18
§2), with conditional requests (ETag, Last-Modified: 304).

A cached answer is keyed by the treaty's public token (treaty.generations), which every change a
reader could see replaces: a key is never reused for other content, so nothing is ever deleted
from the cache and no page outlives the change that made it wrong. The key also holds everything
else the answer depends on: the address and query, the interface language, the host and scheme
(absolute links of API pages), the Accept header of API views, and the release of the code.

Logged-in users (a session or an API token) are never served from it or stored in it: they see
their own pending and rejected items. Only 200 answers that set no cookie are stored (a page with
a CSRF token belongs to one visitor). The cache (Redis) down means uncached answers, never errors.
"""

import functools
import gzip
import hashlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.gzip import re_accepts_gzip
from django.template.response import SimpleTemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.text import compress_string
from redis.exceptions import RedisError
from rest_framework.views import APIView

from treaty.generations import Generation, site_generation, treaty_generation

logger = logging.getLogger(__name__)

# Whichever scope a view has: the slug of its treaty, or None for pages over every treaty.
Scope = Callable[[HttpRequest, dict[str, Any]], str | None]
View = Callable[..., HttpResponseBase]

# The answer headers a cached copy keeps (the middleware adds the others on every answer).
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language", "Link")
_CACHE_DOWN: tuple[type[Exception], ...] = (RedisError, OSError)
HEADER = "X-Page-Cache"  # hit, miss or bypass: for the tests and the load test


def _code_release() -> str:
    """What distinguishes this release's pages from the last one's: RELEASE when the deployment
    sets it, else the modification times of the code and templates (read once per process)."""
    if release := os.environ.get("RELEASE"):
        return release
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("accounts", "annotations", "config", "templates", "treaty"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".json"):
                digest.update(f"{path}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def code_release() -> str:
    return _code_release()


def by_slug(request: HttpRequest, kwargs: dict[str, Any]) -> str | None:
    return str(kwargs["slug"])


def site_wide(request: HttpRequest, kwargs: dict[str, Any]) -> str | None:
    return None


def by_treaty_parameter(request: HttpRequest, kwargs: dict[str, Any]) -> str | None:
    """The annotation list: one treaty's with `?treaty=`, else every treaty's."""
    return request.GET.get("treaty") or None


def accepts_gzip(accept_encoding: str) -> bool:
    return bool(re_accepts_gzip.search(accept_encoding))


def is_anonymous(request: HttpRequest) -> bool:
    """No session user and no API token. A request without a session cookie needs no query."""
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
        return False
    # A message waiting for this visitor ("You have logged out") is theirs alone.
    return "messages" not in request.COOKIES


def public_page_cache(view: View, scope: Scope, *, api: bool = False) -> View:
    """Serve `view`'s GET answers to anonymous visitors from the cache."""

    @functools.wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if (
            not settings.PUBLIC_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or not is_anonymous(request)
        ):
            response = view(request, *args, **kwargs)
            response.headers.setdefault(HEADER, "bypass")
            return response
        slug = scope(request, kwargs)
        # Read first, before anything the view reads (treaty.generations).
        generation = treaty_generation(slug) if slug else site_generation()
        if generation is None:  # no token yet (an unknown treaty): nothing to key a copy by
            response = view(request, *args, **kwargs)
            response.headers.setdefault(HEADER, "bypass")
            return response
        key = _key(request, generation, api=api)
        etag = f'"{key[-32:]}"'
        if _not_modified(request, etag, generation):
            return _conditional_headers(HttpResponseNotModified(), etag, generation)
        stored = _get(key)
        if stored is not None:
            return _conditional_headers(_answer_from(stored, request), etag, generation)
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if _storable(request, response):
            assert isinstance(response, HttpResponse)
            _set(key, _stored_form(response))
            response.headers[HEADER] = "miss"
            return _conditional_headers(response, etag, generation)
        response.headers.setdefault(HEADER, "bypass")
        return response

    return cached_view


def _stored_form(response: HttpResponse) -> dict[str, Any]:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    # Compressed once, when stored, not on every hit (GZipMiddleware leaves an encoded answer
    # alone). No secret is on these pages: a fixed padding reveals nothing (BREACH).
    compressed = compress_string(response.content) if len(response.content) >= 200 else None
    # One form only (a fifth of the bytes to fetch on each hit): the rare client that does not
    # take gzip gets it decompressed.
    return {
        "status": response.status_code,
        "content": None if compressed is not None else response.content,
        "gzip": compressed,
        "headers": headers,
    }


def _answer_from(stored: dict[str, Any], request: HttpRequest) -> HttpResponse:
    gzipped = stored["gzip"] is not None and accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
    if gzipped:
        body = stored["gzip"]
    else:
        body = stored["content"] if stored["content"] is not None else gzip.decompress(stored["gzip"])
    response = HttpResponse(body, status=stored["status"])
    for name, value in stored["headers"].items():
        response.headers[name] = value
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ("Accept-Encoding",))
    response.headers[HEADER] = "hit"
    return response


def _key(request: HttpRequest, generation: Generation, *, api: bool) -> str:
    parts = [
        code_release(),
        generation.token,
        translation.get_language() or "",
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        str(request.META.get("HTTP_ACCEPT", "")) if api else "",
    ]
    return "page:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _not_modified(request: HttpRequest, etag: str, generation: Generation) -> bool:
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        # GZipMiddleware weakens the ETag of a compressed answer (W/"..."): compare weakly.
        offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in offered or "*" in offered
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(generation.changed_at.timestamp()) <= since


def _conditional_headers(response: HttpResponseBase, etag: str, generation: Generation) -> HttpResponseBase:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(generation.changed_at.timestamp())
    # A shared cache (a CDN) may keep it, but must ask again each time (a 304 is cheap), and must
    # keep logged-in visitors' answers apart (their cookie or token).
    response.headers["Cache-Control"] = "public, no-cache"
    patch_vary_headers(response, ("Cookie", "Authorization", "Accept-Language"))
    return response


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        # The page holds a CSRF token made for this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _get(key: str) -> dict[str, Any] | None:
    try:
        stored: dict[str, Any] | None = cache.get(key)
        return stored
    except _CACHE_DOWN as error:
        _log_cache_down(error)
        return None


def _set(key: str, value: dict[str, Any]) -> None:
    try:
        cache.set(key, value, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
    except _CACHE_DOWN as error:
        _log_cache_down(error)


_last_logged = 0.0


def _log_cache_down(error: Exception) -> None:
    # Once a minute per process, not once per request of an outage.
    global _last_logged
    if time.monotonic() - _last_logged >= 60:
        _last_logged = time.monotonic()
        logger.warning("public page cache unavailable (%r): answering uncached", error)


def cached_for_anonymous(scope: Scope) -> Callable[[View], View]:
    """`@cached_for_anonymous(by_slug)` on a page view."""
    return functools.partial(public_page_cache, scope=scope)


class PublicAPIView(APIView):
    """An API view whose GET answers to anonymous clients are cached, keyed by
    `public_cache_scope` (the treaty's slug by default)."""

    public_cache_scope: Scope = staticmethod(by_slug)

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return public_page_cache(super().as_view(**initkwargs), cls.public_cache_scope, api=True)

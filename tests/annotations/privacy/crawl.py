"""A crawler of everything an outsider can read: every URL pattern of the resolver and every GET
operation of the API schema, filled with the site's own slugs, numbers and ids, then every link,
redirect, GET form choice and URL found in what came back. New pages and endpoints are crawled
without touching this file; a URL parameter it cannot fill fails loudly."""

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import lxml.html
import yaml
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Pages no outsider crawl should request: Django's admin (staff only, its own login), the local
# outbox (DEBUG only), logging out (it would end the outsider's session), static files and the
# health check (it times its own probes, and says nothing of annotations).
SKIPPED_PREFIXES = ("/admin/", "/dev/", "/static/", "/accounts/logout/", "/healthz")
# At most this many distinct URLs per URL pattern, whatever their query strings: keeps the crawl
# bounded (a page of 50 links to annotations is read through a few of them, not all).
PER_PATTERN = 8
LIMIT = 1500
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Fill:
    """What to put in each URL parameter and each probing query string."""

    values: dict[str, list[str]]
    # Values for the patterns that start with a prefix ("treaties/": {"slug": [treaty slugs]}),
    # before the general ones.
    under: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Query strings each page under a prefix is also asked with: the filters of pages whose forms
    # do not offer them (a country below the threshold, a page reached by no link).
    probes: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def _values(self, pattern: str, name: str) -> list[str] | None:
        for prefix, values in self.under.items():
            if pattern.startswith(prefix) and name in values:
                return values[name]
        return self.values.get(name)

    def seeds(self, patterns: list[str]) -> list[str]:
        """Every pattern filled, and asked with each of its probes."""
        urls = []
        for pattern in patterns:
            probes = [q for prefix, qs in self.probes.items() if pattern.startswith(prefix) for q in qs]
            for path in self.paths(pattern):
                urls += [path, *(f"{path}?{urlencode(q)}" for q in probes)]
        return urls

    def paths(self, pattern: str) -> Iterator[str]:
        names = [m["name"] for m in PARAMETER.finditer(pattern)]
        missing = [n for n in names if self._values(pattern, n) is None]
        assert not missing, f"The crawl cannot fill {missing} in /{pattern}: add values for them."
        yield from self._expand("/" + pattern, [(n, self._values(pattern, n) or []) for n in names])

    def _expand(self, path: str, names: list[tuple[str, list[str]]]) -> Iterator[str]:
        if not names:
            yield path
            return
        (_name, values), rest = names[0], names[1:]
        for value in values:
            # The parameters are filled in order: the first one left is this one.
            filled = PARAMETER.sub(lambda _match, value=value: value, path, count=1)
            yield from self._expand(filled, rest)


def resolver_patterns() -> list[str]:
    """Every URL pattern of the site as a string ("treaties/<slug:slug>/heatmap/")."""

    def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern).lstrip("^").rstrip("$")

    return [p for p in walk(get_resolver().url_patterns, "") if not ("/" + p).startswith(SKIPPED_PREFIXES)]


def schema_urls(client: Client, fill: Fill) -> list[str]:
    """Every GET operation of the OpenAPI schema, with its path filled and each query parameter
    tried with each value the schema offers (enums) or the fill knows."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    urls: list[str] = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        pattern = re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/"))
        for filled in fill.paths(pattern):
            urls.append(filled)
            for parameter in operations["get"].get("parameters", []):
                if parameter["in"] != "query":
                    continue
                choices = parameter.get("schema", {}).get("enum") or fill.values.get(parameter["name"], [])
                choices = [c for c in choices if c is not None]
                urls.extend(f"{filled}?{urlencode({parameter['name']: c})}" for c in choices)
    return urls


def found_urls(response: Response, at: str) -> Iterator[str]:
    """URLs in a response: its redirect, links and GET forms of a page, URL strings in JSON, CSV or
    NDJSON."""
    if "Location" in response.headers:
        yield urljoin(at, response.headers["Location"])
    kind = response.headers.get("Content-Type", "")
    if "html" in kind and response.body.strip():
        document = lxml.html.fromstring(response.body)
        for element, _attribute, link, _pos in document.iterlinks():
            if element.tag in ("a", "link", "area"):
                yield urljoin(at, link)
        for form in document.forms:
            if (form.method or "GET").upper() != "GET":
                continue
            action = urljoin(at, form.action or at)
            for select in form.xpath(".//select[@name]"):
                for option in select.xpath(".//option/@value"):
                    yield f"{action.split('?')[0]}?{urlencode({select.get('name'): option})}"
    else:
        site = re.escape(settings.SITE_URL)
        for match in re.finditer(rf'(?:"|^|,)((?:{site})?/[^\s",<>]*)', response.body, re.MULTILINE):
            yield match[1]


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" not in (settings.SITE_URL, "http://testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def _pattern_of(path: str) -> str:
    # Ids, numbers and slugs folded, so that one pattern's URLs count together.
    return re.sub(r"/\d+", "/N", path.split("?")[0])


def crawl(client: Client, seeds: list[str]) -> dict[str, Response]:
    """GET every seed, then every URL found, breadth first, in a deterministic order."""
    seen: dict[str, Response] = {}
    per_pattern: dict[str, int] = {}
    starts = [u for u in (_local(s) for s in seeds) if u]
    queue, seeded = deque(starts), set(starts)
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        pattern = _pattern_of(url)
        if per_pattern.get(pattern, 0) >= PER_PATTERN and url not in seeded:
            continue
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        answer = client.get(url)
        content = b"".join(answer.streaming_content) if answer.streaming else answer.content
        response = Response(
            status=answer.status_code,
            headers={k: v for k, v in answer.headers.items()},
            body=content.decode("utf-8", errors="replace"),
        )
        seen[url] = response
        for found in found_urls(response, url):
            local = _local(found)
            if local and local not in seen:
                queue.append(local)
    return seen

"""HEAD answers wherever GET does, with the same status and headers and no body; /api/docs/ is
served compressed; there is a favicon."""

import gzip
import re

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Organization, User
from annotations.services import annotation_create
from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def _body(response: HttpResponseBase) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _url(pattern: str, values: dict[str, str]) -> str:
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m[1], "1"), pattern)
    url = url.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + url


@pytest.fixture
def site(alice: User, mod: User, drw: Organization) -> dict[str, str]:
    version = import_small_treaty().version
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Placeholder comment.",
    )
    return {"slug": "sample", "number": "2", "key": "pre", "pk": str(annotation.pk), "id": str(annotation.pk)}


def test_head_answers_wherever_get_does(mod_client: Client, site: dict[str, str]) -> None:
    urls = sorted({_url(p, site) for p in _patterns(get_resolver()) if "(?P" not in p or "admin" in p})
    answered = 0
    problems = []
    for url in urls:
        if "(?P" in url:
            continue  # the admin's regex routes: their plain pages are in the list already
        got = mod_client.get(url)
        if got.status_code == 405:
            continue  # not a GET route (a POST-only form handler)
        head = mod_client.head(url)
        answered += got.status_code == 200
        if head.status_code != got.status_code:
            problems.append(f"{url}: GET {got.status_code}, HEAD {head.status_code}")
        elif _body(head):
            problems.append(f"{url}: HEAD has a body")
        elif (
            got.status_code == 200
            and not got.streaming
            and head.get("Content-Length") != str(len(got.content))
        ):
            problems.append(
                f"{url}: HEAD Content-Length {head.get('Content-Length')}, GET {len(got.content)}"
            )
    assert not problems, "\n".join(problems)
    assert answered >= 40, f"only {answered} routes answered GET with 200: the test checks too little"


def test_api_docs_are_served_compressed(anon: Client) -> None:
    page = anon.get("/api/docs/", headers={"accept-encoding": "gzip, br"})
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    scripts = re.findall(r'src="([^"]+\.js)"', gzip.decompress(page.content).decode())
    assert scripts
    for src in scripts:
        body = _body(anon.get(src))
        compressed = anon.get(src, headers={"accept-encoding": "gzip"})
        packed = _body(compressed)
        assert compressed["Content-Encoding"] == "gzip", src
        assert gzip.decompress(packed) == body
        if len(body) > 1_000_000:  # Swagger UI's bundle
            assert len(packed) < len(body) / 3, (src, len(packed), len(body))


def test_there_is_a_favicon(anon: Client) -> None:
    response = anon.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")

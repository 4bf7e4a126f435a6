"""Bad requests answer 4xx, never 500 (issue 18): NUL bytes, huge or deep JSON bodies.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), so a NUL
that reaches a query was a 500 there and an empty result on SQLite: the sweep runs on both.
"""

import json
import re
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from annotations.models import Annotation
from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db

# Every query parameter some view reads (DESIGN §7 filters, pages' own), each tried alone: one
# that is refused first (an unknown format) must not hide another that reaches the database.
QUERY_PARAMETERS = [
    "treaty", "version", "article", "provision", "tag", "organization", "status", "updated_after",
    "q", "comment_language", "language", "group", "format", "from", "to", "compare",
    "organization_type", "country", "cursor", "page", "next", "email", "kind",
]  # fmt: skip

NUL_MESSAGE = "The request contains a NUL character, which is not allowed."

PLACEHOLDERS = {
    "slug": "sample",
    "number": "2",
    "token": "x",
    "token_id": "1",
    "uidb64": "MQ",
    "pk": "{pk}",
    "key": "pre",
    "message_id": "none",
}


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("^") or route.startswith("admin/"):
            continue  # the admin (staff only, regex routes) is Django's own
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + route)
        else:
            routes.append(prefix + route)
    return routes


def _fill(route: str, pk: int) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: PLACEHOLDERS[m.group(1)], route)
    return "/" + path.replace("{pk}", str(pk))


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


@pytest.fixture
def annotation(alice: User) -> Annotation:
    from annotations.services import annotation_create

    return annotation_create(
        author=alice,
        version=import_small_treaty().version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Placeholder comment for the sweep.",
    )


def test_the_sweep_covers_the_public_site() -> None:
    assert "api/v1/annotations/" in ROUTES
    assert "treaties/<slug:slug>/articles/<str:number>/" in ROUTES
    assert len(ROUTES) > 40


def test_nul_in_any_query_parameter_is_a_400_on_every_page(client, annotation: Annotation) -> None:
    client.raise_request_exception = False  # a 500 is a finding to list, not a crash of the sweep
    failures = []
    for route in ROUTES:
        path = _fill(route, pk=annotation.pk)
        for name in QUERY_PARAMETERS:
            response = client.get(f"{path}?{name}=x%00")
            if response.status_code != 400:
                failures.append((path, name, response.status_code))
            elif path.startswith("/api/") and response.json() != {"detail": NUL_MESSAGE}:
                failures.append((path, name, response.content))
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/treaties/sample/articles/2%00/", {}),
        ("/api/v1/treaties/sample/articles/2%00/", {}),
        ("/api/v1/annotations/", {"HTTP_X_SOMETHING": "a\x00b"}),
        ("/treaties/sample/", {"HTTP_ACCEPT_LANGUAGE": "en\x00"}),
        ("/api/v1/tags/", {"HTTP_COOKIE": "sessionid=x\x00y"}),
        ("/api/v1/tags/", {"HTTP_AUTHORIZATION": "Token x\x00"}),
    ],
)
def test_nul_in_the_path_or_a_header_is_a_400(client, annotation: Annotation, path: str, extra: dict) -> None:
    client.raise_request_exception = False
    response = client.get(path, **extra)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {"detail": NUL_MESSAGE}
    else:
        assert NUL_MESSAGE in response.text


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_nul_in_a_form_post_is_a_400_and_nothing_is_written(
    alice_client, annotation: Annotation, encoding: str
) -> None:
    alice_client.raise_request_exception = False
    reply = {"body": "A placeholder reply\x00"}
    if encoding == "multipart":
        response = alice_client.post(f"/annotations/{annotation.pk}/replies/", reply)
    else:
        response = alice_client.post(
            f"/annotations/{annotation.pk}/replies/",
            urlencode(reply),
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.text
    assert annotation.replies.count() == 0


def _token_post(client, body: bytes):  # type: ignore[no-untyped-def]
    client.raise_request_exception = False
    return client.post("/api/v1/auth/token/", body, content_type="application/json")


@pytest.mark.parametrize("depth", [33, 1_000, 10_000, 100_000])
def test_deeply_nested_json_is_a_400_even_unauthenticated(client, depth: int) -> None:
    response = _token_post(client, b"[" * depth + b"]" * depth)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body is nested more than 32 levels deep."}


def test_deeply_nested_json_on_an_annotation_post_writes_nothing(alice, api_client_as, annotation) -> None:
    body = '{"treaty": "sample", "provision": "art-1", "severity": 1, "position": "concern", '
    body += '"body": "Placeholder.", "tags": ' + "[" * 5_000 + '"privacy"' + "]" * 5_000 + "}"
    client = api_client_as(alice)
    client.raise_request_exception = False
    response = client.post("/api/v1/annotations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert Annotation.objects.count() == 1


def test_an_enormous_json_body_is_a_413(client, settings) -> None:
    body = json.dumps({"email": "a@example.org", "password": "x" * 1_000_001}).encode()
    response = _token_post(client, body)
    assert response.status_code == 413
    assert response.json() == {"detail": "The JSON body is larger than the limit of 1000000 bytes."}


def test_a_nul_inside_a_json_string_is_a_400_and_nothing_is_written(alice, api_client_as, annotation) -> None:
    client = api_client_as(alice)
    client.raise_request_exception = False
    body = {
        "treaty": "sample",
        "provision": "art-1",
        "tags": ["privacy\x00"],
        "severity": 1,
        "position": "concern",
        "body": "Placeholder comment.",
    }
    response = client.post("/api/v1/annotations/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_MESSAGE}
    assert Annotation.objects.count() == 1


def test_json_within_the_limits_still_works(client, alice: User) -> None:
    credentials = {"email": alice.email, "password": "correct horse battery staple", "name": "x" * 50}
    response = _token_post(client, json.dumps(credentials).encode())
    assert response.status_code == 201
    assert response.json()["token"]

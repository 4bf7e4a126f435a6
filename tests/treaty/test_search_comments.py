"""Search finds published comments and proposed wordings too, on the page and in the API
(`annotations/?q=`), with a search-specific throttle."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import User
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.factories import import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

SEARCH = "/treaties/sample/search/"


@pytest.fixture(autouse=True)
def own_cache(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Throttle counters of this test's own (see tests/accounts/conftest.py for why not clear())."""
    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}
    yield


@pytest.fixture
def sample() -> DraftVersion:
    return import_small_treaty().version


def annotate(
    author: User, version: DraftVersion, body: str, *, status: str = "approved", **extra: str
) -> Annotation:
    annotation = annotation_create(
        author=author,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position=extra.pop("position", "concern"),
        body=body,
        **extra,
    )
    Annotation.objects.filter(pk=annotation.pk).update(status=status)
    return annotation


def test_the_page_finds_published_comments_and_proposed_wordings(
    alice: User, mallory: User, anon: Client, sample: DraftVersion, django_assert_max_num_queries
) -> None:
    in_body = annotate(alice, sample, "Placeholder worry about wiretaps in this paragraph.")
    in_wording = annotate(
        mallory,
        sample,
        "Placeholder comment.",
        position="amend",
        proposed_text="Placeholder wiretaps wording.",
    )
    annotate(alice, sample, "Placeholder pending note on wiretaps.", status="pending")
    annotate(alice, sample, "Placeholder rejected note on wiretaps.", status="rejected")
    annotate(alice, sample, "Placeholder comment about something else.")

    with django_assert_max_num_queries(12):
        html = anon.get(SEARCH, {"q": "wiretaps"}).content.decode()

    assert "and 2 in published comments" in html
    for annotation in (in_body, in_wording):
        assert f"show={annotation.pk}#annotation-{annotation.pk}" in html
    assert "<mark>wiretaps</mark>" in html
    assert "pending note" not in html and "rejected note" not in html
    assert 'Comment on <span class="label">Article 2(1)</span> – Sample interception' in html


def test_the_api_filters_by_words(alice: User, sample: DraftVersion, api_client: APIClient) -> None:
    wanted = annotate(alice, sample, "Placeholder worry about wiretaps.")
    in_wording = annotate(
        alice, sample, "Placeholder.", position="amend", proposed_text="Placeholder wiretaps text."
    )
    annotate(alice, sample, "Placeholder pending wiretaps.", status="pending")
    annotate(alice, sample, "Placeholder comment about something else.")

    response = api_client.get("/api/v1/annotations/", {"q": "wiretaps"})

    assert response.status_code == 200
    assert sorted(item["id"] for item in response.json()["results"]) == sorted([wanted.pk, in_wording.pk])


def test_the_authors_own_pending_item_is_found_by_the_author_in_the_api(
    alice: User, sample: DraftVersion, api_client_as
) -> None:
    pending = annotate(alice, sample, "Placeholder pending wiretaps.", status="pending")

    response = api_client_as(alice).get("/api/v1/annotations/", {"q": "wiretaps"})

    assert [item["id"] for item in response.json()["results"]] == [pending.pk]


def test_searches_have_their_own_throttle(
    monkeypatch: pytest.MonkeyPatch, anon: Client, api_client: APIClient, sample: DraftVersion
) -> None:
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "search": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    assert anon.get(SEARCH, {"q": "interception"}).status_code == 200
    assert api_client.get("/api/v1/annotations/", {"q": "interception"}).status_code == 200
    page = anon.get(SEARCH, {"q": "interception"})
    api = api_client.get("/api/v1/annotations/", {"q": "interception"})
    # Lists without words are not searches: not counted, not refused.
    assert api_client.get("/api/v1/annotations/").status_code == 200
    assert anon.get(SEARCH).status_code == 200

    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "Too many searches in a short time" in page.content.decode()
    assert "<mark>" not in page.content.decode()
    assert api.status_code == 429
    assert "throttled" in api.json()["detail"].lower()


def test_a_nul_in_the_words_is_a_clear_400_not_an_error(
    anon: Client, api_client: APIClient, sample: DraftVersion
) -> None:
    # Refused before any view (config.request_guards, issue 18): never a 500 on PostgreSQL.
    assert anon.get(SEARCH, {"q": "inter\x00ception"}).status_code == 400
    response = api_client.get("/api/v1/annotations/", {"q": "wire\x00taps"})
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


@pytest.mark.parametrize("name", ["organization", "version", "tag"])
def test_a_nul_in_another_filter_is_a_400(api_client: APIClient, sample: DraftVersion, name: str) -> None:
    response = api_client.get("/api/v1/annotations/", {name: "x\x00y"})

    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains a NUL character, which is not allowed."}

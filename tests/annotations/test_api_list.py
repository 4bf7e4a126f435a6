import pytest

from annotations.models import Annotation
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db


def _bulk(version, author, count: int) -> None:
    for i in range(count):
        annotation_create(
            author=author,
            version=version,
            provision_key="art-2.1" if i % 2 else "art-3",
            tags=["privacy"] if i % 3 else ["gender", "privacy"],
            severity=1 + i % 3,
            position="concern",
            body=f"Comment {i}",
        )


def test_filters(version, alice, mallory, api_client) -> None:
    _bulk(version, alice, 6)
    _bulk(version, mallory, 2)
    assert len(api_client.get("/api/v1/annotations/?article=3").json()["results"]) == 4
    assert len(api_client.get("/api/v1/annotations/?provision=art-2.1").json()["results"]) == 4
    assert len(api_client.get("/api/v1/annotations/?tag=gender").json()["results"]) == 3
    assert len(api_client.get("/api/v1/annotations/?organization=mallory-monitoring").json()["results"]) == 2
    assert len(api_client.get("/api/v1/annotations/?treaty=sample&version=S/1").json()["results"]) == 8
    assert api_client.get("/api/v1/annotations/?treaty=other").json()["results"] == []
    bad = api_client.get("/api/v1/annotations/?updated_after=yesterday")
    assert bad.status_code == 400 and "ISO 8601" in str(bad.json())
    bad_status = api_client.get("/api/v1/annotations/?status=lost")
    assert bad_status.status_code == 400


def test_cursor_pages_never_skip_or_repeat_when_rows_are_written_between_pages(
    version, alice, api_client
) -> None:
    _bulk(version, alice, 25)
    seen: list[int] = []
    url = "/api/v1/annotations/?page_size=10"
    first = api_client.get(url).json()
    seen += [a["id"] for a in first["results"]]
    _bulk(version, alice, 5)  # new rows arrive between pages
    Annotation.objects.filter(pk=seen[-1]).update(body="edited meanwhile")
    next_url = first["next"]
    while next_url:
        page = api_client.get(next_url).json()
        seen += [a["id"] for a in page["results"]]
        next_url = page["next"]
    assert len(seen) == len(set(seen)) == 25


def test_list_query_count_is_constant(
    version, alice, mallory, api_client, django_assert_max_num_queries
) -> None:
    _bulk(version, alice, 3)
    with django_assert_max_num_queries(6) as small:
        api_client.get("/api/v1/annotations/?page_size=100")
    _bulk(version, mallory, 120)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api_client.get("/api/v1/annotations/?page_size=100")
    assert len(response.json()["results"]) == 100

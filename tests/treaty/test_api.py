import pytest
from django.test import Client

from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample() -> None:
    import_small_treaty()


def test_treaty_list(client: Client, sample: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/treaties/")
    assert response.status_code == 200
    assert response.json() == [
        {"slug": "sample", "title": "Sample Convention", "short_title": "", "current_version": "S/1"}
    ]


def test_treaty_detail_has_versions_and_contents(
    client: Client, sample: None, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/treaties/sample/")
    body = response.json()
    assert body["slug"] == "sample"
    assert [v["label"] for v in body["versions"]] == ["S/1"]
    chapters = body["contents"]
    assert [c["key"] for c in chapters] == ["ch-1", "ch-2"]
    assert chapters[1]["title"] == "Substance"
    assert chapters[1]["articles"] == [
        {"number": "2", "title": "Sample interception", "key": "art-2"},
        {"number": "3", "title": "Final sample", "key": "art-3"},
    ]


def test_article_detail_contract(client: Client, sample: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/treaties/sample/articles/2/")
    body = response.json()
    assert {"number", "title", "key", "provisions"} <= body.keys()
    assert body["number"] == "2" and body["key"] == "art-2" and body["title"] == "Sample interception"
    by_key = {p["key"]: p for p in body["provisions"]}
    assert by_key["art-2.2.b.ii"] == {
        "key": "art-2.2.b.ii",
        "kind": "item",
        "label": "Article 2(2)(b)(ii)",
        "marker": "(ii)",
        "heading": "",
        "text": "item two,",
        "parent": "art-2.2.b",
    }
    assert by_key["art-2"]["parent"] is None
    assert by_key["art-2.2.b~1"]["kind"] == "text"


def test_article_detail_by_version_and_language(client: Client) -> None:
    import_small_treaty(label="S/1", language="en")
    import_small_treaty(label="S/1", language="ar")
    assert (
        client.get("/api/v1/treaties/sample/articles/2/?version=S/1&language=ar").json()["language"] == "ar"
    )
    assert client.get("/api/v1/treaties/sample/articles/2/").json()["language"] == "en"
    missing = client.get("/api/v1/treaties/sample/articles/2/?version=S/9")
    assert missing.status_code == 404
    assert "S/9" in missing.json()["detail"]


def test_unknown_article_is_404_with_detail(client: Client, sample: None) -> None:
    response = client.get("/api/v1/treaties/sample/articles/42/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No article 42 in this version."}


def test_read_api_refuses_writes(client: Client, sample: None) -> None:
    assert client.post("/api/v1/treaties/", {}).status_code in (403, 405)


def test_openapi_schema_and_docs_are_served_locally(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/treaties/{slug}/articles/{number}/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.text
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
    assert '<html lang="en">' in html
    # No ReDoc page: drf-spectacular's loaded Google Fonts, and ReDoc a logo from its makers' CDN.
    assert client.get("/api/redoc/").status_code == 404

import pytest
from django.test import Client

from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample() -> None:
    import_small_treaty()


def test_home_lists_treaties(client: Client, sample: None, django_assert_max_num_queries) -> None:
    # Treaties, their current drafts, the drafts open for comment, their numbers, the most
    # discussed articles: the same few queries whatever the number of treaties or annotations.
    with django_assert_max_num_queries(5):
        response = client.get("/")
    assert response.status_code == 200
    assert 'href="/treaties/sample/"' in response.text
    assert "Sample Convention" in response.text


def test_treaty_page_has_contents_and_preamble(
    client: Client, sample: None, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        response = client.get("/treaties/sample/")
    assert response.status_code == 200
    html = response.text
    assert 'href="/treaties/sample/articles/2/"' in html
    assert "Sample interception" in html
    assert 'id="pre.1"' in html and "Sample recital one;" in html
    assert 'id="final"' in html
    assert "Chapter II" in html


def test_article_page_renders_every_provision_with_its_key_as_id(client: Client, sample: None) -> None:
    response = client.get("/treaties/sample/articles/2/")
    assert response.status_code == 200
    html = response.text
    for key in (
        "art-2",
        "art-2.1",
        "art-2.2",
        "art-2.2.a",
        "art-2.2.b",
        "art-2.2.b.i",
        "art-2.2.b.ii",
        "art-2.2.b~1",
    ):
        assert f'id="{key}"' in html
    assert 'href="#art-2.2.b.ii"' in html  # permalink
    assert 'rel="prev" href="/treaties/sample/articles/1/"' in html
    assert 'rel="next" href="/treaties/sample/articles/3/"' in html
    assert "Chapter II – Substance" in html  # breadcrumb
    assert 'lang="en" dir="ltr"' in html


def test_article_page_query_count_is_constant(
    client: Client, sample: None, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        assert client.get("/treaties/sample/articles/3/").status_code == 200


def test_unknown_article_and_treaty_are_404(client: Client, sample: None) -> None:
    assert client.get("/treaties/sample/articles/99/").status_code == 404
    assert client.get("/treaties/nope/").status_code == 404
    assert client.get("/treaties/sample/?version=nope").status_code == 404


def test_arabic_version_renders_right_to_left(client: Client) -> None:
    import_small_treaty(label="S/1", language="ar")
    response = client.get("/treaties/sample/articles/2/")
    # The chrome follows the interface language (English here), the text its own (issue 16).
    assert '<html lang="en" dir="ltr">' in response.text
    assert 'aria-labelledby="article-title" lang="ar" dir="rtl"' in response.text


def test_sibling_versions_are_listed_and_selectable(client: Client) -> None:
    import_small_treaty(label="S/1", language="en")
    import_small_treaty(label="S/1", language="ar")
    response = client.get("/treaties/sample/articles/2/?version=S/1&lang=ar")
    assert 'aria-labelledby="article-title" lang="ar" dir="rtl"' in response.text
    # Navigation keeps the reader in the version they chose.
    assert 'href="/treaties/sample/articles/3/?version=S%2F1&amp;lang=ar"' in response.text


def test_pages_send_a_strict_content_security_policy(client: Client, sample: None) -> None:
    response = client.get("/treaties/sample/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "http" not in policy  # nothing from another origin

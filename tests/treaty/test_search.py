import pytest
from django.test import Client

from tests.factories import import_small_treaty
from treaty.models import DraftVersion
from treaty.selectors import provision_search

pytestmark = pytest.mark.django_db


def test_search_finds_words_and_links_to_the_paragraph(client: Client) -> None:
    import_small_treaty()
    response = client.get("/treaties/sample/search/", {"q": "interception"})
    assert response.status_code == 200
    assert 'href="/treaties/sample/articles/2/#art-2.1"' in response.text
    assert "<mark>" in response.text


def test_search_ranks_and_highlights(django_assert_max_num_queries) -> None:
    version = import_small_treaty().version
    with django_assert_max_num_queries(2):
        hits = provision_search(version, "interception")
    keys = [hit.provision.key for hit in hits]
    assert set(keys) == {"art-2", "art-2.1"}
    assert all("<mark>" in hit.snippet_html for hit in hits)


def test_search_escapes_text_and_query(client: Client) -> None:
    version = import_small_treaty().version
    version.provisions.filter(key="art-2.1").update(text="<script>alert(1)</script> interception")
    response = client.get("/treaties/sample/search/", {"q": "<script> interception"})
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def test_empty_and_absent_queries_find_nothing() -> None:
    version: DraftVersion = import_small_treaty().version
    assert provision_search(version, "   ") == []
    assert provision_search(version, "zzzzunfindable") == []

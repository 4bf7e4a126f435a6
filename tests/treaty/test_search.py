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


def test_plain_snippets_are_cut_between_words() -> None:
    from treaty.selectors import plain_snippet

    words = [f"word{n:03d}" for n in range(200)]
    text = " ".join(words)
    for target in ("word000", "word050", "word150", "word199"):
        snippet = plain_snippet(text, [target]).replace("<mark>", "").replace("</mark>", "")
        inner = snippet.removeprefix("… ").removesuffix(" …")
        assert all(token in words for token in inner.split()), (target, snippet)
        assert target in inner
        assert snippet.startswith("… ") == (not inner.startswith("word000"))
        assert snippet.endswith(" …") == (not inner.endswith("word199"))


def test_a_result_names_its_article_and_opens_its_paragraph(client: Client) -> None:
    import_small_treaty()

    html = client.get("/treaties/sample/search/", {"q": "first sample paragraph"}).text

    assert (
        '<a href="/treaties/sample/articles/2/#art-2.1"><span class="label">Article 2(1)</span>'
        " – Sample interception</a>"
    ) in html


def test_a_recital_opens_on_the_preamble_page(client: Client) -> None:
    import_small_treaty()

    html = client.get("/treaties/sample/search/", {"q": "recital"}).text

    assert 'href="/treaties/sample/parts/pre/#pre.1"' in html


def test_provision_search_is_indexed_on_this_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'treaty_provision'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"treaty_provision_search_en", "treaty_provision_search_simple"} <= names
        else:
            # The FTS5 index and the triggers that keep it (a table rebuild would drop them).
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'treaty_provision_fts%'")
            names = {row[0] for row in cursor.fetchall()}
            assert {
                "treaty_provision_fts",
                "treaty_provision_fts_insert",
                "treaty_provision_fts_delete",
                "treaty_provision_fts_update",
            } <= names


def test_the_index_follows_changes_to_the_text() -> None:
    version = import_small_treaty().version
    version.provisions.filter(key="art-2.1").update(text="Placeholder about wiretapping now.")

    assert [hit.provision.key for hit in provision_search(version, "wiretap")] == ["art-2.1"]
    assert "art-2.1" not in [hit.provision.key for hit in provision_search(version, "first sample paragraph")]
    version.provisions.filter(key="art-2.1").delete()
    assert provision_search(version, "wiretap") == []

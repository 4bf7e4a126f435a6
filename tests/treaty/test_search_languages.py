"""Search in each language (issue 16 §3): PostgreSQL stems Arabic, English, French, Russian and
Spanish with their own configuration; Chinese, written without spaces, is matched by substring on
both databases; SQLite otherwise keeps its plain FTS5 search. Comments likewise, by the language of
each comment."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.comment_search import annotations_with_words
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.factories import import_small_treaty
from treaty.models import DraftVersion
from treaty.search_configs import search_config_for
from treaty.selectors import provision_search

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"
FICTIVE = ["art-1.1", "art-1.2", "art-2", "art-3.1", "art-3.2", "final"]


def _import(language: str) -> DraftVersion:
    call_command("import_treaty", str(FIXTURES / f"{language}.txt"), "--slug", "sample", "--version", "L.1")
    return DraftVersion.objects.get(language=language)


def test_each_language_has_its_configuration() -> None:
    assert [search_config_for(tag) for tag in ("ar", "en-GB", "es-419", "fr", "ru", "zh-Hans", "de")] == [
        "arabic", "english", "spanish", "french", "russian", "simple", "simple",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("language", "query", "postgresql_keys", "sqlite_keys"),
    [
        # Stemmed on PostgreSQL: the plural finds the singular.
        ("fr", "phrases fictives", FICTIVE, []),
        ("es", "oraciones ficticias", ["art-1.1", "art-1.2", "art-3.1", "art-3.2", "final"], []),
        ("ru", "условными предложениями", ["art-1.1", "art-1.2", "art-3.1", "art-3.2", "final"], []),
        # Exact words are found on both.
        ("fr", "fictive", FICTIVE, FICTIVE),
    ],
)  # fmt: skip
def test_stemmed_languages(
    language: str, query: str, postgresql_keys: list[str], sqlite_keys: list[str]
) -> None:
    version = _import(language)
    found = sorted(hit.provision.key for hit in provision_search(version, query))
    assert found == (postgresql_keys if connection.vendor == "postgresql" else sqlite_keys)


def test_chinese_is_found_inside_a_sentence_on_both_databases() -> None:
    version = _import("zh")
    hits = provision_search(version, "句子二")
    assert [hit.provision.key for hit in hits] == ["art-1.2", "art-3.2"]
    assert "\x02" not in hits[0].snippet_html and "<mark>句子二</mark>" in hits[0].snippet_html
    assert [hit.provision.key for hit in provision_search(version, "示例目 二")] == ["art-2.b.ii"]
    assert provision_search(version, "不存在") == []


def test_the_stemmed_indexes_exist_on_postgresql() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'treaty_provision'")
            names = {row[0] for row in cursor.fetchall()}
            assert {
                f"treaty_provision_search_{c}" for c in ("arabic", "french", "russian", "spanish")
            } <= names
        else:  # SQLite has one FTS5 index for every language (migration 0005)
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'treaty_provision_fts'")
            assert cursor.fetchone() is not None


def _comment(author, version: DraftVersion, body: str, language: str) -> Annotation:  # type: ignore[no-untyped-def]
    return annotation_create(
        author=author, version=version, provision_key="art-2.1", tags=["privacy"], severity=2,
        position="concern", body=body, comment_language=language,
    )  # fmt: skip


def test_comments_are_searched_in_their_own_language(alice) -> None:  # type: ignore[no-untyped-def]
    version = import_small_treaty().version
    french = _comment(alice, version, "Les protections proposées sont insuffisantes.", "fr")
    chinese = _comment(alice, version, "这一条缺少司法监督。", "zh-Hans")
    published = Annotation.objects.all()
    # Chinese by substring on both databases.
    assert list(annotations_with_words(published, "司法监督")) == [chinese]
    # French stemming on PostgreSQL ("protection" finds "protections"); SQLite matches substrings.
    assert list(annotations_with_words(published, "protection")) == [french]
    found = list(annotations_with_words(published, "insuffisant"))
    assert found == [french]

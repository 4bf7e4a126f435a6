import pytest

from tests.factories import small_document
from treaty.models import DraftVersion, Provision, Treaty
from treaty.services import ImportRefused, version_import

pytestmark = pytest.mark.django_db


def _import(document=None, **kwargs):  # type: ignore[no-untyped-def]
    return version_import(
        treaty_slug="sample",
        label="S/1",
        document=document or small_document(),
        source_format="test",
        **kwargs,
    )


def test_import_stores_the_tree_with_parents_and_articles(django_assert_max_num_queries) -> None:
    # 13: one of them reads the keys of the sibling languages (issue 16: siblings keep the same keys).
    with django_assert_max_num_queries(13):
        result = _import()
    assert result.created and result.provision_count == 15 and result.article_count == 3
    version = result.version
    assert version.is_current
    item = Provision.objects.get(version=version, key="art-2.2.b.ii")
    assert item.parent.key == "art-2.2.b"
    assert item.article.key == "art-2"
    assert item.depth == 3
    assert Provision.objects.get(version=version, key="pre.1").article.key == "pre"
    assert Provision.objects.get(version=version, key="ch-2").article is None
    orders = list(version.provisions.values_list("order", flat=True))
    assert orders == sorted(orders)


def test_reimporting_the_same_text_changes_nothing() -> None:
    first = _import()
    ids = list(first.version.provisions.values_list("id", flat=True))
    second = _import()
    assert second.unchanged
    assert list(second.version.provisions.values_list("id", flat=True)) == ids


def test_different_text_under_an_existing_label_is_refused_without_replace() -> None:
    _import()
    changed = small_document()
    changed.nodes[1].children[0].text = "Changed placeholder."
    with pytest.raises(ImportRefused, match="already holds a different text; pass --replace"):
        _import(changed)
    assert Provision.objects.get(key="art-1").text == "Placeholder purpose text."


def test_replace_swaps_the_text() -> None:
    _import()
    changed = small_document()
    changed.nodes[1].children[0].text = "Changed placeholder."
    result = _import(changed, replace=True)
    assert result.replaced
    assert Provision.objects.get(key="art-1").text == "Changed placeholder."
    assert DraftVersion.objects.count() == 1


def test_a_second_language_is_a_sibling_version_and_current_in_its_language() -> None:
    _import()
    arabic = version_import(
        treaty_slug="sample", label="S/1", document=small_document("ar"), source_format="test"
    )
    assert arabic.created and arabic.version.is_current
    assert Treaty.objects.get().versions.count() == 2
    # Same keys in both languages: annotations on either count for the same paragraph.
    keys = {
        lang: set(Provision.objects.filter(version__language=lang).values_list("key", flat=True))
        for lang in ("en", "ar")
    }
    assert keys["en"] == keys["ar"]


def test_import_enqueues_statistics_after_commit(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = _import()
    # The statistics task once; the rest replace the treaty's public page-cache token.
    assert sum("version_statistics_refresh_task" in repr(callback) for callback in callbacks) == 1
    result.version.refresh_from_db()
    assert result.version.article_count == 3
    assert result.version.provision_count == 15

"""An annotation written on one language version of a draft shows on every language version of the
same provision, with a language badge and its quote in its own language (issue 16 §3)."""

import pytest

from annotations.heat.aggregation import article_heat_refresh
from annotations.models import Heat
from tests.annotations.test_article_page import annotate, annotation_block
from tests.factories import import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

ENGLISH = "/treaties/sample/articles/2/?version=S/1&lang=en"


@pytest.fixture
def arabic(version: DraftVersion) -> DraftVersion:
    return import_small_treaty(language="ar").version


def test_an_arabic_annotation_on_the_english_page(version, arabic, alice, mallory, anon) -> None:  # type: ignore[no-untyped-def]
    on_arabic = annotate(arabic, alice, quote="interception", body="Written on the Arabic text.")
    on_english = annotate(version, mallory, key="art-2.1", body="Written on the English text.")
    html = anon.get(ENGLISH).text

    block = annotation_block(html, on_arabic.pk)
    assert 'class="language-badge" lang="ar"' in block and "العربية" in block
    # The quote in the language it was taken from; no highlight offsets into the English text.
    assert '<blockquote class="annotation-quote" lang="ar" dir="rtl">' in block
    assert "data-start" not in block
    english_block = annotation_block(html, on_english.pk)
    assert 'class="language-badge" lang="en"' in english_block
    # Both in the group of the English page's paragraph 1, which counts both in its margin.
    group = html[html.index('id="annotations-for-art-2.1"') :]
    assert group.index(f'id="annotation-{on_arabic.pk}"') > 0
    assert group.index(f'id="annotation-{on_english.pk}"') > 0
    english_article = version.provisions.get(key="art-2")
    article_heat_refresh(version_id=version.pk, article_id=english_article.pk)
    cell = Heat.objects.get(
        version=version, provision__key="art-2.1", tag__isnull=True, segment="", article=english_article
    )
    assert cell.annotations == 2


def test_the_arabic_page_shows_the_english_annotation(version, arabic, alice, anon) -> None:  # type: ignore[no-untyped-def]
    on_english = annotate(version, alice, quote="interception")
    html = anon.get("/treaties/sample/articles/2/?version=S/1&lang=ar").text
    block = annotation_block(html, on_english.pk)
    assert 'lang="en"' in block and "English" in block


def test_a_heat_cell_lists_the_annotations_of_every_language(version, arabic, alice, mallory, anon) -> None:  # type: ignore[no-untyped-def]
    on_arabic = annotate(arabic, alice, key="pre.1", body="On the Arabic preamble.")
    on_english = annotate(version, mallory, key="pre.1", body="On the English preamble.")
    html = anon.get("/treaties/sample/heatmap/annotations/?unit=pre&version=S/1&lang=en").text
    assert f'id="annotation-{on_arabic.pk}' in html and f'id="annotation-{on_english.pk}' in html
    assert '<span class="language-badge" lang="ar">العربية</span>' in html

"""The parallel reading view: `?with=LANG` shows two language versions of one unit side by side,
aligned by provision key, each with its own lang and dir (issue 16 §2)."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import import_small_treaty

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"


def _rows(html: str) -> list[str]:
    section = html[html.index('<div class="parallel"') : html.index("</article>")]
    return re.findall(r'<div class="parallel-row">(.*?)\n  </div>\n', section, re.S)


def test_english_beside_arabic(anon) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    import_small_treaty(language="ar")
    response = anon.get("/treaties/sample/articles/2/?version=S/1&lang=en&with=ar")
    assert response.status_code == 200
    html = response.text
    assert 'aria-label="English and العربية side by side"' in html
    rows = _rows(html)
    # One row per provision key with text: 2(1), 2(2), 2(2)(a), 2(2)(b), its items and closing line.
    assert len(rows) == 7
    first = rows[0]
    assert '<div class="parallel-cell" lang="en" dir="ltr">' in first
    assert '<div class="parallel-cell parallel-other" lang="ar" dir="rtl">' in first
    assert 'id="art-2.1"' in first  # the page's own provision keeps its anchor and annotation hooks
    # The links to the other languages, and back to one.
    assert '<strong aria-current="true" lang="ar">العربية</strong>' in html
    assert 'href="?version=S/1&amp;lang=en">one language only</a>' in html


def test_the_links_offer_the_other_languages(anon) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    import_small_treaty(language="ar")
    html = anon.get("/treaties/sample/articles/2/?version=S/1&lang=ar").text
    assert 'href="?version=S/1&amp;lang=ar&amp;with=en" hreflang="en" lang="en">English</a>' in html
    assert '<div class="parallel"' not in html


def test_an_unknown_language_is_a_clear_404(anon) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    import_small_treaty(language="ar")
    response = anon.get("/treaties/sample/articles/2/?version=S/1&lang=en&with=xx")
    assert response.status_code == 404
    assert "Draft S/1 has no text in &#x27;xx&#x27; to read beside this one (it has: ar)." in response.text


def test_the_own_language_shows_the_plain_page(anon) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    html = anon.get("/treaties/sample/articles/2/?with=en").text
    assert '<div class="parallel"' not in html


def test_keys_only_one_text_has_are_shown_as_missing(anon, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    call_command("import_treaty", str(FIXTURES / "en.txt"), "--slug", "sample", "--version", "L.1")
    russian = (
        (FIXTURES / "ru.txt")
        .read_text(encoding="utf-8")
        .replace(
            "2. Условное предложение два.\n", "2. Условное предложение два.\n\n3. Условное предложение три.\n"
        )
    )
    path = tmp_path / "ru.txt"
    path.write_text(russian, encoding="utf-8")
    call_command("import_treaty", str(path), "--slug", "sample", "--version", "L.1", "--allow-key-mismatch")
    rows = _rows(anon.get("/treaties/sample/articles/3/?version=L.1&lang=en&with=ru").text)
    assert len(rows) == 3
    assert "Not in this text (art-3.3)." in rows[2] and "Условное предложение три." in rows[2]
    assert 'lang="ru" dir="ltr"' in rows[2]


def test_the_contents_page_shows_a_recorded_key_mismatch(anon, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    call_command("import_treaty", str(FIXTURES / "en.txt"), "--slug", "sample", "--version", "L.1")
    french = (FIXTURES / "fr.txt").read_text(encoding="utf-8").replace("2. Phrase fictive deux.\n", "")
    path = tmp_path / "fr.txt"
    path.write_text(french, encoding="utf-8")
    call_command("import_treaty", str(path), "--slug", "sample", "--version", "L.1", "--allow-key-mismatch")
    html = anon.get("/treaties/sample/?version=L.1&lang=fr").text
    assert "do not all match the en text of the same draft" in html
    assert "Not in this text: art-3.2" in html
    assert "do not all match" not in anon.get("/treaties/sample/?version=L.1&lang=en").text

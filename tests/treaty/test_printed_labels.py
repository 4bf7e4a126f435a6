"""Every provision of every bundled text is cited as printed: its number (or, for an article or
a heading, its label) appears on the page where it is read.

"Bundled" means treaty/data and every text under /work/shared/data that the importer takes today;
a text it refuses (TreatyFormatError) is not imported, so it has no page to check yet.
"""

import hashlib
import io
from pathlib import Path

import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import REPO_ROOT, SHARED_DATA
from treaty import links
from treaty.importers.detect import parse
from treaty.importers.tree import TreatyFormatError
from treaty.models import DraftVersion, Provision

pytestmark = pytest.mark.django_db

Kind = Provision.Kind
HEADING_KINDS = (Kind.CHAPTER, Kind.SECTION, Kind.TITLE)


def _bundled_texts() -> list[Path]:
    candidates = sorted((REPO_ROOT / "treaty" / "data").glob("*.md")) + sorted(SHARED_DATA.rglob("*.md"))
    texts, seen = [], set()
    for path in candidates:
        if path.name == "SOURCES.md":
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            continue  # the same file in both places
        try:
            parse(path.read_text(encoding="utf-8"))
        except TreatyFormatError:
            continue
        seen.add(digest)
        texts.append(path)
    return texts


BUNDLED = _bundled_texts()


def test_the_bundled_texts_include_the_budapest_convention_and_the_arabic_text() -> None:
    names = {path.name for path in BUNDLED}
    assert {"budapest_convention_ets185.md", "un_cybercrime_convention_ar_arts1-15_partial.md"} <= names


def _text_of(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize("path", BUNDLED, ids=[path.name for path in BUNDLED])
def test_every_printed_label_appears_on_its_page(anon: Client, path: Path) -> None:
    call_command("import_treaty", str(path), "--slug", "text", "--version", "V1", stdout=io.StringIO())
    version = DraftVersion.objects.get()
    provisions = list(version.provisions.order_by("order"))
    units = {p.pk: p for p in provisions if p.article_id == p.pk}
    pages: dict[str, lxml.html.HtmlElement] = {}

    def page(url: str) -> lxml.html.HtmlElement:
        if url not in pages:
            response = anon.get(url)
            assert response.status_code == 200, url
            pages[url] = lxml.html.fromstring(response.content.decode())
        return pages[url]

    contents = page("/treaties/text/")
    missing = []
    for p in provisions:
        if p.kind in HEADING_KINDS:
            # Chapters, sections and titles are headings in the contents.
            if p.label not in _text_of(contents.get_element_by_id("toc-title").getparent()):
                missing.append(f"{p.key}: {p.label!r} not in the contents")
            continue
        unit = units[p.article_id]
        tree = page(links.unit_path("text", unit))
        if p.pk == unit.pk:
            title = _text_of(tree.get_element_by_id("article-title"))
            if p.label not in title:
                missing.append(f"{p.key}: {p.label!r} not in the page title {title!r}")
            continue
        if not p.marker:
            continue  # an unnumbered block: nothing printed to cite
        try:
            element = tree.get_element_by_id(p.key)
        except KeyError:
            missing.append(f"{p.key}: not on {links.unit_path('text', unit)}")
            continue
        markers = [_text_of(m) for m in element.find_class("marker") if m.getparent().getparent() is element]
        if p.marker not in markers:
            missing.append(f"{p.key}: {p.marker!r} not shown (shown: {markers})")
    assert not missing, "\n".join(missing)


def test_a_paragraph_without_text_of_its_own_keeps_its_number(anon: Client, budapest_text: str) -> None:
    call_command(
        "import_treaty",
        "treaty/data/budapest_convention_ets185.md",
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        stdout=io.StringIO(),
    )

    for number, paragraph in [("14", "3"), ("24", "1"), ("24", "7"), ("27", "2"), ("27", "9"), ("35", "2")]:
        tree = lxml.html.fromstring(anon.get(f"/treaties/budapest-convention/articles/{number}/").content)
        element = tree.get_element_by_id(f"art-{number}.{paragraph}")
        assert _text_of(element).startswith(f"{paragraph}. "), (number, _text_of(element)[:40])

"""Printable briefings: per treaty and per article (HTML with a print stylesheet)."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from annotations.exports.feedback import WHAT_COUNTS
from annotations.heat.aggregation import heat_rebuild
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create, endorsement_create
from tests.conftest import ARABIC_PARTIAL, BUDAPEST_MD
from treaty.models import DraftVersion, Provision

pytestmark = pytest.mark.django_db

TREATY_BRIEFING = "/treaties/sample/briefing/"
ARTICLE_BRIEFING = "/treaties/sample/articles/2/briefing/"


class _Tables(HTMLParser):
    """Every table of a page as {caption: [[cell text, …], …]} (header and body rows alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._name] = self._rows

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row(table: list[list[str]], first_cell: str) -> list[str]:
    return next(r for r in table if r and r[0] == first_cell)


@pytest.fixture
def commented(version, alice, mallory, mod):
    """Two published, featured annotations on article 2 (one anonymous), one spam, heat counted."""
    named = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        quote=QuoteInput(exact="interception"),
        tags=["privacy"],
        severity=3,
        position="amend",
        body="Needs **judicial** authorisation. <script>alert(1)</script>",
        proposed_text="with prior judicial authorisation",
    )
    moderate(item=named, moderator=mod, action="feature")
    anonymous = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-2.2.a",
        tags=["privacy", "gender"],
        severity=2,
        position="amend",
        body="Too broad.",
        proposed_text="narrower words",
        attribution="anonymous",
    )
    moderate(item=anonymous, moderator=mod, action="feature")
    endorsement_create(annotation=named, user=mallory)
    spam = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-3",
        tags=["gender"],
        severity=1,
        position="concern",
        body="Buy cheap watches",
    )
    moderate(item=spam, moderator=mod, action="spam")
    heat_rebuild(versions=[version])
    return named, anonymous, spam


def test_treaty_briefing_prints_provenance_heat_concerns_and_comments(commented, anon) -> None:
    named, anonymous, _spam = commented
    response = anon.get(TREATY_BRIEFING)
    assert response.status_code == 200
    html = response.content.decode()

    # Provenance: title, version, when, and what counts.
    assert "Sample Convention" in html and "S/1 (en)" in html
    assert "Generated at" in html and "Counts computed at" in html
    assert escape(WHAT_COUNTS) in html
    assert "Print / save as PDF" in html

    tables = tables_of(html)
    heat = tables["Published annotations on the whole text, by concern tag"]
    assert heat[0] == ["Concern tag", "Annotations", "Organisations", "Endorsements", "Score"]
    assert row(heat, "Privacy")[1:] == ["2", "2", "1", "5"]
    assert row(heat, "Gender")[1:] == ["1", "1", "0", "2"]  # the spam one does not count
    assert row(heat, "All tags")[1:] == ["2", "2", "1", "5"]
    articles = next(t for name, t in tables.items() if name.startswith("Published annotations per article"))
    assert row(articles, "Article 2 – Sample interception")[1:5] == ["2", "2", "1", "5"]
    assert "Positions taken: amend 2." in html

    # Top concerns, ranked by organisations: privacy (2) before gender (1).
    concerns = html.split('id="top-title"')[1].split("</ol>")[0]
    assert concerns.index("Privacy") < concerns.index("Gender")
    assert "raised most on Article 2 (2 organisations)" in concerns

    # Featured comments and proposed wordings, each with its provision label and permalink.
    assert "Digital Rights Watch" in html
    assert "Needs <strong>judicial</strong> authorisation." in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Too broad." in html and "No organisation named" in html
    assert "Article 2(1)" in html and "Article 2(2)(a)" in html
    # Amendments as redlines against the words they replace (tests/annotations/test_amend_redline.py).
    assert "[added: </span>with prior judicial authorisation" in html and "[added: </span>narrower" in html
    assert f"/annotations/{named.pk}/" in html
    assert f"/annotations/{anonymous.pk}/" in html
    assert "Buy cheap watches" not in html

    assert "/static/css/print.css" in html
    assert "/api/v1/treaties/sample/feedback/?format=csv" in html


def test_briefings_never_name_the_organisation_of_an_anonymous_annotation(commented, anon) -> None:
    for url in (TREATY_BRIEFING, ARTICLE_BRIEFING):
        html = anon.get(url).content.decode()
        assert "Too broad." in html  # the anonymous comment is there …
        assert "Mallory" not in html  # … without its organisation or its author


def test_article_briefing_prints_the_article_text_verbatim_beside_its_feedback(commented, anon) -> None:
    named, anonymous, _spam = commented
    html = anon.get(ARTICLE_BRIEFING).content.decode()
    article = Provision.objects.get(version__treaty__slug="sample", key="art-2")
    texts = [p.text for p in Provision.objects.filter(article=article).order_by("order") if p.text]
    assert len(texts) >= 6
    printed = html.split('class="briefing-text"')[1].split("</section>")[0]
    positions = [printed.index(escape(text)) for text in texts]
    assert positions == sorted(positions)  # in reading order
    assert 'id="art-2.2.b.ii"' in printed and '<span class="marker">(ii)</span>' in printed

    tables = tables_of(html)
    heat = tables["Published annotations on Article 2, by concern tag"]
    assert row(heat, "Privacy")[1:] == ["2", "2", "1", "5"]
    assert row(heat, "Gender")[1:] == ["1", "1", "0", "2"]
    per_provision = tables["Published annotations per provision of Article 2"]
    assert row(per_provision, "Article 2(1)")[1:] == ["1", "1", "1", "3", "Privacy"]
    assert row(per_provision, "Article 2(2)(a)")[1:5] == ["1", "1", "0", "2"]

    featured = html.split('id="featured-title"')[1].split("</section>")[0]
    assert "Needs <strong>judicial</strong> authorisation." in featured and "“interception”" in featured
    wordings = html.split('id="wordings-title"')[1].split("</section>")[0]
    assert "[removed: </span>interception" in wordings
    assert "[added: </span>with prior judicial authorisation" in wordings
    assert "[added: </span>narrower" in wordings
    assert f"/annotations/{named.pk}/" in wordings and f"/annotations/{anonymous.pk}/" in wordings
    assert "/static/css/print.css" in html
    assert "/api/v1/treaties/sample/annotations/export/?format=csv&amp;article=2" in html


def test_article_briefing_of_an_article_without_comments(commented, anon) -> None:
    html = anon.get("/treaties/sample/articles/1/briefing/").content.decode()
    assert "Placeholder purpose text." in html
    assert row(tables_of(html)["Published annotations on Article 1, by concern tag"], "All tags")[1:] == [
        "0",
        "0",
        "0",
        "0",
    ]
    assert "No published annotations yet." in html
    assert "No featured comments on Article 1 yet." in html


def test_briefing_of_a_treaty_without_annotations(version, anon) -> None:
    html = anon.get(TREATY_BRIEFING).content.decode()
    assert "No published annotations yet." in html
    assert "No featured comments or proposed wordings yet." in html
    assert "not yet: nothing has been counted" in html


def test_budapest_article_2_text_is_printed_verbatim(anon) -> None:
    call_command(
        "import_treaty", str(BUDAPEST_MD), "--slug", "budapest", "--version", "ETS 185", stdout=io.StringIO()
    )
    html = anon.get("/treaties/budapest/articles/2/briefing/").content.decode()
    article = Provision.objects.get(version__treaty__slug="budapest", key="art-2")
    for provision in Provision.objects.filter(article=article):
        if provision.text:
            assert escape(provision.text) in html, provision.key


def test_right_to_left_text_keeps_its_direction(anon) -> None:
    call_command(
        "import_treaty", str(ARABIC_PARTIAL), "--slug", "un-ar", "--version", "L.15", stdout=io.StringIO()
    )
    version = DraftVersion.objects.get(treaty__slug="un-ar")
    assert version.direction == "rtl"
    html = anon.get("/treaties/un-ar/articles/2/briefing/").content.decode()
    assert f'<div class="briefing-text" lang="{version.language}" dir="rtl">' in html
    assert '<div class="briefing" lang="en" dir="ltr">' in html


@pytest.mark.parametrize(
    "url",
    [
        "/treaties/nope/briefing/",
        "/treaties/nope/articles/2/briefing/",
        "/treaties/sample/articles/99/briefing/",
        "/treaties/sample/briefing/?version=NOPE",
        "/treaties/sample/articles/2/briefing/?lang=fr",
    ],
)
def test_unknown_treaty_article_or_version_is_404(version, anon, url) -> None:
    assert anon.get(url).status_code == 404


def test_briefings_answer_get_only(version, alice_client) -> None:
    assert alice_client.post(TREATY_BRIEFING).status_code == 405


def test_treaty_page_links_the_briefing_and_the_feedback_downloads(version, anon) -> None:
    html = anon.get("/treaties/sample/").content.decode()
    block = html.split('id="downloads-title"')[1].split("</section>")[0]
    assert 'href="/treaties/sample/briefing/"' in block
    assert (
        'href="/api/v1/treaties/sample/feedback/?format=csv" download>per article and concern (CSV)</a>'
        in block
    )
    assert 'href="/api/v1/treaties/sample/feedback/?format=json"' in block
    # Every other download too (issue 14 §4), each with a sentence on what it holds.
    for href in (
        "/api/v1/treaties/sample/feedback/?format=csv&amp;part=totals",
        "/api/v1/treaties/sample/feedback/?format=json&amp;part=metadata",
        "/api/v1/treaties/sample/annotations/export/?format=csv",
        "/api/v1/treaties/sample/annotations/export/?format=ndjson",
        "/api/v1/treaties/sample/annotations/export/?format=jsonld",
        "/treaties/sample/heatmap.csv",
        "/treaties/sample/heatmap.svg",
    ):
        assert f'href="{href}"' in block, href
    assert block.count("<dd>") == 4


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_featured(version, alice, mod, count: int) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        annotation = annotation_create(
            author=alice,
            version=version,
            provision_key=("art-1", "art-2.2.b.i", "art-3")[index % 3],
            tags=["privacy", "data-protection"],
            severity=2,
            position="amend",
            body=f"More {index}",
            proposed_text=f"wording {index}",
        )
        moderate(item=annotation, moderator=mod, action="feature")
    heat_rebuild(versions=[version])


def test_query_budget_does_not_grow_with_the_comments(
    commented, version, alice, mod, anon, alice_client, django_assert_max_num_queries
) -> None:
    few = {url: _queries(anon, url) for url in (TREATY_BRIEFING, ARTICLE_BRIEFING)}
    _more_featured(version, alice, mod, 30)
    for url in (TREATY_BRIEFING, ARTICLE_BRIEFING):
        assert _queries(anon, url) == few[url], url
        with django_assert_max_num_queries(12):
            anon.get(url)
        with django_assert_max_num_queries(16):  # the session, the user and the moderator check
            alice_client.get(url)

"""The treaty heatmap page, its SVG and CSV downloads, the list behind a preamble cell, and the
heat of an article page (annotations.heat.views)."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Organization
from accounts.privacy import ANONYMOUS_LABEL
from annotations.heat.aggregation import heat_rebuild
from annotations.heat.article import article_heat_context
from annotations.heat.render import FIRST_LIGHT_TEXT_LEVEL, HEAT_COLOURS, INK, PAPER, heat_scale
from annotations.heat.views import CSV_HEADER
from annotations.heat.wording import age_text
from annotations.models import Annotation, ConcernTag, HeatDirty
from annotations.moderation.services import moderate
from annotations.services import annotation_create, annotation_delete, endorsement_create
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory
from treaty.models import DraftVersion, Provision

pytestmark = pytest.mark.django_db

PAGE = "/treaties/sample/heatmap/"
SVG = "/treaties/sample/heatmap.svg"
CSV = "/treaties/sample/heatmap.csv"
API = "/api/v1/treaties/sample/heatmap/"
STYLESHEET = Path(__file__).resolve().parents[3] / "static" / "css" / "site.css"
SVG_NS = "{http://www.w3.org/2000/svg}"

_bodies = iter(range(1_000_000))


def _annotate(version, author, key, tags, severity=2, position="oppose", **kw) -> Annotation:
    # Every body differs: the same body twice within minutes is held as a duplicate.
    if position == "amend":
        kw.setdefault("proposed_text", "Better words.")
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=list(tags),
        severity=severity,
        position=position,
        body=f"Comment number {next(_bodies)} on {key}.",
        **kw,
    )


@pytest.fixture
def kenyan():
    """A member of an academic organisation in Kenya (the others are NGOs in Germany)."""
    user = VerifiedUserFactory(display_name="Kamau Researcher")
    organization = OrganizationFactory(name="Nairobi Law Lab", type=Organization.Type.ACADEMIC, country="KE")
    MembershipFactory(user=user, organization=organization, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def heated(version, alice, mallory, mod, kenyan):
    """Published annotations, one endorsement, and hidden ones that must never count.

    Expected (all authors): Article 2 × privacy: 3 annotations, 2 organisations, 1 endorsement,
    score 6, 2 oppose + 1 amend; Article 2 × gender: 1 / 1; Article 3 × gender: 1 / 1 (Kenya);
    Preamble × privacy: 2 / 2, score 3; version privacy 5 / 2, gender 2 / 2, everything 6 / 3."""
    a1 = _annotate(version, alice, "art-2.1", ["privacy"], severity=3)
    _annotate(version, alice, "art-2.2.a", ["privacy", "gender"], severity=2, position="amend")
    _annotate(version, mallory, "art-2.1", ["privacy"], severity=1, attribution="anonymous")
    _annotate(version, kenyan, "art-3", ["gender"], severity=2, position="concern")
    _annotate(version, alice, "pre.1", ["privacy"], severity=1, position="support")
    _annotate(version, mallory, "pre.1", ["privacy"], severity=2, position="concern", attribution="anonymous")
    endorsement_create(annotation=a1, user=mallory)
    loner = VerifiedUserFactory(display_name="Lone Spammer")
    hidden = [_annotate(version, loner, "art-2.1", ["privacy"], severity=3) for _ in range(4)]
    hidden.append(_annotate(version, loner, "pre.1", ["privacy"], severity=3))
    Annotation.objects.filter(pk=hidden[0].pk).update(status="pending")
    moderate(item=hidden[1], moderator=mod, action="reject", reason="off topic")
    moderate(item=hidden[2], moderator=mod, action="spam", reason="spam")
    annotation_delete(annotation=hidden[3], actor=loner)
    moderate(item=hidden[4], moderator=mod, action="reject", reason="off topic")
    heat_rebuild(versions=[version])
    return version


# --- Reading the HTML table ---------------------------------------------------------------------


class _TableReader(HTMLParser):
    """Rows of the first <table class="heatmap">: each cell's element, text, link and classes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[dict[str, str]]] = []
        self.caption = ""
        self._in_table = False
        self._cell: dict[str, str] | None = None
        self._in_caption = False
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "table" and "heatmap" in attributes.get("class", ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "text": "", "href": "", **attributes}
        elif tag == "a" and self._cell is not None:
            self._cell["href"] = attributes.get("href", "")
            self._cell["title"] = attributes.get("title", "")
        elif tag == "span" and "visually-hidden" in attributes.get("class", ""):
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = False
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "span" and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption += data
        elif self._cell is not None and not self._hidden_depth:
            self._cell["text"] += data


def read_table(html: str) -> tuple[str, dict[str, dict[str, dict[str, str]]]]:
    """(caption, {row header text: {column header text: cell}}); the header row keys the columns."""
    reader = _TableReader()
    reader.feed(html)
    header = [cell["text"] for cell in reader.rows[0]]
    table: dict[str, dict[str, dict[str, str]]] = {}
    for row in reader.rows[1:]:
        if len(row) == len(header):
            table[row[0]["text"]] = dict(zip(header, row, strict=True))
        elif row:  # a chapter row
            table[row[0]["text"]] = {"group": row[0]}
    return " ".join(reader.caption.split()), table


# --- The page -----------------------------------------------------------------------------------


def test_page_shows_every_number_with_links_totals_and_a_legend(heated, anon) -> None:
    response = anon.get(PAGE)
    assert response.status_code == 200
    html = response.text
    caption, table = read_table(html)
    assert caption.startswith("Organisations per reading unit and concern tag")
    assert re.search(r'<th scope="col"[^>]*>\s*<span class="tag-name">Privacy</span>', html)
    assert '<th scope="rowgroup"' in html and "Chapter II – Substance" in table

    privacy = table["Article 2 Sample interception"]["Privacy"]
    assert privacy["tag"] == "td" and privacy["text"] == "2"  # organisations, the default
    assert privacy["href"] == "/treaties/sample/articles/2/?tag=privacy#annotations"
    assert privacy["title"] == "2 organisations · 3 annotations · score 6 · 1 endorsement"
    assert "heat-8" in privacy["class"]  # the largest value on the page gets the darkest class
    assert table["Article 2 Sample interception"]["Gender"]["text"] == "1"
    # A zero is blank to the eye, with nothing behind it to link to, and said to a screen reader.
    zero = table["Article 1 Purpose"]["Privacy"]
    assert zero["text"] == "" and zero["href"] == "" and "heat-0" in zero["class"]
    assert '<span class="visually-hidden">0 organisations: Article 1, Privacy</span>' in html
    # Every row header is a <th scope="row"> linking to its reading unit.
    unit = table["Article 2 Sample interception"]["Reading unit"]
    assert unit["tag"] == "th" and unit["scope"] == "row" and unit["href"] == "/treaties/sample/articles/2/"
    assert table["Preamble"]["Reading unit"]["href"] == "/treaties/sample/parts/pre/"  # its own page
    assert table["Final clause"]["Privacy"]["text"] == ""  # a zero cell is blank

    # Totals come from the stored roll-ups: distinct organisations do not add up.
    assert table["Article 2 Sample interception"]["All concerns"]["text"] == "2"  # not 2 + 1
    whole = table["Whole text"]
    assert (whole["Privacy"]["text"], whole["Gender"]["text"], whole["All concerns"]["text"]) == (
        "2",
        "2",
        "3",
    )

    # The legend shows absolute numbers per colour; the screen-reader text names row and column.
    assert re.search(r'class="heat-swatch heat-4"[^>]*></span>\s*1 organisation<', html)
    assert re.search(r'class="heat-swatch heat-8"[^>]*></span>\s*2 organisations<', html)
    assert '<span class="visually-hidden"> organisations: Article 2, Privacy</span>' in html
    # Downloads with the same filters, and the strict CSP: no inline style or script.
    assert 'href="/treaties/sample/heatmap.svg"' in html and 'href="/treaties/sample/heatmap.csv"' in html
    assert 'style="' not in html and "<style" not in html and "<script" not in html


def test_metric_switch(heated, anon) -> None:
    default = anon.get(PAGE).text
    assert re.search(r'<a href="/treaties/sample/heatmap/" aria-current="true">Organisations</a>', default)
    assert 'href="/treaties/sample/heatmap/?metric=annotations">Annotations</a>' in default
    _caption, table = read_table(anon.get(PAGE + "?metric=annotations").text)
    assert table["Article 2 Sample interception"]["Privacy"]["text"] == "3"
    assert table["Whole text"]["All concerns"]["text"] == "6"
    caption, table = read_table(anon.get(PAGE + "?metric=score").text)
    assert caption.startswith("Points of score per reading unit")
    assert table["Article 2 Sample interception"]["Privacy"]["text"] == "6"
    assert table["Preamble"]["Privacy"]["text"] == "3"
    # The filters keep the metric; the metric links keep the filters.
    html = anon.get(PAGE + "?metric=score&tag=privacy").text
    assert '<input type="hidden" name="metric" value="score">' in html
    assert 'href="/treaties/sample/heatmap/?metric=annotations&amp;tag=privacy"' in html


@pytest.mark.usefixtures("every_segment_shown")
def test_filters_by_tag_position_type_and_country(heated, anon) -> None:
    caption, table = read_table(anon.get(PAGE + "?tag=gender").text)
    assert list(table["Article 2 Sample interception"]) == ["Reading unit", "Gender", "All concerns"]
    assert "concern “Gender”" in caption

    response = anon.get(PAGE + "?position=oppose&metric=organizations")
    html = response.text
    caption, table = read_table(html)
    # The stored rows count annotations per position, so that is what the cells show, and say.
    assert table["Article 2 Sample interception"]["Privacy"]["text"] == "2"
    assert table["Preamble"]["Privacy"]["text"] == ""  # a zero cell is blank
    cell = table["Article 2 Sample interception"]["Privacy"]
    assert cell["href"] == "/treaties/sample/articles/2/?tag=privacy&position=oppose#annotations"
    assert caption.startswith("Annotations per reading unit") and "position “Oppose”" in caption
    assert "per-position annotation counts" in html and 'aria-label="Colour by"' not in html

    _caption, table = read_table(anon.get(PAGE + "?organization_type=academic").text)
    assert table["Article 3 Final sample"]["Gender"]["text"] == "1"
    assert table["Article 2 Sample interception"]["Privacy"]["text"] == ""  # a zero cell is blank
    assert table["Whole text"]["All concerns"]["text"] == "1"
    for query in ("?country=KE", "?country=ke"):
        _caption, table = read_table(anon.get(PAGE + query).text)
        assert table["Article 3 Final sample"]["Gender"]["text"] == "1"
        assert table["Article 2 Sample interception"]["All concerns"]["text"] == "0"
    # The choices name the segments that exist, with their organisations. Germany has one: Mallory
    # Monitoring (German too) wrote only anonymously, and anonymous annotations count in no country.
    html = anon.get(PAGE).text
    assert (
        '<option value="KE">Kenya (1)</option>' in html and '<option value="DE">Germany (1)</option>' in html
    )
    assert '<option value="academic">Academic (1)</option>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("metric=loudness", "Colour by one of: organizations, annotations, score (not “loudness”)."),
        ("position=maybe", "Use one of: concern, oppose, amend, delete, clarify, support (not “maybe”)."),
        ("organization_type=club", "Use one of: ngo, academic"),
        ("country=Kenya", "Use a two-letter ISO 3166 country code, e.g. KE."),
        ("tag=nope", "Unknown concern tag “nope”."),
        ("organization_type=ngo&country=KE", "Filter by organization_type or by country, not both at once."),
    ],
)
def test_a_bad_filter_is_named_and_nothing_is_shown(heated, anon, query, message) -> None:
    response = anon.get(f"{PAGE}?{query}")
    assert response.status_code == 400
    html = response.text
    assert 'role="alert"' in html and message.replace("“", "“") in html.replace("&quot;", '"')
    assert '<table class="heatmap"' not in html
    for download in (SVG, CSV):
        bad = anon.get(f"{download}?{query}")
        assert bad.status_code == 400 and message in bad.text
        assert bad["Content-Type"] == "text/plain; charset=utf-8"


def test_unknown_treaty_or_version_is_404(heated, anon) -> None:
    assert anon.get("/treaties/nothing/heatmap/").status_code == 404
    assert anon.get(PAGE + "?version=S/9").status_code == 404
    assert anon.get("/treaties/nothing/heatmap.csv").status_code == 404


def test_links_keep_a_non_default_version(heated, alice, anon) -> None:
    from tests.factories import import_small_treaty

    older = import_small_treaty(label="S/0").version  # not current: S/1 stays the default
    _annotate(older, alice, "art-2.1", ["privacy"])
    heat_rebuild(versions=[older])
    _caption, table = read_table(anon.get(PAGE + "?version=S/0&lang=en").text)
    cell = table["Article 2 Sample interception"]["Privacy"]
    assert cell["text"] == "1"
    assert cell["href"] == "/treaties/sample/articles/2/?version=S%2F0&lang=en&tag=privacy#annotations"


def test_when_it_was_computed_and_recomputing(heated, alice, anon) -> None:
    html = anon.get(PAGE).text
    assert re.search(r'Updated <time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">\d+ s ago</time>\.', html)
    assert "recomputing" not in html
    _annotate(heated, alice, "art-3", ["privacy"])  # marked dirty; no worker runs in this test
    assert HeatDirty.objects.filter(version=heated).exists()
    assert "recomputing… (1 article changed since)" in anon.get(PAGE).text
    heat_rebuild(versions=[heated])
    assert "recomputing" not in anon.get(PAGE).text


def test_age_text() -> None:
    now = timezone.now()
    assert age_text(now - timedelta(seconds=40), now) == "40 s ago"
    assert age_text(now - timedelta(minutes=3, seconds=5), now) == "3 min ago"
    assert age_text(now - timedelta(hours=5), now) == "5 h ago"
    assert age_text(now - timedelta(days=3), now) == "3 days ago"
    assert age_text(now + timedelta(seconds=5), now) == "0 s ago"  # a clock a little ahead


def test_page_before_any_heat_is_computed(version, anon) -> None:
    html = anon.get(PAGE).text
    assert "Not computed yet" in html and "No published annotations are counted here yet." in html
    _caption, table = read_table(html)
    assert table["Whole text"]["All concerns"]["text"] == "0"


def test_the_treaty_page_links_to_the_heatmap(version, anon) -> None:
    html = anon.get("/treaties/sample/").text
    assert html.count('href="/treaties/sample/heatmap/"') == 1


def _budapest_with_annotations(alice, mallory) -> DraftVersion:
    call_command(
        "import_treaty",
        str(Path(__file__).resolve().parents[3] / "treaty" / "data" / "budapest_convention_ets185.md"),
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        stdout=io.StringIO(),
    )
    budapest = DraftVersion.objects.get(treaty__slug="budapest-convention")
    tags = list(ConcernTag.objects.values_list("slug", flat=True))
    keys = [f"art-{n}" for n in range(1, 49)]
    for index, key in enumerate(keys):
        _annotate(budapest, (alice, mallory)[index % 2], key, tags[index % 12 : index % 12 + 2])
    heat_rebuild(versions=[budapest])
    return budapest


@pytest.mark.parametrize("persona", ["anon", "alice"])
def test_query_budget_does_not_grow_with_articles_or_annotations(
    heated, alice, mallory, anon, alice_client, persona, django_assert_max_num_queries
) -> None:
    client = {"anon": anon, "alice": alice_client}[persona]
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE).status_code == 200
    assert len(small) <= {"anon": 8, "alice": 11}[persona]  # + session, user, moderator check
    # 3 articles and 6 annotations, then 48 articles and 48 more annotations.
    _budapest_with_annotations(alice, mallory)
    for path in (
        "/treaties/budapest-convention/heatmap/",
        "/treaties/budapest-convention/heatmap/?metric=score&country=DE",
        "/treaties/budapest-convention/heatmap/?tag=privacy&position=oppose",
    ):
        with django_assert_max_num_queries(len(small) + (1 if "tag=" in path else 0)):
            response = client.get(path)
        assert response.status_code == 200 and response.text.count('class="heat-cell') == 50 * (
            1 if "tag=" in path else 12
        )
    with django_assert_max_num_queries(len(small) - 2):  # no filter choices, no dirty marks
        assert client.get("/treaties/budapest-convention/heatmap.csv").status_code == 200
    with django_assert_max_num_queries(len(small)):
        assert client.get("/treaties/budapest-convention/heatmap.svg").status_code == 200


# --- SVG and CSV ---------------------------------------------------------------------------------


def test_svg_is_well_formed_and_escapes_every_label(heated, anon) -> None:
    odd_treaty = 'The "Quoted" & <Odd> Convention'
    odd_heading = "Search & seizure of 'stored' <data> \"now\""
    odd_tag = 'Rights & "freedoms" <of> everyone\'s'
    heated.treaty.__class__.objects.filter(pk=heated.treaty_id).update(title=odd_treaty)
    Provision.objects.filter(version=heated, key="art-2").update(heading=odd_heading)
    ConcernTag.objects.filter(slug="privacy").update(name=odd_tag)
    Provision.objects.filter(version=heated, key="ch-2").update(heading="Substance & <more>")

    response = anon.get(SVG)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG_NS}title"), root.find(f"{SVG_NS}desc")
    assert (
        title is not None and title.text and title.text.startswith(odd_treaty + ", S/1 (en): organisations")
    )
    assert desc is not None and desc.text and "per reading unit (rows) and concern tag (columns)" in desc.text
    texts = [t.text or "" for t in root.iter(f"{SVG_NS}text")]  # without the <title> inside
    full_titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert f"Article 2 – {odd_heading}" in full_titles  # labels are shortened, their titles not
    assert odd_tag in full_titles and "Chapter II – Substance & <more>" in full_titles
    assert "All concerns" in texts and any(t.startswith("Preamble") for t in texts)
    assert any(t.startswith("Colour: organisations per cell") for t in texts)
    # The numbers follow each row's label: the 12 tags, then all concerns.
    article_2 = next(i for i, t in enumerate(texts) if t.startswith("Article 2 – "))
    assert texts[article_2 + 1 : article_2 + 14] == [
        "2",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
        "2",
    ]
    whole = texts.index("Whole text")
    assert texts[whole + 1] == "2" and texts[whole + 12 : whole + 14] == ["2", "3"]
    assert b"&amp;" in response.content and b"<Odd>" not in response.content
    # Filters apply to the drawing too.
    score = ET.fromstring(anon.get(SVG + "?metric=score&tag=privacy").content)
    score_texts = [t.text or "" for t in score.iter(f"{SVG_NS}text")]
    assert "6" in score_texts and any("points of score" in t for t in score_texts)


def _csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    reader = csv.reader(io.StringIO(response.content.decode()))
    header = next(reader)
    assert header == CSV_HEADER
    return [dict(zip(header, row, strict=True)) for row in reader]


@pytest.mark.usefixtures("every_segment_shown")
@pytest.mark.parametrize("query", ["", "?organization_type=academic", "?country=DE", "?tag=gender"])
def test_csv_numbers_match_the_api(heated, anon, query) -> None:
    rows = _csv_rows(anon.get(CSV + query))
    api = anon.get(API + query).json()
    assert len(rows) == len(api["articles"]) * len(api["tags"])
    by_cell = {(row["unit_key"], row["tag"]): row for row in rows}
    for article in api["articles"]:
        for cell in article["cells"]:
            row = by_cell[(article["key"], cell["tag"])]
            for field in ("annotations", "organizations", "endorsements", "score"):
                assert int(row[field]) == cell[field], (article["key"], cell["tag"], field)
            for position, count in cell["positions"].items():
                assert int(row[f"position_{position}"]) == count
            assert row["computed_at"] == api["computed_at"]
    privacy = by_cell.get(("art-2", "privacy"))
    if not query:
        assert privacy is not None
        assert (privacy["annotations"], privacy["organizations"], privacy["endorsements"]) == ("3", "2", "1")
        assert (privacy["position_oppose"], privacy["position_amend"], privacy["segment"]) == (
            "2",
            "1",
            "all",
        )
        assert privacy["article_number"] == "2" and privacy["unit_label"] == "Article 2"
        assert by_cell[("pre", "privacy")]["article_number"] == ""


def test_csv_cells_cannot_run_as_formulas(heated, anon) -> None:
    Provision.objects.filter(version=heated, key="art-2").update(heading='=HYPERLINK("http://evil.example")')
    ConcernTag.objects.filter(slug="privacy").update(name="+SUM(A1:A9)")
    ConcernTag.objects.filter(slug="gender").update(name="@gender")
    rows = _csv_rows(anon.get(CSV))
    privacy = next(r for r in rows if r["unit_key"] == "art-2" and r["tag"] == "privacy")
    assert privacy["unit_heading"] == '\'=HYPERLINK("http://evil.example")'
    assert privacy["tag_name"] == "'+SUM(A1:A9)"
    assert next(r for r in rows if r["tag"] == "gender")["tag_name"] == "'@gender"


# --- What never counts ------------------------------------------------------------------------


def test_pending_rejected_spam_and_deleted_never_count(heated, anon) -> None:
    # heated holds 5 hidden annotations by the lone spammer, on Article 2 and the preamble.
    assert Annotation.objects.filter(version=heated).exclude(status="approved").count() == 4
    assert Annotation.objects.filter(version=heated, deleted_at__isnull=False).count() == 1
    _caption, table = read_table(anon.get(PAGE + "?metric=annotations").text)
    assert table["Article 2 Sample interception"]["Privacy"]["text"] == "3"
    assert table["Preamble"]["Privacy"]["text"] == "2"
    assert table["Whole text"]["All concerns"]["text"] == "6"
    _caption, table = read_table(anon.get(PAGE).text)
    assert table["Whole text"]["All concerns"]["text"] == "3"  # the spammer is not an organisation here
    api = anon.get(API).json()
    article_2 = next(a for a in api["articles"] if a["key"] == "art-2")
    assert article_2["total"]["annotations"] == 3 and api["totals"]["total"]["organizations"] == 3
    rows = _csv_rows(anon.get(CSV))
    assert sum(int(r["annotations"]) for r in rows if r["tag"] == "privacy") == 5
    # The list behind the preamble cell: the two published ones, the anonymous author unnamed.
    page = anon.get("/treaties/sample/heatmap/annotations/?unit=pre&tag=privacy").text
    assert page.count('<article class="heat-annotation') == 2
    assert "Lone Spammer" not in page and "Mallory" not in page and ANONYMOUS_LABEL in page
    assert "2 annotations" in page


def test_the_preamble_cell_links_to_its_page_and_the_plain_list_still_answers(
    heated, anon, mod_client
) -> None:
    _caption, table = read_table(anon.get(PAGE).text)
    # The preamble has its own page with the annotation panel (issue 14 §2): the cell opens it,
    # filtered by the tag, like an article's.
    assert table["Preamble"]["Privacy"]["href"] == "/treaties/sample/parts/pre/?tag=privacy#annotations"
    assert anon.get("/treaties/sample/parts/pre/?tag=privacy").status_code == 200
    # The plain list it used to open keeps answering at its address.
    href = "/treaties/sample/heatmap/annotations/?unit=pre&tag=privacy"
    page = anon.get(href)
    assert page.status_code == 200
    assert "Published annotations on" in page.text and 'href="/treaties/sample/#pre.1"' in page.text
    # A moderator sees who wrote the anonymous one (as everywhere), still only published ones.
    moderated = mod_client.get(href).text
    assert "Mallory Meddler" in moderated and "Lone Spammer" not in moderated
    assert anon.get(href + "&position=support").text.count('<article class="heat-annotation') == 1
    for bad in ("?unit=art-2.1", "?unit=nope", "?unit=pre&tag=nope", "?unit=pre&position=maybe"):
        assert anon.get("/treaties/sample/heatmap/annotations/" + bad).status_code == 404, bad


# --- Colours --------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_heat_class_is_in_the_stylesheet_with_aa_contrast() -> None:
    css = STYLESHEET.read_text(encoding="utf-8")
    section = css[css.index("/* === heatmap") : css.index("/* === end heatmap")]
    classes = {
        int(level): (bg.lower(), ink.lower())
        for level, bg, ink in re.findall(
            r"\.heat-(\d) \{ --heat-bg: (#[0-9a-fA-F]{6}); --heat-ink: (#[0-9a-fA-F]{6}); \}", section
        )
    }
    assert sorted(classes) == list(range(9))
    lightness = []
    for level, (background, ink) in classes.items():
        assert background == HEAT_COLOURS[level]  # the SVG draws the same colours
        assert ink == (PAPER if level >= FIRST_LIGHT_TEXT_LEVEL else INK)
        assert _contrast(background, ink) >= 4.5, (level, background, ink)
        lightness.append(_luminance(background))
    # Sequential: each step darker than the one before, so order survives any colour vision.
    assert lightness == sorted(lightness, reverse=True)


@pytest.mark.parametrize("maximum", [1, 2, 3, 7, 8, 9, 10, 57, 1000])
def test_scale_bins_cover_one_to_the_maximum_without_gaps(maximum) -> None:
    scale = heat_scale(maximum)
    legend = scale.legend
    assert legend[0].label == "0" and scale.level(0) == 0
    bins = legend[1:]
    assert bins[0].low == 1 and bins[-1].high == maximum and bins[-1].level == 8
    for before, after in pairwise(bins):
        assert after.low == before.high + 1 and after.level > before.level
    assert all(
        scale.level(v) == next(b.level for b in bins if b.low <= v <= b.high) for v in range(1, maximum + 1)
    )
    assert len(bins) == min(8, maximum)


def test_scale_of_nothing() -> None:
    scale = heat_scale(0)
    assert scale.level(5) == 0 and [b.label for b in scale.legend] == ["0"]


# --- The article page's part (templates wired by the article page's owner) ----------------------


def test_article_heat_context_per_provision_and_per_tag(heated, django_assert_num_queries) -> None:
    article = Provision.objects.get(version=heated, key="art-2")
    provisions = list(Provision.objects.filter(article=article).exclude(pk=article.pk).order_by("order"))
    with django_assert_num_queries(1):
        heat = article_heat_context(heated, article, provisions)
    by_key = {p.key: p for p in provisions}
    clause = by_key["art-2.1"].heat
    # Alice's organisation and Mallory's (anonymous, still counted): 2 organisations, 2 annotations.
    assert (clause.organizations, clause.annotations, clause.score, clause.endorsements) == (2, 2, 4, 1)
    assert clause.css_class == "heat-8" and clause.counts == (
        "2 organisations · 2 annotations · score 4 · 1 endorsement"
    )
    assert by_key["art-2.2.a"].heat.css_class == "heat-4"  # 1 of at most 2
    assert by_key["art-2.2"].heat is None and article.heat is None  # nothing on them
    assert [(t.tag.slug, t.organizations, t.annotations) for t in heat.tags] == [
        ("privacy", 2, 3),
        ("gender", 1, 1),
    ]
    assert (heat.organizations, heat.annotations) == (2, 3) and heat.age.endswith("s ago")

    top = render_to_string(
        "annotations/_article_heat.html",
        {"heat": heat, "article": article, "treaty": heated.treaty, "query": ""},
    )
    assert "Concerns raised here" in top and 'href="?tag=privacy#annotations"' in top
    assert 'href="/treaties/sample/heatmap/"' in top and "2 organisations · 3 published annotations" in top
    assert re.search(r'<td class="heat-cell heat-8">2</td>', top)
    margin = render_to_string("annotations/heatmap/_provision_heat.html", {"p": by_key["art-2.1"]})
    assert 'class="provision-heat heat-8" href="#annotations-for-art-2.1"' in margin
    assert "Article 2(1): 2 organisations · 2 annotations · score 4 · 1 endorsement" in margin
    assert (
        render_to_string("annotations/heatmap/_provision_heat.html", {"p": by_key["art-2.2"]}).strip() == ""
    )
    versioned = render_to_string(
        "annotations/_article_heat.html",
        {"heat": heat, "article": article, "treaty": heated.treaty, "query": "?version=S%2F0&lang=en"},
    )
    assert 'href="?version=S%2F0&amp;lang=en&amp;tag=privacy#annotations"' in versioned


def test_article_heat_context_without_heat_renders_nothing(version) -> None:
    article = Provision.objects.get(version=version, key="art-1")
    heat = article_heat_context(version, article)
    assert heat.tags == [] and heat.computed_at is None and article.heat is None
    html = render_to_string(
        "annotations/_article_heat.html",
        {"heat": heat, "article": article, "treaty": version.treaty, "query": ""},
    )
    assert "<section" not in html

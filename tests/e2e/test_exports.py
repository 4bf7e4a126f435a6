"""Feedback downloads and printable briefings in Chromium (issue 7): from the treaty page of the
imported Budapest Convention, download the feedback CSV, then open the briefing of Article 2 and
check it on screen and as printed.
"""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create
from tests.e2e.conftest import PageWatch
from treaty.models import DraftVersion, Provision

pytestmark = [pytest.mark.e2e]

TREATY = "/treaties/budapest-convention/"
BODY = "Criminalising access *without right* needs a public-interest exception for security research."
WORDING = "… without right and with the intent of causing harm …"


@pytest.fixture
def featured_on_article_2(budapest: None, alice: User, mod: User) -> Annotation:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2",
        quote=QuoteInput("without right"),
        tags=["security-research", "overbroad-scope"],
        severity=3,
        position="amend",
        body=BODY,
        proposed_text=WORDING,
    )
    moderate(item=annotation, moderator=mod, action="feature")
    heat_rebuild(versions=[version])
    return annotation


def test_download_the_feedback_csv_then_print_the_briefing_of_article_2(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    featured_on_article_2: Annotation,
    screenshots: Path,
) -> None:
    base = live_server.url
    page.goto(base + TREATY)
    exports = page.get_by_role("region", name="Data and downloads")

    with page.expect_download() as info:
        exports.get_by_role("link", name="per article and concern (CSV)").click()
    download = info.value
    assert download.failure() is None
    # What the file holds is in its name: treaty, draft, when (UTC).
    name = download.suggested_filename
    assert re.fullmatch(r"budapest-convention_ets-no-185_feedback_\d{8}T\d{4}Z\.csv", name)
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeffarticle,key,title,tag,tag_name,")  # the header is the first line
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:9] == [
        "article",
        "key",
        "title",
        "tag",
        "tag_name",
        "annotations",
        "organizations",
        "endorsements",
        "score",
    ]
    security = next(r for r in rows[1:] if r[0] == "2" and r[3] == "security-research")
    assert security[5:9] == ["1", "1", "0", "3"]
    # Every other download is linked from the same section, with what it holds.
    for name in ("per article (CSV)", "what the columns mean (JSON)", "CSV", "NDJSON", "picture (SVG)"):
        assert exports.get_by_role("link", name=name, exact=True).count() >= 1, name
    assert exports.get_by_role("link", name="W3C Web Annotation (JSON-LD)").count() == 1

    # The printable briefing of the treaty, and from its table the briefing of Article 2.
    exports.get_by_role("link", name=re.compile(r"^Briefing")).click()
    expect(page).to_have_url(base + TREATY + "briefing/")
    articles = page.get_by_role("table", name=re.compile(r"^Published annotations per article"))
    articles.get_by_role("link", name="Article 2").click()
    expect(page).to_have_url(base + TREATY + "articles/2/briefing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Article 2 – Illegal access")

    # The article's text, verbatim from the database, beside its feedback.
    text_region = page.get_by_role("region", name="Text of Article 2")
    for provision in Provision.objects.filter(
        version__treaty__slug="budapest-convention", article__key="art-2"
    ):
        if provision.text:
            expect(text_region).to_contain_text(provision.text)
    heat = page.get_by_role("table", name="Published annotations on Article 2, by concern tag")
    expect(heat.get_by_role("columnheader")).to_have_text(
        ["Concern tag", "Annotations", "Organisations", "Endorsements", "Score"]
    )
    expect(
        heat.get_by_role("row", name=re.compile(r"^Security research\b")).get_by_role("cell")
    ).to_have_text(["1", "1", "0", "3"])
    featured = page.get_by_role("region", name="Featured comments")
    expect(featured).to_contain_text("Digital Rights Watch")
    expect(featured.get_by_role("blockquote")).to_have_text("“without right”")
    # An amendment prints as a redline against the quoted words (annotations/amend.py).
    wordings = page.get_by_role("region", name="Proposed wordings")
    expect(wordings.locator("ins").last).to_have_text("[added:  and with the intent of causing harm …]")
    expect(wordings).to_contain_text("Proposed wording, as changes to the quoted words")
    page.screenshot(path=str(screenshots / "briefing-article-2-screen.png"), full_page=True)

    # On paper: no navigation, no print hint, the tables and the text stay; links show their address.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Account")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_hidden()
    expect(page.get_by_text("Print / save as PDF")).to_be_hidden()
    expect(heat).to_be_visible()
    expect(text_region).to_be_visible()
    permalink = featured.get_by_role("link", name="Permalink")
    after = permalink.evaluate("link => getComputedStyle(link, '::after').content")
    assert f"/annotations/{featured_on_article_2.pk}/" in after
    pdf = page.pdf(format="A4", path=str(screenshots / "briefing-article-2.pdf"))
    assert pdf.startswith(b"%PDF")

    watch.assert_clean()

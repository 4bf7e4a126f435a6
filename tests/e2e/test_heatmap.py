"""The treaty heatmap in Chromium (issue 6): the imported Budapest Convention with a few published
annotations; a reader tabs to a cell of the matrix and follows it to the article's annotations.

Locators go by role and accessible name, so the test also proves that a cell link says what it
counts and where (its number, then the article and the concern, for a screen reader).
"""

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.heat.aggregation import heat_rebuild
from annotations.services import annotation_create
from tests.e2e.conftest import PageWatch
from treaty.models import DraftVersion

pytestmark = [pytest.mark.e2e]

HEATMAP = "/treaties/budapest-convention/heatmap/"


@pytest.fixture
def concern_tags(live_server: Any) -> None:
    """The seeded concern tags: live-server tests flush the database after each test, rows written
    by a data migration included (as in tests/e2e/test_annotate.py)."""
    seed = importlib.import_module("annotations.migrations.0002_seed_concern_tags").seed
    seed(django_apps, None)


@pytest.fixture
def heated_budapest(budapest: None, concern_tags: None, alice: User, mallory: User) -> DraftVersion:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    for number, (author, key, tags) in enumerate(
        [
            (alice, "art-3", ["surveillance-powers", "privacy"]),
            (mallory, "art-3", ["surveillance-powers"]),
            (alice, "art-21.1", ["privacy"]),
            (mallory, "pre.2", ["freedom-of-expression"]),
        ]
    ):
        annotation_create(
            author=author,
            version=version,
            provision_key=key,
            tags=tags,
            severity=3,
            position="oppose",
            body=f"Heatmap test comment {number}: this power needs judicial authorisation.",
        )
    heat_rebuild(versions=[version])
    return version


def test_reader_tabs_to_a_cell_and_reaches_the_articles_annotations(
    page: Page, watch: PageWatch, live_server: Any, heated_budapest: DraftVersion, screenshots: Path
) -> None:
    base = live_server.url
    page.goto(base + "/treaties/budapest-convention/")
    page.get_by_role("link", name="Heatmap: which articles draw which concerns").click()
    expect(page).to_have_url(base + HEATMAP)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Where the concerns are"))

    table = page.get_by_role("table", name=re.compile(r"^Organisations per reading unit and concern tag"))
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Surveillance powers")).to_be_visible()
    expect(table.get_by_role("rowheader", name=re.compile(r"^Article 48 Notification"))).to_be_visible()
    expect(page.get_by_role("region", name="Legend")).to_contain_text("2 organisations")
    page.screenshot(path=str(screenshots / "heatmap.png"), full_page=True)

    cell = table.get_by_role("link", name="2 organisations: Article 3, Surveillance powers")
    expect(cell).to_have_text(re.compile(r"^2"))
    # Keyboard only: Tab until the cell has focus (every earlier control is on the way).
    for _ in range(120):
        page.keyboard.press("Tab")
        if cell.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the cell link was never reached with the Tab key")
    expect(cell).to_be_focused()
    outline = cell.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "a focused cell shows no focus outline"
    page.keyboard.press("Enter")

    expect(page).to_have_url(
        base + "/treaties/budapest-convention/articles/3/?tag=surveillance-powers#annotations"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Article 3 – Illegal interception")
    )
    watch.assert_clean()


def test_metric_switch_and_a_filter_without_script(
    page: Page, watch: PageWatch, live_server: Any, heated_budapest: DraftVersion
) -> None:
    base = live_server.url
    page.goto(base + HEATMAP)
    page.get_by_role("navigation", name="Colour by").get_by_role("link", name="Annotations").click()
    expect(page).to_have_url(base + HEATMAP + "?metric=annotations")
    table = page.get_by_role("table", name=re.compile(r"^Annotations per reading unit"))
    expect(table.get_by_role("link", name="2 annotations: Article 3, Surveillance powers")).to_be_visible()

    page.get_by_label("Concern tag", exact=True).select_option("privacy")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        base + HEATMAP + "?metric=annotations&tag=privacy&position=&organization_type=&country="
    )
    table = page.get_by_role("table", name=re.compile(r"concern “Privacy”$"))
    expect(table.get_by_role("columnheader")).to_have_count(3)  # unit, Privacy, All concerns
    expect(table.get_by_role("link", name="1 annotation: Article 21, Privacy")).to_be_visible()
    watch.assert_clean()


def test_on_a_phone_the_table_scrolls_in_its_box_and_sorts_by_total(
    page: Page, watch: PageWatch, live_server: Any, heated_budapest: DraftVersion
) -> None:
    """Issue 14 §5: at 390 px the page never scrolls sideways, the table scrolls inside its own
    box with the article column fixed, zero cells are blank (said to a screen reader), the totals
    are coloured, rows sort by total, and "score" is explained where it is shown."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + HEATMAP)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    box = page.get_by_role("region", name=re.compile("^Organisations per reading unit"))
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the table scrolls in its box
    article_3 = page.get_by_role("row", name=re.compile(r"^Article 3 "))
    header = article_3.get_by_role("rowheader")
    assert header.evaluate("el => getComputedStyle(el).position") == "sticky"
    before = header.bounding_box()
    box.evaluate("el => { el.scrollLeft = 400; }")
    page.wait_for_timeout(100)
    assert header.bounding_box()["x"] == pytest.approx(before["x"], abs=4)  # still in view, not 400 px left
    # A zero cell shows nothing, and says "0 organisations" to a screen reader.
    zero = page.get_by_role("row", name=re.compile(r"^Article 1 ")).get_by_role("cell").nth(0)
    expect(zero).to_have_text(re.compile(r"^0 organisations: Article 1"))
    shown = "el => [...el.childNodes].filter(n => !n.classList?.contains('visually-hidden'))"
    assert zero.evaluate(shown + ".map(n => n.textContent).join('').trim()") == ""
    # The totals are coloured on their own scale.
    total = article_3.get_by_role("cell").last
    assert "heat-" in (total.get_attribute("class") or "")
    assert total.evaluate("el => getComputedStyle(el).backgroundColor") != "rgb(255, 255, 255)"
    expect(page.locator("#score-explained")).to_contain_text("sum of the severities")
    # Most discussed first: Article 3 (two organisations) before Article 21 (one).
    page.get_by_role("link", name="most discussed first").click()
    expect(page).to_have_url(re.compile(r"sort=total"))
    expect(page.get_by_role("columnheader", name="All concerns")).to_have_attribute("aria-sort", "descending")
    units = page.locator("tbody th.heat-unit a").all_inner_texts()
    assert units.index("Article 3") < units.index("Article 21") < units.index("Article 1")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    watch.assert_clean()

"""A reader in Chromium: contents, article pages, search, keyboard use, right-to-left text.

Locators go by role and accessible name, so a test that finds its way also proves that the
control has a name a screen reader can announce.
"""

import re
from pathlib import Path
from pprint import pformat
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch

pytestmark = [pytest.mark.e2e]

TREATY = "/treaties/budapest-convention/"


def article_heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_reader_goes_from_contents_to_the_clause_a_search_found(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name="Convention on Cybercrime", exact=True).click()
    expect(page).to_have_url(base + TREATY)

    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name=re.compile(r"^Article 2\b")).click()
    expect(page).to_have_url(base + TREATY + "articles/2/")
    expect(article_heading(page)).to_have_text(re.compile(r"^Article 2\b"))

    pager = page.get_by_role("navigation", name="Previous and next article")
    following = pager.get_by_role("link", name=re.compile(r"^Article 3\b"))
    expect(following).to_have_attribute("rel", "next")
    following.click()
    expect(page).to_have_url(base + TREATY + "articles/3/")
    expect(article_heading(page)).to_have_text(re.compile(r"^Article 3 – Illegal interception"))

    page.get_by_role("searchbox", name="Search Convention on Cybercrime").fill("interception")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(base + TREATY + "search/?q=interception")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d+ results? for “interception”"))

    result = page.get_by_role("main").get_by_role("link", name=re.compile(r"^Article 3\b")).first
    href = result.get_attribute("href") or ""
    assert re.fullmatch(r"/treaties/budapest-convention/articles/3/#art-3([.~][\w.~-]*)?", href), href
    result.click()

    expect(page).to_have_url(base + href)
    key = unquote(urlsplit(page.url).fragment)
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_id(key)
    expect(target).to_be_in_viewport()
    watch.assert_clean()


def test_skip_link_comes_first_and_moves_focus_to_the_main_content(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.goto(live_server.url + TREATY + "articles/6/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it slides into view when focused
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    watch.assert_clean()


# Everything a keyboard user could need to reach; the skip link is hidden off-screen until focused.
MARK_FOCUSABLE = """() => {
  const describe = el => {
    const name = (el.textContent || el.getAttribute('aria-label') || el.id).trim().slice(0, 40);
    return `${el.tagName.toLowerCase()} ${name}`;
  };
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]),'
    + ' select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"]),'
    + ' [contenteditable="true"]';
  const elements = [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length > 0);
  elements.forEach((el, i) => { el.dataset.e2eTab = String(i); el.dataset.e2eName = describe(el); });
  return elements.map(describe);
}"""

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.dataset.e2eTab === undefined) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    index: Number(el.dataset.e2eTab),
    name: el.dataset.e2eName,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    visible: el.checkVisibility({opacityProperty: true, visibilityProperty: true})
      && parseFloat(style.opacity) >= 0.9
      && rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth,
  };
}"""


def test_every_control_on_an_article_page_is_reached_by_tab_with_a_visible_outline(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.goto(live_server.url + TREATY + "articles/6/")
    focusable: list[str] = page.evaluate(MARK_FOCUSABLE)
    assert len(focusable) > 10, focusable  # header, breadcrumbs, one permalink per paragraph, pager

    reached: list[int] = []
    problems: list[str] = []
    for _ in range(len(focusable) + 2):
        page.keyboard.press("Tab")
        focus = page.evaluate(DESCRIBE_FOCUS)
        if focus is None:
            break  # past the last control
        reached.append(focus["index"])
        if not focus["outlined"]:
            problems.append(f"{focus['name']}: no visible focus outline ({focus['outline']})")
        if not focus["visible"]:
            problems.append(f"{focus['name']}: focused but not visible on screen")

    missed = [name for index, name in enumerate(focusable) if index not in reached]
    assert reached == list(range(len(focusable))), f"not reached by Tab, or out of order: {missed}"
    assert problems == []
    watch.assert_clean()


def test_pages_load_nothing_from_elsewhere_and_log_no_errors(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    base = live_server.url
    pages = {
        "home": "/",
        "treaty": TREATY,
        "article": TREATY + "articles/19/",
        "search": TREATY + "search/?q=computer+data",
        "api docs": "/api/docs/",
    }
    found: dict[str, dict[str, list[str]]] = {}
    for name, path in pages.items():
        watch.foreign_requests.clear()
        watch.console_errors.clear()
        watch.page_errors.clear()
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        if name == "api docs":
            # Swagger UI renders client-side: wait until it has fetched and drawn our schema.
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Marginalia API")
            expect(page.get_by_text("/api/v1/treaties/", exact=True).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        problems = {
            kind: list(values)
            for kind, values in (
                ("foreign requests", watch.foreign_requests),
                ("console errors", watch.console_errors),
                ("page errors", watch.page_errors),
            )
            if values
        }
        if problems:
            found[name] = problems
    assert not found, "\n" + pformat(found, width=160)


def test_arabic_article_page_is_right_to_left(
    page: Page, watch: PageWatch, live_server: Any, arabic_partial: None, screenshots: Path
) -> None:
    page.goto(live_server.url + "/treaties/un-cybercrime/articles/2/")
    # The chrome follows the interface language (English here, issue 16); the text keeps its own.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    heading = article_heading(page)
    expect(heading.locator("xpath=ancestor-or-self::*[@lang][1]")).to_have_attribute("lang", "ar")
    expect(heading).to_have_text(re.compile(r"^المادة 2\b"))
    # Rendered right to left: the heading's text hugs the right edge of its box.
    layout = heading.evaluate(
        """h => {
          const range = document.createRange();
          range.selectNodeContents(h);
          const text = range.getBoundingClientRect(), box = h.getBoundingClientRect();
          return {
            direction: getComputedStyle(h).direction,
            gapRight: box.right - text.right,
            gapLeft: text.left - box.left,
          };
        }"""
    )
    assert layout["direction"] == "rtl"
    assert layout["gapRight"] < 2 < layout["gapLeft"], layout
    # The site's own chrome stays English and left to right inside the Arabic page.
    assert (
        page.get_by_role("link", name="Skip to content").evaluate("a => getComputedStyle(a).direction")
        == "ltr"
    )
    page.screenshot(path=str(screenshots / "arabic-article-2.png"), full_page=True)
    watch.assert_clean()

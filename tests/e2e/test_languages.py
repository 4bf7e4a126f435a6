"""The interface in Arabic and in Chinese, in Chromium (issue 16 §1): the switcher by keyboard,
the translated chrome, right-to-left for Arabic while an English text stays left-to-right (and an
Arabic text inside the English chrome stays right-to-left), the annotate route's words from the
site's own catalogue, and axe-core on the Arabic pages."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch
from tests.e2e.test_accessibility import _violations

pytestmark = [pytest.mark.e2e]

TREATY = "/treaties/budapest-convention"


def _switch_by_keyboard(page: Page, language_name: str, button_name: str) -> None:
    """Tab to the list, choose, Tab to the button, Enter: no mouse, no script needed."""
    chooser = page.get_by_role("combobox", name=page.locator("label[for=language-select]").inner_text())
    chooser.focus()
    chooser.select_option(label=language_name)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=button_name)).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_arabic_interface_mirrors_the_chrome_and_keeps_the_english_text_ltr(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.goto(live_server.url + f"{TREATY}/articles/3/")
    _switch_by_keyboard(page, "العربية", "Change language")

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert page.url.endswith(f"{TREATY}/articles/3/")  # back on the same page
    nav = page.get_by_role("navigation", name="الحساب")
    expect(nav.get_by_role("link", name="المنظمات")).to_be_visible()
    expect(page.get_by_role("link", name="تخطَّ إلى المحتوى")).to_be_attached()
    # The English text of the convention reads left to right inside the Arabic chrome.
    article = page.locator("article.treaty-article")
    expect(article).to_have_attribute("lang", "en")
    assert article.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert page.locator("header.site-header").evaluate("el => getComputedStyle(el).direction") == "rtl"
    # The annotate script's words come from /jsi18n/ in Arabic.
    assert page.evaluate("window.gettext('Edit your annotation')") == "تعديل تعليقك التوضيحي"
    watch.assert_clean()


def test_chinese_interface_by_the_switcher(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.goto(live_server.url + "/")
    _switch_by_keyboard(page, "中文", "Change language")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("开放评论的条约草案")
    expect(page.get_by_role("button", name="切换语言")).to_be_visible()
    # The choice is kept across pages (the cookie), and can be undone with the same form.
    page.goto(live_server.url + f"{TREATY}/")
    expect(page.get_by_role("heading", name="目录")).to_be_visible()
    _switch_by_keyboard(page, "English", "切换语言")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    watch.assert_clean()


def test_english_chrome_keeps_an_arabic_text_rtl(
    page: Page, watch: PageWatch, live_server: Any, arabic_partial: None
) -> None:
    page.goto(live_server.url + "/treaties/un-cybercrime/articles/2/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    article = page.locator("article.treaty-article")
    expect(article).to_have_attribute("lang", "ar")
    assert article.evaluate("el => getComputedStyle(el).direction") == "rtl"
    watch.assert_clean()


def test_axe_passes_on_the_arabic_pages(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    paths = [
        "/",
        f"{TREATY}/",
        f"{TREATY}/articles/3/",
        f"{TREATY}/search/?q=interception",
        f"{TREATY}/heatmap/",
        f"{TREATY}/briefing/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/organisations/",
    ]
    problems = [problem for path in paths for problem in _violations(page, live_server.url, path)]
    assert not problems, "axe found:\n" + "\n".join(problems)
    watch.assert_clean()

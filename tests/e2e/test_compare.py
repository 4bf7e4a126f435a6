"""A reader in Chromium follows a superseded draft to what changed, and reads the redline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PageWatch
from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def two_drafts(live_server: Any, tmp_path: Path) -> None:
    call_command(
        "import_treaty", str(write_draft(tmp_path, "1.md", FIRST)), "--slug", "sample", "--version", "D/1",
        "--date", "2024-01-10",
    )  # fmt: skip
    call_command(
        "import_treaty", str(write_draft(tmp_path, "2.md", SECOND)), "--slug", "sample", "--version", "D/2",
        "--follows", "D/1", "--date", "2024-03-01", "--current",
    )  # fmt: skip


def test_reader_opens_what_changed_from_a_superseded_draft(
    page: Page, watch: PageWatch, live_server: Any, two_drafts: None
) -> None:
    base = live_server.url
    page.goto(base + "/treaties/sample/articles/1/?version=D/1")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("This draft (D/1) has been superseded.")
    notice.get_by_role("link", name="What changed from D/1 to D/2").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What changed from D/1 to D/2")
    changed = page.get_by_role("heading", name=re.compile(r"^Articles that changed"))
    expect(changed).to_be_visible()
    first = page.locator("ol.changed-articles li").first
    expect(first).to_have_text(re.compile(r"^Article 1 – modified: 1 provision changed"))
    # The redline says "added" in words (read by screen readers), not by colour alone.
    insertion = page.locator("ins").filter(has_text="defined").first
    expect(insertion).to_be_visible()
    assert insertion.text_content() == "[added: defined ]"
    expect(page.locator(".redline").first).to_have_attribute("dir", "ltr")

    page.get_by_label("inline").check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"view=inline"))
    expect(page.locator(".redline-sides")).to_have_count(0)
    expect(page.locator("ins").filter(has_text="defined").first).to_be_visible()
    assert watch.foreign_requests == [] and watch.console_errors == [] and watch.page_errors == []

"""Commentary that follows the text, in Chromium (issue 15): a new draft is imported, a reader
opens what changed and sees alice's annotation carried to the new draft with its badge, a
moderator reviews the one that needs review, and alice marks the outcome of her concern."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import AnchorResolution
from tests.annotations.carrying.drafts import EARLIER, LATER, annotate, import_draft
from tests.e2e.conftest import PageWatch, log_in
from tests.treaty.drafts.drafts import write_draft

pytestmark = [pytest.mark.e2e]


def test_a_new_draft_carries_the_annotations_to_review_and_mark(
    page: Page, watch: PageWatch, live_server: Any, tmp_path: Path, alice: User, mod: User
) -> None:
    base = live_server.url
    first = import_draft(tmp_path, "D/1", EARLIER)
    annotate(alice, first, "art-2.1", "duties of each party", body="Placeholder concern about the duties.")
    annotate(alice, first, "art-1.2", "about terms", body="Placeholder concern about the terms.")
    # The new draft: mapped to D/1, made current, and the annotations carried (inline in tests).
    later = write_draft(tmp_path, "later.md", LATER)
    call_command(
        "import_treaty", str(later), "--slug", "sample", "--version", "D/2",
        "--follows", "D/1", "--current", "--allow-gaps",
    )  # fmt: skip
    assert AnchorResolution.objects.filter(version__label="D/2").count() == 2

    page.goto(base + "/treaties/sample/compare/?from=D/1&to=D/2")
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed from D/1 to D/2")

    page.goto(base + "/treaties/sample/articles/5/")
    carried = page.locator("article.annotation").filter(has_text="Placeholder concern about the duties.")
    expect(carried.locator(".carried-badge")).to_contain_text("Written on D/1")
    expect(carried).to_contain_text("As the commenter read it in D/1 (Article 2(1))")
    page.get_by_label("Written on").select_option("here")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("article.annotation")).to_have_count(0)

    log_in(page, base, mod.email)
    page.goto(base + "/moderation/reanchor/")
    item = page.locator(".reanchor-item").filter(has_text="D/1 → D/2")
    expect(item.locator(".reanchor-old mark")).to_contain_text("about terms")
    item.get_by_role("button", name=re.compile("^Confirm the first candidate")).click()
    expect(page.get_by_role("status").first).to_contain_text("Confirmed by a person")
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()

    log_in(page, base, alice.email)
    page.goto(base + "/treaties/sample/articles/5/")
    mine = page.locator("article.annotation").filter(has_text="Placeholder concern about the duties.")
    mine.get_by_text("Mark the outcome").click()
    mine.get_by_label("Partly addressed").check()
    mine.get_by_role("button", name="Save the outcome").click()
    mine = page.locator("article.annotation").filter(has_text="Placeholder concern about the duties.")
    expect(mine.locator(".carried-badge")).to_contain_text("Outcome: Partly addressed")
    expect(page.locator(".panel-carried")).to_contain_text("1 partly addressed")
    assert watch.foreign_requests == [] and watch.console_errors == [] and watch.page_errors == []

"""Moderation in Chromium (issue 5): on a pre-moderated draft, a moderator approves one of alice's
annotations and rejects the other with a reason; alice reads the reason on "My annotations"; an
anonymous reader of the article page sees only the approved one.

Locators go by role and accessible name: each console button must say which item it acts on.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import Annotation, ModerationEvent
from annotations.services import QuoteInput, annotation_create
from tests.e2e.conftest import PageWatch, log_in
from treaty.models import DraftVersion

pytestmark = [pytest.mark.e2e]

ARTICLE = "/treaties/budapest-convention/articles/3/"
APPROVED_BODY = "Interception powers need prior judicial authorisation."
REJECTED_BODY = "Emissions are a red herring here."
REASON = "Please say which safeguard is missing, with a source."
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def two_pending(budapest: None, alice: User) -> tuple[Annotation, Annotation]:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    version.moderation = "pre"
    version.verified_skip_queue = False  # alice's organisation is verified: it must not skip the queue
    version.save()

    def annotate(quote: str, body: str) -> Annotation:
        return annotation_create(
            author=alice,
            version=version,
            provision_key="art-3",
            quote=QuoteInput(quote),
            tags=["surveillance-powers"],
            severity=3,
            position="amend" if body == APPROVED_BODY else "concern",
            body=body,
            proposed_text="… with prior judicial authorisation …" if body == APPROVED_BODY else "",
        )

    first = annotate("the interception without right", APPROVED_BODY)
    second = annotate("electromagnetic emissions", REJECTED_BODY)
    assert (first.status, second.status) == ("pending", "pending")
    return first, second


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")).to_be_visible()


def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size}"


def test_moderator_approves_one_rejects_the_other_author_sees_why_public_sees_only_the_approved(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    two_pending: tuple[Annotation, Annotation],
    mod: User,
    alice: User,
    screenshots: Path,
) -> None:
    base = live_server.url
    keep, drop = two_pending
    account_nav = page.get_by_role("navigation", name="Account")
    page.set_viewport_size(PHONE)  # the console must work on a phone

    # The moderator opens the queue from the header.
    log_in(page, base, mod.email)
    account_nav.get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Waiting for a decision, in all treaties")).to_contain_text(
        "2 pending annotations"
    )
    item = page.get_by_role("article", name=re.compile(rf"^Annotation {keep.pk} on Article 3"))
    # The quoted words are highlighted inside their paragraph; the moderator sees who wrote it.
    expect(item.locator("mark")).to_have_text("the interception without right")
    expect(item).to_contain_text("Alice Activist (Digital Rights Watch)")
    expect(item).to_contain_text(APPROVED_BODY)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(screenshots / "moderation-queue-phone.png"), full_page=True)

    # Approve the first, by its button's full name.
    page.get_by_role("button", name=f"Approve annotation {keep.pk}", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Approved annotation {keep.pk}.")
    expect(page.get_by_role("article", name=re.compile(rf"^Annotation {keep.pk} "))).to_have_count(0)

    # Reject the second with the keyboard only: open the disclosure, type the reason, submit.
    summary = page.get_by_text(re.compile(rf"^Reject annotation {drop.pk}…$"))
    summary.focus()
    page.keyboard.press("Enter")
    reason = page.get_by_label(f"Reason for rejecting annotation {drop.pk}")
    expect(reason).to_be_visible()
    page.keyboard.press("Tab")
    expect(reason).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Reject annotation {drop.pk}", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Rejected annotation {drop.pk}")
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()

    # The audit log has both decisions.
    page.get_by_role("navigation", name="Moderation console").get_by_role("link", name="Audit log").click()
    log = page.get_by_role("table")
    expect(log).to_contain_text("pending → approved")
    expect(log).to_contain_text(REASON)
    log_out(page)

    # Alice sees the rejection reason on "My annotations".
    log_in(page, base, alice.email)
    account_nav.get_by_role("link", name="My annotations").click()
    expect(page.get_by_role("heading", name="My annotations", level=1)).to_be_visible()
    rejected = page.get_by_role("article", name=f"Annotation {drop.pk} on Article 3")
    expect(rejected).to_contain_text("Not published")
    expect(rejected).to_contain_text(f"Why it was not published: {REASON}")
    expect(page.get_by_role("article", name=f"Annotation {keep.pk} on Article 3")).to_contain_text(
        "Published"
    )
    assert_no_horizontal_scroll(page)
    log_out(page)

    # The console and "My annotations" ran clean (no CSP violation, nothing fetched elsewhere)
    # before the article page, which loads the annotation panel's script, is opened.
    watch.assert_clean()

    # An anonymous reader of the article sees only the approved annotation.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + ARTICLE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Article 3")
    expect(page.get_by_text(APPROVED_BODY)).to_be_visible()
    expect(page.get_by_text(REJECTED_BODY)).to_have_count(0)
    assert REASON not in page.content()

    assert Annotation.objects.get(pk=keep.pk).status == "approved"
    assert (
        Annotation.objects.get(pk=drop.pk).status,
        Annotation.objects.get(pk=drop.pk).rejection_reason,
    ) == (
        "rejected",
        REASON,
    )
    assert list(ModerationEvent.objects.order_by("id").values_list("action", "actor__email")) == [
        ("approve", mod.email),
        ("reject", mod.email),
    ]
    watch.assert_clean()

"""Annotating in Chromium (issue 4): words selected with the mouse, the keyboard-only route, the
panel's buttons per persona, highlights that survive a reload, no console errors, no CSP violations.

Budapest Articles 2 and 3 have no numbered paragraphs: their only text is the article's own
block (key `art-2`, `art-3`), so "paragraph 1 of Article 3" is `art-3` here.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import Annotation, Endorsement, Reply
from annotations.services import QuoteInput, annotation_create
from tests.e2e.conftest import PageWatch
from treaty.models import DraftVersion, Provision

pytestmark = [pytest.mark.e2e]

TREATY = "/treaties/budapest-convention/"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def log_in(page: Page, live_server: Any) -> Callable[[User], None]:
    """Put a real session of `user` into the browser (the login form has its own e2e tests)."""

    def as_user(user: User) -> None:
        client = Client()
        client.force_login(user)
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )

    return as_user


def select_words(
    page: Page, provision: str, words: str, *, end_provision: str | None = None, end_words: str = ""
) -> None:
    """Drag the mouse from the first letter of `words` to the last one (or to the end of `end_words`)."""
    box = page.evaluate(
        """([provision, words, endProvision, endWords]) => {
          const rectOf = (key, phrase, atEnd) => {
            const body = document.querySelector(`.provision-body[data-provision="${key}"]`);
            const node = body.firstChild;
            const at = node.data.indexOf(phrase);
            if (at < 0) throw new Error(`${phrase} not in ${key}`);
            const range = document.createRange();
            const offset = atEnd ? at + phrase.length - 1 : at;
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const rect = range.getClientRects()[0];
            return {x: atEnd ? rect.right - 1 : rect.left + 1, y: rect.top + rect.height / 2};
          };
          const start = rectOf(provision, words, false);
          const end = endProvision ? rectOf(endProvision, endWords, true) : rectOf(provision, words, true);
          return {start, end};
        }""",
        [provision, words, end_provision, end_words],
    )
    page.mouse.move(box["start"]["x"], box["start"]["y"])
    page.mouse.down()
    page.mouse.move(box["end"]["x"], box["end"]["y"], steps=12)
    page.mouse.up()


DESCRIBE_ACTIVE = (
    "() => { const e = document.activeElement; return e ? `${e.tagName} #${e.id} ${e.name || ''}` : '' }"
)


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab (only Tab) until the element matching `selector` has the focus."""
    visited: list[str] = []
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
        visited.append(page.evaluate(DESCRIBE_ACTIVE))
    raise AssertionError(f"Tab never reached {selector}: {visited}")


def focused_outline(page: Page) -> str:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return `${s.outlineStyle} ${s.outlineWidth}`; }"
    )


def forget_expected_refusal(watch: PageWatch, path: str) -> None:
    """Chromium logs every 4xx answer as a console error; the one a test provoked on purpose is fine."""
    expected = [e for e in watch.console_errors if "status of 400" in e and path in e]
    assert len(expected) == 1, watch.console_errors
    watch.console_errors.remove(expected[0])


def marked_text(page: Page, annotation_id: int) -> str:
    marks = page.locator(f'mark.hl[data-annotation="{annotation_id}"]')
    expect(marks.first).to_be_visible()
    return "".join(marks.all_text_contents())


def budapest_version() -> DraftVersion:
    return DraftVersion.objects.get(treaty__slug="budapest-convention")


def annotate_as(user: User, key: str, quote: str | None, body: str, **extra: Any) -> Annotation:
    return annotation_create(
        author=user,
        version=budapest_version(),
        provision_key=key,
        quote=QuoteInput(quote) if quote else None,
        tags=extra.pop("tags", ["privacy"]),
        severity=extra.pop("severity", 2),
        position=extra.pop("position", "concern"),
        body=body,
        **extra,
    )


def test_alice_selects_words_in_article_2_with_the_mouse_and_after_a_reload_they_are_highlighted(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    log_in: Callable[[User], None],
) -> None:
    log_in(alice)
    page.goto(live_server.url + TREATY + "articles/2/")
    expect(
        page.get_by_role("button", name="Annotate Article 2", exact=True)
    ).to_be_visible()  # the script is running

    words = "the whole or any part of a computer system"
    select_words(page, "art-2", words)
    dialog = page.get_by_role("dialog", name="Annotate the selected words")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Quote (optional)")).to_have_value(words)
    # Focus moved into the dialog, on the first concern tag; the words are marked meanwhile.
    expect(dialog.get_by_role("checkbox", name="Privacy")).to_be_focused()
    expect(page.locator("mark.hl-pending")).to_have_text(words)
    # The user's default attribution is preselected.
    expect(dialog.get_by_role("radio", name="My name and organisation")).to_be_checked()

    dialog.get_by_role("checkbox", name="Privacy").check()
    dialog.get_by_role("radio", name="Serious").check()
    dialog.get_by_label("Position").select_option("oppose")
    dialog.get_by_label("Comment", exact=True).fill(
        "Access to *any part* of a system is too broad without a security breach."
    )
    dialog.get_by_role("button", name="Save").click()

    expect(dialog).to_be_hidden()
    annotation = Annotation.objects.get()
    text = Provision.objects.get(version=budapest_version(), key="art-2").text
    assert annotation.target.exact == words
    assert (annotation.target.start, annotation.target.end) == (
        text.index(words),
        text.index(words) + len(words),
    )
    assert [t.slug for t in annotation.tags.all()] == ["privacy"]
    assert (annotation.severity, annotation.position, annotation.author) == (3, "oppose", alice)

    page.reload()
    assert marked_text(page, annotation.pk) == words
    expect(page.locator(f'mark.hl[data-annotation="{annotation.pk}"]').first).to_have_class(
        re.compile(r"\btag-privacy\b")
    )
    entry = page.locator(f"#annotation-{annotation.pk}")
    expect(entry).to_contain_text("too broad without a security breach")
    expect(entry.locator("em")).to_have_text("any part")
    expect(entry.get_by_role("listitem").filter(has_text="Privacy")).to_be_visible()
    expect(page.get_by_role("link", name="1 annotation on Article 2 as a whole")).to_be_visible()

    # Selecting it in the panel scrolls to the words and marks them.
    page.mouse.wheel(0, 2000)
    entry.get_by_role("link", name=re.compile("Show in the text")).click()
    mark = page.locator(f'mark.hl[data-annotation="{annotation.pk}"]').first
    expect(mark).to_have_class(re.compile(r"\bhl-active\b"))
    expect(mark).to_be_in_viewport()
    watch.assert_clean()


def test_a_selection_across_two_paragraphs_is_refused_with_a_way_out(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    log_in: Callable[[User], None],
) -> None:
    log_in(alice)
    page.goto(live_server.url + TREATY + "articles/4/")
    expect(page.get_by_role("button", name="Annotate Article 4", exact=True)).to_be_visible()
    select_words(
        page, "art-4.1", "alteration or suppression", end_provision="art-4.2", end_words="reserve the right"
    )
    notice = page.get_by_role("alert").filter(has_text="Your selection spans")
    expect(notice).to_have_text(
        re.compile(
            r"Your selection spans Article 4\(1\) and Article 4\(2\): select words within one paragraph, "
            r"or annotate the whole article\."
        )
    )
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.get_by_role("button", name="Annotate the whole article").click()
    dialog = page.get_by_role("dialog", name="Annotate Article 4")
    expect(dialog.get_by_label("Provision")).to_have_value("art-4")
    expect(dialog.get_by_label("Provision")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert not Annotation.objects.exists()
    watch.assert_clean()


def test_keyboard_only_route_annotates_article_3(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    log_in: Callable[[User], None],
) -> None:
    log_in(alice)
    page.goto(live_server.url + TREATY + "articles/3/")
    button = page.get_by_role("button", name="Annotate Article 3", exact=True)
    expect(button).to_be_visible()

    tab_to(page, ".annotate-article")
    assert focused_outline(page).startswith("solid 3px")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Annotate Article 3")
    expect(dialog).to_be_visible()
    picker = dialog.get_by_label("Provision")
    expect(picker).to_be_focused()
    expect(picker).to_have_value("art-3")  # Article 3's only text block (no numbered paragraphs)

    # Escape closes the dialog and gives the focus back to the button that opened it.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker).to_be_focused()

    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Quote (optional)")).to_be_focused()
    page.keyboard.type("interception with right")  # not in the text: the server says so
    tab_to(page, "#annotate-dialog input[name=tags][value=privacy]")
    page.keyboard.press("Space")
    tab_to(page, "#annotate-dialog input[name=severity]:checked")
    page.keyboard.press("ArrowRight")  # Concern -> Serious
    tab_to(page, "#annotate-position")
    page.keyboard.press("ArrowDown")  # Concern -> Oppose
    tab_to(page, "#annotate-body")
    page.keyboard.type("Interception should need prior judicial authorisation.")
    tab_to(page, "#annotate-save")
    assert focused_outline(page).startswith("solid 3px")
    page.keyboard.press("Enter")

    error = dialog.locator("#annotate-quote-error")
    expect(error).to_have_text(
        re.compile(r"^The quoted words are not in Article 3: “interception with right”\.")
    )
    expect(error).to_have_attribute("role", "alert")
    quote = dialog.get_by_label("Quote (optional)")
    expect(quote).to_be_focused()
    expect(quote).to_have_attribute("aria-invalid", "true")
    assert not Annotation.objects.exists()
    forget_expected_refusal(watch, "/api/v1/annotations/")

    page.keyboard.press("Control+a")
    page.keyboard.type("interception without right")
    tab_to(page, "#annotate-save")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    annotation = Annotation.objects.get()
    assert annotation.target.provision_key == "art-3"
    assert annotation.target.exact == "interception without right"
    assert (annotation.severity, annotation.position) == (3, "oppose")
    assert [t.slug for t in annotation.tags.all()] == ["privacy"]
    # Back on the page (reloaded), the new annotation has the focus and its words are marked.
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_focused()
    assert marked_text(page, annotation.pk) == "interception without right"
    watch.assert_clean()


def test_mallory_sees_no_edit_button_on_alices_annotation_and_alice_edits_hers(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    mallory: User,
    log_in: Callable[[User], None],
) -> None:
    annotation = annotate_as(alice, "art-3", "non-public transmissions", "Who decides what is public?")
    url = live_server.url + TREATY + "articles/3/"

    log_in(mallory)
    page.goto(url)
    entry = page.locator(f"#annotation-{annotation.pk}")
    expect(entry).to_be_visible()
    expect(entry.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
    expect(entry.get_by_text("Delete", exact=False)).to_have_count(0)
    expect(entry.get_by_role("button", name="Endorse as Mallory Monitoring")).to_be_visible()

    log_in(alice)
    page.goto(url)
    entry = page.locator(f"#annotation-{annotation.pk}")
    edit = entry.get_by_role("button", name=f"Edit your annotation {annotation.pk}")
    expect(edit).to_be_visible()
    expect(entry.get_by_role("button", name=re.compile("^Endorse"))).to_have_count(0)
    edit.click()
    dialog = page.get_by_role("dialog", name="Edit your annotation")
    expect(dialog.get_by_label("Comment", exact=True)).to_have_value("Who decides what is public?")
    expect(dialog.get_by_role("checkbox", name="Privacy")).to_be_checked()
    expect(dialog.get_by_label("Provision")).to_be_hidden()  # the target cannot change
    expect(dialog).to_contain_text("“non-public transmissions”")
    dialog.get_by_label("Comment", exact=True).fill("Who decides what is non-public, and how?")
    dialog.get_by_role("checkbox", name="Surveillance powers").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_contain_text(
        "Who decides what is non-public, and how?"
    )
    annotation.refresh_from_db()
    assert annotation.body == "Who decides what is non-public, and how?" and annotation.edited_at is not None
    assert sorted(t.slug for t in annotation.tags.all()) == ["privacy", "surveillance-powers"]
    watch.assert_clean()


def test_reply_endorse_flag_and_delete_through_the_api_leave_a_readable_thread(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    mallory: User,
    log_in: Callable[[User], None],
) -> None:
    annotation = annotate_as(alice, "art-3", None, "The whole article lacks safeguards.")
    url = live_server.url + TREATY + "articles/3/"

    log_in(mallory)
    page.goto(url)
    entry = page.locator(f"#annotation-{annotation.pk}")
    entry.locator("summary").filter(has_text=re.compile("^Reply")).click()
    entry.get_by_label("Your reply", exact=True).fill("   ")  # past the browser's own check of an empty field
    entry.get_by_role("button", name="Post reply").click()
    expect(entry.get_by_role("alert").filter(has_text="Write a reply")).to_have_text(
        "Write a reply: it cannot be empty."
    )
    forget_expected_refusal(watch, f"/api/v1/annotations/{annotation.pk}/replies/")
    entry.get_by_label("Your reply", exact=True).fill("Which safeguards, exactly?")
    entry.get_by_role("button", name="Post reply").click()
    reply = page.locator("li.reply").filter(has_text="Which safeguards, exactly?")
    expect(reply).to_be_focused()
    assert Reply.objects.get().author == mallory

    entry = page.locator(f"#annotation-{annotation.pk}")
    entry.get_by_role("button", name="Endorse as Mallory Monitoring").click()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_contain_text("1 endorsement")
    assert Endorsement.objects.get().organization.slug == "mallory-monitoring"

    entry = page.locator(f"#annotation-{annotation.pk}")
    entry.locator("summary").filter(has_text=re.compile("^Flag")).click()
    entry.get_by_role("radio", name="Misleading").check()
    entry.get_by_role("button", name="Send flag").click()
    expect(entry.get_by_role("status")).to_have_text("Thank you: moderators will look at it.")

    log_in(alice)
    page.goto(url)
    entry = page.locator(f"#annotation-{annotation.pk}")
    entry.locator("summary").filter(has_text=re.compile("^Delete")).click()
    entry.get_by_role("button", name="Yes, delete it").click()
    tombstone = page.locator(f"#annotation-{annotation.pk}")
    expect(tombstone).to_contain_text("Deleted annotation")
    expect(tombstone).to_contain_text("Which safeguards, exactly?")
    expect(tombstone).not_to_contain_text("The whole article lacks safeguards.")
    watch.assert_clean()


def test_overlapping_highlights_nest_and_unicode_offsets_convert(
    page: Page, watch: PageWatch, live_server: Any, budapest: None, alice: User, mallory: User
) -> None:
    outer = annotate_as(alice, "art-3", "interception without right, made by technical means", "Outer.")
    inner = annotate_as(mallory, "art-3", "made by technical means", "Inner.", tags=["gender"])
    page.goto(live_server.url + TREATY + "articles/3/")
    assert marked_text(page, outer.pk) == "interception without right, made by technical means"
    assert marked_text(page, inner.pk) == "made by technical means"
    nested = page.locator(f'mark.hl[data-annotation="{outer.pk}"] > mark.hl[data-annotation="{inner.pk}"]')
    expect(nested).to_have_class(re.compile(r"\bhl-depth-1\b"))
    # The two underlines sit at different heights, so both stay visible.
    offsets = nested.evaluate(
        "m => [getComputedStyle(m.parentElement).textUnderlineOffset,"
        " getComputedStyle(m).textUnderlineOffset]"
    )
    assert offsets[0] != offsets[1], offsets

    # The page script converts between code points (the API) and UTF-16 (the DOM).
    conversions = page.evaluate(
        """async () => {
          const m = await import('/static/js/annotate.js');
          const text = 'Data 🔒 about 👩🏽‍💻 users and دولة طرف';
          const cp = Array.from(text.slice(0, text.indexOf('users'))).length;
          const units = text.indexOf('users');
          return [m.codePointsToUtf16(text, cp), units, m.utf16ToCodePoints(text, units), cp];
        }"""
    )
    assert conversions[0] == conversions[1] and conversions[2] == conversions[3]
    watch.assert_clean()


def test_arabic_quote_is_highlighted_right_to_left(
    page: Page, watch: PageWatch, live_server: Any, arabic_partial: None, alice: User
) -> None:
    version = DraftVersion.objects.get(treaty__slug="un-cybercrime")
    provision = (
        Provision.objects.filter(version=version, article__number="2").exclude(text="").order_by("order")[1]
    )
    words = provision.text.split()[1] + " " + provision.text.split()[2]
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key=provision.key,
        quote=QuoteInput(words),
        tags=["privacy"],
        severity=1,
        position="clarify",
        body="Arabic wording.",
    )
    page.goto(live_server.url + "/treaties/un-cybercrime/articles/2/")
    assert marked_text(page, annotation.pk) == words
    panel = page.get_by_role("complementary", name=re.compile("^Annotations"))
    expect(panel).to_have_attribute("dir", "ltr")
    expect(panel.locator(".annotation-quote")).to_have_attribute("dir", "rtl")
    watch.assert_clean()


def test_the_annotate_form_works_at_phone_width(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    log_in: Callable[[User], None],
) -> None:
    page.set_viewport_size(PHONE)
    log_in(alice)
    page.goto(live_server.url + TREATY + "articles/6/")
    page.get_by_role("button", name="Annotate Article 6(1)").first.click()
    dialog = page.get_by_role("dialog", name="Annotate Article 6(1)")
    expect(dialog).to_be_in_viewport()
    box = dialog.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"] and box["x"] >= 0
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
        .slice(0, 10)""")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px: {wide}"
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    watch.assert_clean()

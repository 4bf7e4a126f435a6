"""The moderation queue at speed (issue 14 §3), in Chromium: thirty decisions by keyboard alone,
shortcuts that never fire inside a text field, a published item with flags kept and its flags
dismissed, and a bulk decision over items one of which another moderator decided meanwhile."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import Annotation, Flag
from annotations.moderation.services import moderate
from annotations.services import annotation_create, flag_create
from tests.e2e.conftest import PageWatch, log_in
from treaty.models import DraftVersion

pytestmark = [pytest.mark.e2e]

KEYS = [
    "art-2",
    "art-3",
    "art-4.1",
    "art-5",
    "art-6.1.a",
    "art-7",
    "art-8",
    "art-9.1",
    "art-10.1",
    "art-11.1",
]
REASON = "Please cite the clause; a job for a test of shortcuts: a j k s x r ?"


# Placeholder words: each comment a different run of them, so that the thirty are not grouped as
# near-identical (annotations.campaigns would show them as one queue item).
_WORDS = [
    "amber",
    "basalt",
    "cobalt",
    "dune",
    "ember",
    "fjord",
    "glacier",
    "harbour",
    "iris",
    "juniper",
    "kelp",
    "lagoon",
    "meadow",
    "nectar",
    "orchid",
    "pebble",
    "quartz",
    "reef",
    "saffron",
    "tundra",
    "umber",
    "violet",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
]


def _distinct_body(n: int) -> str:
    words = [_WORDS[(n * step + offset) % len(_WORDS)] for offset, step in enumerate((1, 3, 5, 7, 11, 13))]
    return f"Keyboard test {n}: {' '.join(words)}."


def _pending(version: DraftVersion, author: User, count: int) -> list[Annotation]:
    return [
        annotation_create(
            author=author,
            version=version,
            provision_key=KEYS[n % len(KEYS)],
            tags=["privacy"],
            severity=1 + n % 3,
            position="concern",
            body=_distinct_body(n),
        )
        for n in range(count)
    ]


@pytest.fixture
def pre_moderated(budapest: None) -> DraftVersion:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    return version


def _queue(page: Page, base: str) -> None:
    page.goto(base + "/moderation/")
    expect(page.get_by_role("heading", name="Moderation queue", level=1)).to_be_visible()


def test_thirty_decisions_by_keyboard_alone(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    pre_moderated: DraftVersion,
    alice: User,
    mallory: User,
    mod: User,
) -> None:
    base = live_server.url
    # The oldest item: published, with a flag; then thirty pending ones.
    flagged = annotation_create(
        author=mallory,
        version=pre_moderated,
        provision_key="art-2",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Published, then flagged.",
    )
    flagged = moderate(item=flagged, moderator=mod, action="approve").item
    flag_create(user=alice, annotation=flagged, reason="misleading", note="Not what the text says.")
    made = _pending(pre_moderated, alice, 29)
    log_in(page, base, mod.email)
    _queue(page, base)

    # The shortcuts are listed on the page; "?" shows them.
    page.keyboard.press("?")
    expect(page.get_by_text("next item")).to_be_visible()
    page.keyboard.press("?")

    # The flagged published item comes first: "a" keeps it published and dismisses its flags.
    page.keyboard.press("j")
    first = page.locator(".mod-item.current")
    expect(first).to_have_id(f"annotation-{flagged.pk}")
    expect(
        first.get_by_role("button", name=f"Keep published, dismiss flags annotation {flagged.pk}")
    ).to_be_visible()
    page.keyboard.press("a")
    expect(page.get_by_role("status")).to_contain_text(f"Approved annotation {flagged.pk}.")

    # Reject one with a reason typed through letters that are shortcuts elsewhere: inside the
    # text field none of them fires (the count of items does not move, nothing is selected).
    items = page.locator(".mod-item")
    before = items.count()
    page.keyboard.press("r")
    reason = page.get_by_label(f"Reason for rejecting annotation {made[0].pk}", exact=True)
    expect(reason).to_be_focused()
    page.keyboard.type(REASON)
    expect(items).to_have_count(before)
    expect(page.locator('.mod-item input[name="items"]:checked')).to_have_count(0)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Reject annotation {made[0].pk}", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Rejected annotation {made[0].pk}")

    # Spam one, then approve the rest with "a", page after page, the keyboard alone.
    page.keyboard.press("s")
    expect(page.get_by_role("status")).to_contain_text(f"Marked annotation {made[1].pk} as spam.")
    decided = 3
    while decided < 30:
        if page.get_by_role("link", name="Load the queue again").count():
            expect(page.get_by_role("link", name="Load the queue again")).to_be_focused()
            page.keyboard.press("Enter")
            expect(page.locator(".mod-item").first).to_be_visible()
            page.keyboard.press("j")
        current = page.locator(".mod-item.current")
        expect(current).to_have_count(1)
        label = current.get_attribute("id") or ""
        page.keyboard.press("a")
        expect(page.get_by_role("status")).to_contain_text(f"Approved {label.replace('-', ' ')}.")
        decided += 1
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()

    assert Annotation.objects.filter(pk=made[0].pk, status="rejected", rejection_reason=REASON).exists()
    assert Annotation.objects.filter(pk=made[1].pk, status="spam").exists()
    assert Annotation.objects.filter(pk__in=[a.pk for a in made[2:]], status="approved").count() == 27
    flagged.refresh_from_db()
    assert flagged.status == "approved" and not Flag.objects.filter(resolved_at__isnull=True).exists()
    watch.assert_clean()


def test_a_bulk_decision_over_an_item_decided_meanwhile_applies_the_rest_and_keeps_it_selected(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    pre_moderated: DraftVersion,
    alice: User,
    mod: User,
    mallory: User,
) -> None:
    base = live_server.url
    made = _pending(pre_moderated, alice, 4)
    log_in(page, base, mod.email)
    _queue(page, base)
    page.get_by_label("Select all items on this page").check()
    expect(page.locator('.mod-item input[name="items"]:checked')).to_have_count(4)
    # Another moderator rejects one while this page is open.
    other = User.objects.get(pk=mod.pk)
    moderate(item=made[2], moderator=other, action="reject", reason="Off topic.")
    page.get_by_role("button", name="Apply to the selected items").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("3 of 4 decided.")
    expect(status).to_contain_text(f"Not applied, still selected: annotation {made[2].pk}")
    kept = page.locator(f"#annotation-{made[2].pk}")
    expect(kept).to_contain_text(re.compile(r"Someone decided first: it is now rejected"))
    expect(kept.locator('input[name="items"]')).to_be_checked()
    expect(page.locator(".mod-item")).to_have_count(1)
    assert (
        Annotation.objects.filter(pk__in=[made[0].pk, made[1].pk, made[3].pk], status="approved").count() == 3
    )
    assert Annotation.objects.get(pk=made[2].pk).status == "rejected"
    watch.assert_clean()

"""Flagging a reply in Chromium, and the author reading why (never who) (issue 17 §3)."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import Flag
from annotations.services import flag_create, reply_create
from tests.e2e.conftest import PageWatch
from tests.e2e.test_annotate import TREATY, annotate_as, log_in  # noqa: F401 (log_in is a fixture)

pytestmark = [pytest.mark.e2e]


def test_alice_flags_a_reply_and_reads_why_her_annotation_was_flagged(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    mallory: User,
    log_in: Callable[[User], None],  # noqa: F811
) -> None:
    annotation = annotate_as(alice, "art-3", None, "A placeholder comment on the article.")
    reply = reply_create(annotation=annotation, author=mallory, body="A placeholder reply.")
    flag_create(user=mallory, annotation=annotation, reason="other", note="A placeholder flag note.")
    url = live_server.url + TREATY + "articles/3/"

    log_in(alice)
    page.goto(url)
    entry = page.locator(f"#reply-{reply.pk}")
    entry.locator("summary").filter(has_text=re.compile("^Flag")).click()
    entry.get_by_role("radio", name="Abusive").check()
    entry.get_by_role("button", name="Send flag").click()
    expect(entry.get_by_role("status")).to_have_text("Thank you: moderators will look at it.")
    flag = Flag.objects.get(reply=reply)
    assert (flag.user, flag.reason) == (alice, "abusive")

    flags = page.locator(f"#annotation-{annotation.pk} .flags-received")
    expect(flags).to_contain_text("Other: A placeholder flag note.")
    expect(flags).not_to_contain_text("Mallory")
    watch.assert_clean()

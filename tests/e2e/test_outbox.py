"""A newcomer signs up on a development site (DEBUG on, no EMAIL_URL, as under `make run`) and
confirms the address from the local outbox, all in Chromium: no terminal, no decoding by hand."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.outbox import BACKEND
from tests.e2e.conftest import PageWatch

pytestmark = [pytest.mark.e2e]

EMAIL = "newcomer.e2e@example.org"
PASSWORD = "quiet-meadow-compass-73"


def test_a_newcomer_confirms_the_address_from_the_outbox(
    page: Page, watch: PageWatch, live_server: Any, settings: Settings, tmp_path: Path
) -> None:
    base = live_server.url
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": BACKEND, "OPTIONS": {"path": str(tmp_path)}}}
    settings.SITE_URL = base  # what bin/run-dev derives from PORT

    page.goto(base + "/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Display name").fill("Nadia Newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox", level=1)).to_be_visible()

    page.get_by_role("link", name="local outbox").click()
    expect(page.get_by_role("heading", name="Outbox", level=1)).to_be_visible()
    message = page.get_by_role("article").first
    expect(message).to_contain_text(EMAIL)
    expect(message).to_contain_text("Confirm your email address for Marginalia")
    message.get_by_role("link", name=f"{base}/accounts/confirm-email/").click()
    page.get_by_role("button", name="Confirm my address").click()

    expect(page.get_by_role("status")).to_contain_text(f"Thank you: {EMAIL} is confirmed.")
    assert User.objects.get(email=EMAIL).is_verified
    watch.assert_clean()


def test_the_outbox_is_not_found_with_debug_off(page: Page, watch: PageWatch, live_server: Any) -> None:
    response = page.goto(live_server.url + "/dev/outbox/")

    assert response is not None and response.status == 404

"""Accounts in Chromium: sign up, confirm from the email, create an organisation, have a moderator
verify it, and see the badge.

The live server runs in this process and tasks run eagerly, so the confirmation email lands in
`django.core.mail.outbox` as soon as the sign-up is committed. Locators go by role and label.
"""

import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Organization, User
from tests.accounts.links import confirmation_path_from
from tests.e2e.conftest import PageWatch

pytestmark = [pytest.mark.e2e]

ALICE_EMAIL = "alice.e2e@example.org"
ALICE_PASSWORD = "quiet-river-lantern-58"
MOD_EMAIL = "moderator.e2e@example.org"
MOD_PASSWORD = "steady-granite-harbour-31"
ORG = "Digital Rights Watch"


@pytest.fixture
def moderator(live_server: Any) -> None:
    """A moderator made the way a site administrator would: `manage.py add_user --moderator`."""
    call_command(
        "add_user",
        MOD_EMAIL,
        password=MOD_PASSWORD,
        display_name="Moe Moderator",
        moderator=True,
        stdout=io.StringIO(),
    )


def log_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    # Logged in: the account menu offers to log out (the page is the home page, or the queue).
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in")).to_be_visible()


def test_sign_up_confirm_create_an_organisation_and_see_it_verified(
    page: Page, watch: PageWatch, live_server: Any, moderator: None
) -> None:
    base = live_server.url
    account_nav = page.get_by_role("navigation", name="Account")

    # Sign up.
    page.goto(base + "/")
    account_nav.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(ALICE_EMAIL)
    page.get_by_label("Display name").fill("Alice Activist")
    page.get_by_label("Password").fill(ALICE_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox", level=1)).to_be_visible()

    # Read the confirmation email and follow its link: the page asks for a click, which confirms.
    messages = [m for m in mail.outbox if m.to == [ALICE_EMAIL]]
    assert len(messages) == 1, [m.subject for m in mail.outbox]
    page.goto(base + confirmation_path_from(messages[0]))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text(f"Thank you: {ALICE_EMAIL} is confirmed.")
    assert User.objects.get(email=ALICE_EMAIL).is_verified

    # Log in and create the organisation; it starts unverified.
    log_in(page, base, ALICE_EMAIL, ALICE_PASSWORD)
    account_nav.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Add your organisation").click()
    page.get_by_label("Name").fill(ORG)
    page.get_by_label("Type").select_option(label="NGO")
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Website").fill("https://drw.example/")
    page.get_by_label("Description").fill("Digital rights in East Africa.")
    page.get_by_role("button", name="Create the organisation").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(ORG)
    expect(heading).to_contain_text("Not verified yet")
    expect(page.get_by_role("status")).to_contain_text(f"{ORG} was created. A moderator will verify it.")
    log_out(page)

    # The moderator verifies it from the console, with a note.
    log_in(page, base, MOD_EMAIL, MOD_PASSWORD)
    account_nav.get_by_role("link", name="Moderation").click()
    # "Moderation" opens the annotation queue, whose console menu links to the verification page
    # (before the annotation console existed, it opened the verification page itself).
    to_verification = page.get_by_role("link", name=re.compile(r"^Organisations awaiting verification"))
    if to_verification.count():
        expect(to_verification).to_have_text(re.compile(r"\(1\)$"))
        to_verification.click()
    expect(page.get_by_role("heading", name="Organisations awaiting verification")).to_be_visible()
    page.get_by_label(f"How you verified {ORG}").fill("Checked the national NGO registry.")
    page.get_by_role("button", name=f"Verify {ORG}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{ORG} is now verified.")
    expect(page.get_by_text("No organisation is waiting.")).to_be_visible()
    log_out(page)

    # Alice sees the badge on her organisation's page.
    log_in(page, base, ALICE_EMAIL, ALICE_PASSWORD)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Profile").click()
    page.get_by_role("main").get_by_role("link", name=ORG).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^{ORG}\s+Verified organisation\s*$"))
    expect(heading).not_to_contain_text("Not verified")
    organization = Organization.objects.get(name=ORG)
    assert organization.is_verified
    assert organization.verified_by == User.objects.get(email=MOD_EMAIL)
    watch.assert_clean()

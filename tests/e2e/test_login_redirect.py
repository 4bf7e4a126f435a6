"""After logging in, a reader is back where they were going; with nowhere to go, readers land on
the home page and moderators on the moderation queue."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.conftest import PERSONA_PASSWORD
from tests.e2e.conftest import PageWatch

pytestmark = [pytest.mark.e2e]


def fill_login(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PERSONA_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def test_log_in_to_annotate_comes_back_to_the_article(
    page: Page, watch: PageWatch, live_server: Any, budapest: None, alice: User
) -> None:
    article = f"{live_server.url}/treaties/budapest-convention/articles/6/"
    page.goto(article)
    page.get_by_role("link", name="Log in to annotate").click()
    fill_login(page, alice.email)

    expect(page).to_have_url(article)
    expect(page.get_by_role("button", name="Annotate Article 6", exact=True)).to_be_visible()
    watch.assert_clean()


def test_the_header_log_in_link_comes_back_too(
    page: Page, watch: PageWatch, live_server: Any, budapest: None, alice: User
) -> None:
    contents = f"{live_server.url}/treaties/budapest-convention/"
    page.goto(contents)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    fill_login(page, alice.email)

    expect(page).to_have_url(contents)
    watch.assert_clean()


def test_with_nowhere_to_go_a_reader_lands_home_and_a_moderator_on_the_queue(
    page: Page, watch: PageWatch, live_server: Any, alice: User, mod: User
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    fill_login(page, alice.email)
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()

    page.goto(f"{live_server.url}/accounts/login/")
    fill_login(page, mod.email)
    expect(page).to_have_url(f"{live_server.url}/moderation/")
    watch.assert_clean()


def test_my_annotations_is_with_the_account_pages_and_leads_back_to_the_comment(
    page: Page, watch: PageWatch, live_server: Any, budapest: None, alice: User
) -> None:
    from annotations.services import annotation_create
    from treaty.models import DraftVersion

    version = DraftVersion.objects.get()
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-6.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Placeholder with *emphasis*.",
    )
    page.goto(f"{live_server.url}/accounts/login/")
    fill_login(page, alice.email)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My annotations").click()

    expect(page.get_by_role("heading", name="My annotations", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Your profile")
    expect(page.locator(".my-body em")).to_have_text("emphasis")
    page.get_by_role("link", name=f"Annotation {annotation.pk} on Article 6(1)").click()
    expect(page.locator(f"#annotation-{annotation.pk} .annotation-body em")).to_have_text("emphasis")
    watch.assert_clean()

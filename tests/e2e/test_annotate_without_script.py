"""Commenting with JavaScript turned off, in Chromium: on a whole article and on one paragraph,
through the same form the script opens as a dialog. (Selecting words stays the script's part.)"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from annotations.models import Annotation

pytestmark = [pytest.mark.e2e]

ARTICLE = "/treaties/budapest-convention/articles/6/"


@pytest.fixture
def no_script_page(browser: Browser, live_server: Any, alice: User) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    client = Client()
    client.force_login(alice)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    yield page
    context.close()


def test_alice_annotates_an_article_and_a_paragraph_without_script(
    no_script_page: Page, live_server: Any, budapest: None
) -> None:
    page = no_script_page
    page.goto(live_server.url + ARTICLE)
    # The script's buttons stay hidden; the links stand in for them.
    expect(page.get_by_role("button", name="Annotate Article 6", exact=True)).to_be_hidden()

    page.get_by_role("link", name="Annotate Article 6", exact=True).click()
    form = page.locator("#annotate-dialog")
    expect(form).to_be_visible()
    expect(form.get_by_role("heading", name="Annotate Article 6")).to_be_visible()
    form.get_by_label("Privacy").check()
    form.get_by_label("Comment", exact=True).fill("Placeholder comment on the whole article, without script.")
    form.get_by_role("button", name="Save").click()

    first = Annotation.objects.get()
    assert first.target.provision_key == "art-6"
    expect(page.locator(".messages")).to_contain_text("Your annotation on Article 6 was saved.")
    expect(page.locator(f"#annotation-{first.pk}")).to_contain_text(
        "Placeholder comment on the whole article"
    )

    # A paragraph, with a mistake first: the form comes back with the text and the reason.
    page.get_by_role("link", name="Annotate Article 6(2)").click()
    expect(form.get_by_label("Provision")).to_have_value("art-6.2")
    form.get_by_label("Comment", exact=True).fill("Placeholder comment on paragraph 2, without script.")
    form.get_by_role("button", name="Save").click()
    expect(form.locator("#annotate-tags-error")).to_have_text("Choose at least one concern tag.")
    expect(form.get_by_label("Comment", exact=True)).to_have_value(
        "Placeholder comment on paragraph 2, without script."
    )
    assert Annotation.objects.count() == 1
    form.get_by_label("Security research").check()
    form.get_by_label("Quote (optional)").fill("good faith")  # not in 6(2): refused with the reason
    form.get_by_role("button", name="Save").click()
    expect(form.locator("#annotate-quote-error")).to_contain_text("not in Article 6(2)")
    form.get_by_label("Quote (optional)").fill("")
    form.get_by_role("button", name="Save").click()

    second = Annotation.objects.exclude(pk=first.pk).get()
    assert second.target.provision_key == "art-6.2"
    assert [t.slug for t in second.tags.all()] == ["security-research"]
    expect(page.locator(f"#annotation-{second.pk}")).to_contain_text("Placeholder comment on paragraph 2")

"""The preamble and the closing formula in Chromium: read and annotated like an article, and an
old permalink to an annotation on them (/treaties/<slug>/#annotation-N) still finds it."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import User
from annotations.models import Annotation
from tests.e2e.conftest import PageWatch

pytestmark = [pytest.mark.e2e]

TREATY = "/treaties/budapest-convention/"


@pytest.fixture
def log_in(page: Page, live_server: Any) -> Callable[[User], None]:
    """A real session of `user` in the browser (the login form has its own e2e tests)."""

    def as_user(user: User) -> None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )

    return as_user


def test_alice_annotates_a_recital_from_the_preamble_page(
    page: Page,
    watch: PageWatch,
    live_server: Any,
    budapest: None,
    alice: User,
    log_in: Callable[[User], None],
) -> None:
    log_in(alice)
    page.goto(live_server.url + TREATY)
    page.get_by_role("link", name="Read and comment on the preamble").click()
    expect(page.get_by_role("heading", name="Preamble", level=1)).to_be_visible()

    page.get_by_role("button", name="Annotate Preamble", exact=True).click()
    dialog = page.get_by_role("dialog", name="Annotate Preamble")
    dialog.get_by_label("Provision").select_option("pre.3")
    dialog.get_by_label("Privacy").check()
    dialog.get_by_label("Comment", exact=True).fill("Placeholder comment on a recital.")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    annotation = Annotation.objects.get()
    assert annotation.target.provision_key == "pre.3"
    expect(page.locator(f"#annotation-{annotation.pk}")).to_contain_text("Placeholder comment on a recital.")

    # An export's permalink of the time pointed at the contents page: it leads to the annotation.
    Annotation.objects.filter(pk=annotation.pk).update(status="approved")
    page.goto(f"{live_server.url}{TREATY}#annotation-{annotation.pk}")
    expect(page).to_have_url(
        f"{live_server.url}{TREATY}parts/pre/?version=ETS+No.+185&lang=en&show={annotation.pk}#annotation-{annotation.pk}"
    )
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_visible()
    watch.assert_clean()


def test_the_closing_formula_has_its_page(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    page.goto(live_server.url + TREATY)
    page.get_by_role("link", name="Read and comment on the final clause").click()

    expect(page.get_by_role("heading", name="Final clause", level=1)).to_be_visible()
    expect(page.locator("#final")).to_contain_text("IN WITNESS WHEREOF")
    expect(page.get_by_role("link", name="Log in to annotate")).to_be_visible()
    watch.assert_clean()

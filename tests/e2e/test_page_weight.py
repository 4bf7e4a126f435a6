"""The reading pages stay light over the wire (issue 14: target ≤ 100 KB each, everything the
page loads included), with the demo content in place, as a newcomer sees them under `make run`."""

import io
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Response

pytestmark = [pytest.mark.e2e]

LIMIT = 100 * 1024
PAGES = {
    "home": "/",
    "contents": "/treaties/budapest-convention/",
    "article": "/treaties/budapest-convention/articles/6/",
    "heatmap": "/treaties/budapest-convention/heatmap/",
}


def test_the_reading_pages_weigh_at_most_100_kb(
    browser: Browser,
    live_server: Any,
    budapest: None,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    weights = {}
    for name, path in PAGES.items():
        # A fresh context each: nothing cached from the page before, as for a first visit.
        context = browser.new_context()
        page = context.new_page()
        responses: list[Response] = []

        def record(response: Response, into: list[Response] = responses) -> None:
            into.append(response)

        page.on("response", record)
        page.goto(live_server.url + path, wait_until="networkidle")
        page.remove_listener("response", record)
        total = 0
        for response in responses:
            sizes = response.request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        weights[name] = total
        context.close()
    with capsys.disabled():
        print(
            "\npage weights over the wire:", {name: f"{size / 1024:.1f} KB" for name, size in weights.items()}
        )
    assert all(size <= LIMIT for size in weights.values()), weights

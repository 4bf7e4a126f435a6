"""End-to-end fixtures: the real site (pytest-django's live server) driven by Debian's Chromium.

Run with `pytest -m e2e` (or `pytest tests/e2e`). Every page a test opens is watched for requests
to any origin other than the live server and for console errors, which is how a strict CSP
violation or a forgotten CDN link shows up.
"""

import importlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests.conftest import PERSONA_PASSWORD

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse the
# ORM calls our fixtures make (SynchronousOnlyOperation). The server itself runs in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Assertions retry up to this long; only a failing one waits it out (a loaded CI machine is slow).
expect.set_options(timeout=10_000)

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
BUDAPEST_MD = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
ARABIC_PARTIAL = REPO_ROOT / "tests" / "fixtures" / "un_cybercrime_convention_ar_arts1-15_partial.md"
SCREENSHOTS = REPO_ROOT / "var" / "test" / "e2e"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # A missing browser is a broken machine, not a reason to pass quietly: fail every e2e test.
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package to run the e2e tests", pytrace=False
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def concern_tags(live_server: Any) -> None:
    """The concern tags a data migration seeds. Live-server tests run on a transactional database
    that is flushed after each test, rows written by migrations included: without this, only the
    first e2e test of a run would have tags. (Same name as the per-module fixtures, which override it.)"""
    seed = importlib.import_module("annotations.migrations.0002_seed_concern_tags").seed
    seed(django_apps, None)


@pytest.fixture(autouse=True)
def site_url(live_server: Any, settings: Any) -> None:
    """The site's own address is the live server's, as SITE_URL is the address a deployment really
    runs on: absolute links (printed briefings, exports, emails) lead back to it."""
    settings.SITE_URL = live_server.url


@pytest.fixture
def budapest(live_server: Any) -> None:
    """The bundled Budapest Convention, imported through the real command into the test database."""
    call_command(
        "import_treaty",
        str(BUDAPEST_MD),
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        "--title",
        "Convention on Cybercrime",
        stdout=io.StringIO(),
    )


@pytest.fixture
def arabic_partial(live_server: Any) -> None:
    """Articles 1-15 of the UN convention in Arabic: the right-to-left case."""
    call_command(
        "import_treaty",
        str(ARABIC_PARTIAL),
        "--slug",
        "un-cybercrime",
        "--version",
        "A/AC.291/L.15",
        stdout=io.StringIO(),
    )


@dataclass
class PageWatch:
    """What a page did that a privacy-minded, CSP-strict site must never do."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return  # data:, blob: and about: never leave the machine
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.foreign_requests.append(f"{request.resource_type} {request.url}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            self.console_errors.append(
                f"{message.text} (at {location.get('url')}:{location.get('lineNumber')})"
            )

    def on_page_error(self, error: Exception) -> None:
        self.page_errors.append(str(error))

    def assert_clean(self) -> None:
        assert not self.foreign_requests, "requests left the site:\n" + "\n".join(self.foreign_requests)
        # A CSP violation shows up here as "... violates the following Content Security Policy directive".
        assert not self.console_errors, "console errors:\n" + "\n".join(self.console_errors)
        assert not self.page_errors, "uncaught script errors:\n" + "\n".join(self.page_errors)


@pytest.fixture
def watch(page: Page, live_server: Any) -> Iterator[PageWatch]:
    parts = urlsplit(live_server.url)
    recorder = PageWatch(origin=f"{parts.scheme}://{parts.netloc}")
    page.on("request", recorder.on_request)
    page.on("console", recorder.on_console)
    page.on("pageerror", recorder.on_page_error)
    # Generous for a loaded CI machine (Swagger UI's bundle is 1.4 MB); a passing test never waits it out.
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(20_000)
    yield recorder


@pytest.fixture
def screenshots() -> Path:
    """Where tests leave screenshots for a human look; under var/, never committed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def log_in(page: Page, base: str, email: str, password: str = PERSONA_PASSWORD) -> None:
    """Through the login form, as a person would."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    # Logged in: the account menu offers to log out (the page is the home page, or the queue).
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("button", name="Log out")).to_be_visible()

"""Every page a reader, an author and a moderator use, checked by axe-core in Chromium against
WCAG 2.2 A and AA and axe's best practices: names, labels, contrast, landmarks, table headers.
The same pages are watched for requests to other sites and console errors (tests/e2e/conftest.py).

axe is injected through the DevTools protocol (page.evaluate), which the site's strict CSP does
not govern: nothing is added to the pages themselves. The axe bundle comes with the
axe-playwright-python package (requirements-dev.txt), from disk: no network.

An automated audit cannot judge everything a screen reader user meets (whether a name makes
sense, the reading order): the keyboard routes are tested one by one elsewhere (test_reading.py,
test_annotate.py, test_heatmap.py).
"""

from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from playwright.sync_api import Page

from accounts.models import User
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create
from tests.e2e.conftest import PageWatch, log_in
from treaty.models import DraftVersion

pytestmark = [pytest.mark.e2e]

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
TREATY = "/treaties/budapest-convention"


@pytest.fixture
def commented(budapest: None, alice: User, mallory: User, mod: User) -> dict[str, Annotation]:
    """Published, pending and rejected annotations, a quote among them, and the heat computed."""
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    made = {
        name: annotation_create(
            author=author,
            version=version,
            provision_key=key,
            quote=QuoteInput(quote) if quote else None,
            tags=tags,
            severity=3,
            position="oppose",
            body=f"Accessibility check, {name}: this power needs judicial authorisation.",
        )
        for name, author, key, quote, tags in [
            ("quoted", alice, "art-3", "the interception without right", ["surveillance-powers", "privacy"]),
            ("plain", mallory, "art-3", None, ["privacy"]),
            ("rejected", mallory, "art-2", None, ["overbroad-scope"]),
            ("flagged", mallory, "art-6", None, ["security-research"]),
        ]
    }
    moderate(item=made["rejected"], moderator=mod, action="reject", reason="Please cite the clause.")
    Annotation.objects.filter(pk=made["flagged"].pk).update(status="pending")  # waiting in the queue
    heat_rebuild(versions=[version])
    return made


def _violations(page: Page, base: str, path: str) -> list[str]:
    response = page.goto(base + path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.evaluate(AXE_SCRIPT)
    found: list[dict[str, Any]] = page.evaluate(
        "async (rules) => (await axe.run(document, {runOnly: {type: 'tag', values: rules}})).violations",
        RULES,
    )
    return [
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
    ]


def _audit(page: Page, watch: PageWatch, base: str, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in _violations(page, base, path)]
    assert not problems, "axe found:\n" + "\n".join(problems)
    watch.assert_clean()  # and none of these pages fetched from elsewhere or logged an error


def test_reader_pages(
    page: Page, watch: PageWatch, live_server: Any, commented: dict[str, Annotation]
) -> None:
    _audit(
        page,
        watch,
        live_server.url,
        [
            "/",
            f"{TREATY}/",
            f"{TREATY}/articles/3/",
            f"{TREATY}/articles/3/?tag=privacy",
            f"{TREATY}/search/?q=interception",
            f"{TREATY}/heatmap/",
            f"{TREATY}/heatmap/?metric=score&organization_type=ngo",
            f"{TREATY}/briefing/",
            f"{TREATY}/articles/3/briefing/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/accounts/organisations/",
        ],
    )


def test_author_pages(
    page: Page, watch: PageWatch, live_server: Any, commented: dict[str, Annotation], alice: User
) -> None:
    log_in(page, live_server.url, alice.email)
    _audit(
        page,
        watch,
        live_server.url,
        [
            f"{TREATY}/articles/3/",  # with the annotate form and her own annotation's controls
            "/accounts/profile/",
            "/accounts/organisations/new/",
            "/accounts/password/change/",
            "/accounts/profile/delete/",
        ],
    )


def test_moderator_pages(
    page: Page, watch: PageWatch, live_server: Any, commented: dict[str, Annotation], mod: User
) -> None:
    log_in(page, live_server.url, mod.email)
    _audit(
        page,
        watch,
        live_server.url,
        [
            "/moderation/",
            f"/moderation/annotations/{commented['rejected'].pk}/",
            f"/moderation/annotations/{commented['flagged'].pk}/",
            "/moderation/log/",
        ],
    )

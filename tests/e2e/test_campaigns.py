"""Campaigns in Chromium (issue 19): a moderator rejects a 30-comment campaign as one decision, and
the briefing shows a coalition's position once with its signatories."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Attribution, User
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.annotations.campaigns.conftest import variants
from tests.e2e.conftest import PageWatch, log_in
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory
from treaty.models import DraftVersion

pytestmark = [pytest.mark.e2e]


def _write(
    version: DraftVersion, author: User, body: str, attribution: str = Attribution.PERSON
) -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key="art-2",
        tags=["privacy"],
        severity=2,
        position="oppose",
        body=body,
        attribution=attribution,
    )


def test_a_moderator_rejects_a_thirty_comment_campaign_as_one_decision(
    page: Page, watch: PageWatch, live_server: Any, budapest: None, mod: User
) -> None:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    # Each write groups its comment after commit (Celery runs eagerly in the e2e tests).
    campaign = [_write(version, VerifiedUserFactory(), text) for text in variants(30)]
    base = live_server.url
    log_in(page, base, mod.email)
    page.goto(base + "/moderation/")
    items = page.locator(".mod-item")
    expect(items).to_have_count(1)
    group = page.locator(".mod-group")
    expect(group).to_contain_text("30 near-identical comments from 30 accounts in 30 organisations")
    expect(group).to_contain_text("Possible campaign")
    expect(group.locator("mark").first).to_be_visible()
    expect(group.locator('input[name="items"]:checked')).to_have_count(30)
    group.get_by_label("Reject them").check()
    group.get_by_label("Reason for rejecting them").fill("A coordinated campaign of copies.")
    group.get_by_role("button", name="Apply to the selected comments").click()
    expect(page.get_by_role("status")).to_contain_text("30 of 30 items rejected.")
    assert set(
        Annotation.objects.filter(pk__in=[a.pk for a in campaign]).values_list("status", flat=True)
    ) == {"rejected"}
    page.goto(base + "/moderation/")
    expect(page.locator(".mod-item")).to_have_count(0)
    watch.assert_clean()


def test_the_briefing_shows_a_coalitions_position_once_with_its_signatories(
    page: Page, watch: PageWatch, live_server: Any, budapest: None
) -> None:
    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    names = ["Access Now Test", "Article Nineteen Test", "Privacy Test International"]
    coalition = []
    for name, text in zip(names, variants(3), strict=True):
        member = MembershipFactory(organization=OrganizationFactory(name=name)).user
        coalition.append(_write(version, member, text, Attribution.ORGANIZATION))
    hidden = MembershipFactory(organization=OrganizationFactory(name="Hidden Test Org")).user
    coalition.append(_write(version, hidden, variants(4)[3], Attribution.ANONYMOUS))
    Annotation.objects.filter(pk__in=[a.pk for a in coalition]).update(featured=True)
    heat_rebuild(versions=[version])
    page.goto(live_server.url + "/treaties/budapest-convention/articles/2/briefing/")
    positions = page.locator(".comment-coalition")
    expect(positions).to_have_count(1)
    expect(positions).to_contain_text("One position shared by 4 near-identical comments")
    expect(positions).to_contain_text(
        "Signatories: Access Now Test, Article Nineteen Test, Privacy Test International, 1 anonymous"
    )
    expect(page.locator(".briefing-comment")).to_have_count(1)
    expect(page.get_by_text("Hidden Test Org")).to_have_count(0)
    watch.assert_clean()

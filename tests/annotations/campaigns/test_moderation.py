"""A group in the moderation queue: one item, decided as a whole or in part, logged per comment."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from annotations.campaigns.models import CampaignGroup
from annotations.models import Annotation, ModerationEvent, Status
from annotations.moderation import services as moderation
from tests.annotations.campaigns.conftest import OTHER, variants
from tests.factories import VerifiedUserFactory
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(version: DraftVersion, comment: Callable[..., Annotation]) -> list[Annotation]:
    version.moderation = DraftVersion.Moderation.PRE
    version.save(update_fields=["moderation"])
    return [comment(text) for text in variants(30)]


def moderator_client(mod) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(mod)
    return client


def test_the_queue_shows_a_campaign_as_one_item(campaign: list[Annotation], comment, mod) -> None:  # type: ignore[no-untyped-def]
    loner = comment(OTHER)
    assert {a.status for a in campaign} == {Status.PENDING}
    page = moderator_client(mod).get("/moderation/").content.decode()
    assert page.count('class="mod-item ') == 2  # the campaign, and the other comment
    assert f'id="annotation-{campaign[0].pk}"' in page and f'id="annotation-{loner.pk}"' in page
    assert "30 near-identical comments from 30 accounts in 30 organisations" in page
    # What the others change, over the first text: the verb and the signature.
    assert "<mark" in page and "strongly oppose" in page
    group = CampaignGroup.objects.get()
    assert page.count(f'id="group-{group.pk}-member-') == 30  # every member, selected
    api = moderator_client(mod).get("/api/v1/moderation/queue/").json()
    (entry,) = [e for e in api["results"] if e["campaign"]]
    assert entry["item"]["id"] == campaign[0].pk
    assert entry["campaign"]["comments"] == 30 and entry["campaign"]["possible_campaign"] is True
    assert [m["id"] for m in entry["campaign"]["members"]] == [a.pk for a in campaign]
    assert len(api["results"]) == 2


def test_a_moderator_rejects_the_campaign_in_one_decision_and_a_meanwhile_decision_is_a_409(
    campaign: list[Annotation], mod
) -> None:  # type: ignore[no-untyped-def]
    other_moderator = VerifiedUserFactory()
    other_moderator.groups.add(*mod.groups.all())
    # Another moderator approves one of them after the queue was read.
    moderation.moderate(
        item=campaign[5], moderator=other_moderator, action="approve", expected_status=Status.PENDING
    )
    response = moderator_client(mod).post(
        "/moderation/bulk/",
        {
            "action": "reject",
            "reason": "A coordinated campaign of copies.",
            "items": [f"annotation:{a.pk}:pending" for a in campaign],
        },
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert body["done"] == 29
    conflicts = [o for o in body["outcomes"] if o["result"] == "conflict"]
    assert [o["item"] for o in conflicts] == [f"annotation-{campaign[5].pk}"]
    assert conflicts[0]["http_status"] == 409
    statuses = dict(Annotation.objects.values_list("pk", "status"))
    assert statuses[campaign[5].pk] == Status.APPROVED
    assert sum(statuses[a.pk] == Status.REJECTED for a in campaign) == 29
    # Logged per comment.
    assert ModerationEvent.objects.filter(action="reject", actor=mod).count() == 29


def test_a_burst_from_new_accounts_is_flagged_as_a_possible_campaign(campaign: list[Annotation], mod) -> None:  # type: ignore[no-untyped-def]
    assert CampaignGroup.objects.get().flagged_at is not None
    assert "Possible campaign" in moderator_client(mod).get("/moderation/").content.decode()


def test_a_coalition_of_established_accounts_is_not_flagged(
    version: DraftVersion, comment: Callable[..., Annotation]
) -> None:
    old = timezone.now() - timedelta(days=400)
    for text in variants(12):
        comment(text, author=VerifiedUserFactory(date_joined=old))
    assert CampaignGroup.objects.get().flagged_at is None

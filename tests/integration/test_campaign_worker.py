"""Groups kept current by a real worker on the configured broker and database (issue 19)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.campaigns.models import CampaignGroup, CampaignMember, CampaignPending
from annotations.campaigns.tasks import campaign_reconcile_task
from tests.annotations.campaigns.conftest import OTHER, variants
from tests.factories import import_small_treaty
from tests.integration.conftest import DEAD_BROKER, WorkerProcess, publishing_to

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NEW = {"treaty": "sample", "provision": "art-2.1", "tags": ["privacy"], "severity": 2, "position": "oppose"}


def _group_of(client, pk: int) -> dict[str, int] | None:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/annotations/{pk}/").json()["group"]


def test_comments_are_grouped_by_the_worker_as_they_arrive(
    celery_worker_process: WorkerProcess, alice, api_client_as, anon
) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    writer = api_client_as(alice)
    texts = variants(3)
    ids = []
    for text in [texts[0], OTHER, texts[1]]:
        response = writer.post("/api/v1/annotations/", {**NEW, "body": text}, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    celery_worker_process.wait_until(lambda: _group_of(anon, ids[0]) is not None, "the first pair grouped")
    assert _group_of(anon, ids[0]) == {"id": CampaignGroup.objects.get().pk, "size": 2, "organizations": 1}
    assert _group_of(anon, ids[1]) is None
    # One more copy joins the same group; an edit away from the letter leaves it.
    third = writer.post("/api/v1/annotations/", {**NEW, "body": texts[2]}, format="json").json()["id"]
    celery_worker_process.wait_until(
        lambda: (_group_of(anon, third) or {}).get("size") == 3, "the third joined"
    )
    rewritten = "On reflection the definition of a computer system in this article is what worries us most."
    response = writer.patch(f"/api/v1/annotations/{ids[2]}/", {"body": rewritten}, format="json")
    assert response.status_code == 200, response.content
    celery_worker_process.wait_until(lambda: _group_of(anon, ids[2]) is None, "the edited one left")
    assert (_group_of(anon, ids[0]) or {}).get("size") == 2
    celery_worker_process.wait_until(lambda: not CampaignPending.objects.exists(), "nothing left pending")


def test_with_the_broker_down_the_marks_stay_and_the_reconcile_groups_them(
    celery_worker_process: WorkerProcess, alice, api_client_as, anon
) -> None:  # type: ignore[no-untyped-def]
    import_small_treaty()
    writer = api_client_as(alice)
    with publishing_to(DEAD_BROKER):
        for text in variants(2):
            response = writer.post("/api/v1/annotations/", {**NEW, "body": text}, format="json")
            assert response.status_code == 201, response.content  # the write does not need the broker
    assert CampaignPending.objects.count() == 2  # nothing is lost
    assert not CampaignMember.objects.exists()
    # As if the reconcile's grace period had passed; the broker is back.
    CampaignPending.objects.update(marked_at=timezone.now() - timedelta(minutes=5))
    campaign_reconcile_task.delay()
    celery_worker_process.wait_until(lambda: CampaignMember.objects.count() == 2, "the pair grouped")
    celery_worker_process.wait_until(lambda: not CampaignPending.objects.exists(), "the marks cleared")

"""The queue's script applies decisions in place (issue 14 §3): the same form routes answer JSON
when asked, with the single decision's status code per item; without the script, a refused bulk
request offers the same selection again."""

import pytest

from annotations.moderation.services import moderate
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def pending(version, alice):
    version.moderation, version.verified_skip_queue = "pre", False
    version.save()
    return [
        annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.1",
            tags=["privacy"],
            severity=2,
            position="concern",
            body=f"Pending number {n}.",
        )
        for n in range(3)
    ]


def test_a_decision_answers_json_for_the_script(pending, mod_client) -> None:
    first = pending[0]
    url = f"/moderation/annotations/{first.pk}/decide/"
    response = mod_client.post(url, {"action": "approve", "expected_status": "pending"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {
        "result": "ok",
        "message": f"Approved annotation {first.pk}.",
        "status": "approved",
    }
    # Stale: the page still said pending.
    stale = mod_client.post(url, {"action": "reject", "reason": "x", "expected_status": "pending"}, **JSON)
    assert (
        stale.status_code == 409
        and stale.json()["result"] == "conflict"
        and stale.json()["status"] == "approved"
    )
    bad = mod_client.post(
        f"/moderation/annotations/{pending[1].pk}/decide/",
        {"action": "reject", "expected_status": "pending"},
        **JSON,
    )
    assert bad.status_code == 400 and "reason" in bad.json()["message"]
    pending[1].refresh_from_db()
    assert pending[1].status == "pending"


def test_bulk_answers_per_item_with_409_for_one_decided_meanwhile(pending, mod, mod_client) -> None:
    moderate(item=pending[1], moderator=mod, action="spam")
    items = [f"annotation:{a.pk}:pending" for a in pending]
    response = mod_client.post("/moderation/bulk/", {"action": "approve", "items": items}, **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == 2 and body["problem"] == ""
    by_item = {o["item"]: o for o in body["outcomes"]}
    assert by_item[f"annotation-{pending[1].pk}"]["http_status"] == 409
    assert "Someone decided first" in by_item[f"annotation-{pending[1].pk}"]["message"]
    assert {by_item[f"annotation-{a.pk}"]["status"] for a in (pending[0], pending[2])} == {"approved"}


def test_a_refused_bulk_request_keeps_the_selection_without_script(pending, mod_client) -> None:
    items = [f"annotation:{a.pk}:pending" for a in pending]
    response = mod_client.post("/moderation/bulk/", {"action": "reject", "reason": " ", "items": items})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the reason for rejecting them" in html and "Nothing was changed." in html
    for value in items:
        assert f'value="{value}" id="kept-' in html and "checked" in html
    assert all(a.status == "pending" for a in type(pending[0]).objects.filter(pk__in=[a.pk for a in pending]))


def test_json_answers_are_for_moderators_only(pending, alice_client) -> None:
    response = alice_client.post(
        f"/moderation/annotations/{pending[0].pk}/decide/",
        {"action": "approve", "expected_status": "pending"},
        **JSON,
    )
    assert response.status_code == 403

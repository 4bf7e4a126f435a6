"""The review queue of carried anchors, and outcomes on a later draft (issue 15 §3)."""

from __future__ import annotations

import pytest

from accounts.models import User
from annotations.models import AnchorResolution, ModerationEvent

pytestmark = pytest.mark.django_db

API = "/api/v1/annotations/{}/resolutions/"
OUTCOME = "/api/v1/annotations/{}/outcome/"


def _review_item(carried: dict) -> AnchorResolution:
    return AnchorResolution.objects.select_related("annotation").get(state="needs_review")


def _snapshot() -> list[tuple]:
    return sorted(
        AnchorResolution.objects.values_list("pk", "state", "provision_id", "start", "end", "outcome")
    )


def test_the_queue_lists_needs_review_and_orphaned_for_moderators_and_own_org_admins(
    carried: dict, mod_client, alice_client, mallory_client, client
) -> None:
    states = {r["state"] for r in mod_client.get("/api/v1/moderation/reanchor/").json()["results"]}
    assert states == {"needs_review", "orphaned"}
    annotation = carried["annotations"][("art-1.2", "about terms")]
    assert annotation.organization is not None  # alice writes as her organisation
    assert len(alice_client.get("/api/v1/moderation/reanchor/").json()["results"]) == 2
    assert mallory_client.get("/api/v1/moderation/reanchor/").json()["results"] == []
    assert client.get("/api/v1/moderation/reanchor/").status_code in (401, 403)
    # The page: the old text with the quote marked beside the new text and its candidates.
    html = mod_client.get("/moderation/reanchor/").content.decode()
    assert '<mark><span class="visually-hidden">[quoted: </span>about terms' in html
    assert "[candidate: </span>" in html and "Leave orphaned" in html
    assert alice_client.get("/moderation/reanchor/").status_code == 200
    assert mallory_client.get("/moderation/reanchor/").status_code == 200  # an admin, of nothing here
    assert "Nothing to review." in mallory_client.get("/moderation/reanchor/").content.decode()


def test_confirm_repick_and_orphan_are_decided_and_logged(carried: dict, mod: User, mod_client) -> None:
    item = _review_item(carried)
    pk = item.annotation_id
    response = mod_client.post(
        API.format(pk), {"version": "D/2", "action": "confirm"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    item.refresh_from_db()
    assert (item.state, item.confidence, item.resolved_by_id) == ("confirmed", 1.0, mod.pk)
    response = mod_client.post(
        API.format(pk),
        {"version": "D/2", "action": "repick", "provision": "art-1.2", "quote": {"exact": "defined terms"}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.state, item.exact, item.provision.text[item.start : item.end]) == (
        "repicked",
        "defined terms",
        "defined terms",
    )
    events = list(
        ModerationEvent.objects.filter(annotation_id=pk).values_list("action", "actor_id", "reason")
    )
    assert [e[0] for e in events] == ["reanchor_repick", "reanchor_confirm"]
    assert (
        events[0][1] == mod.pk
        and "D/2 (en): confirmed art-1.2 → repicked art-1.2 “defined terms”" in events[0][2]
    )
    # The review queue no longer holds a decided item; the next run keeps the decision.
    assert pk not in [
        r["annotation"] for r in mod_client.get("/api/v1/moderation/reanchor/").json()["results"]
    ]
    orphan = carried["annotations"][("art-1.2", "placeholder sentence")]
    response = mod_client.post(
        API.format(orphan.pk), {"version": "D/2", "action": "orphan"}, content_type="application/json"
    )
    assert response.json()["state"] == "orphaned" and response.json()["provision"] == ""


def test_a_review_decision_without_the_right_is_403_and_changes_nothing(
    carried: dict, mallory_client, client
) -> None:
    item = _review_item(carried)
    before = _snapshot()
    body = {"version": "D/2", "action": "confirm"}
    assert (
        mallory_client.post(API.format(item.annotation_id), body, content_type="application/json").status_code
        == 403
    )
    assert client.post(API.format(item.annotation_id), body, content_type="application/json").status_code in (
        401,
        403,
    )
    page = mallory_client.post(f"/moderation/reanchor/{item.pk}/", {"action": "confirm"})
    assert page.status_code == 403
    assert (
        _snapshot() == before and not ModerationEvent.objects.filter(action__startswith="reanchor").exists()
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"action": "repick", "provision": "art-1.2", "quote": {"exact": "words that are nowhere"}},
            "not in",
        ),
        ({"action": "repick", "provision": "art-99", "quote": {"exact": "terms"}}, "not a provision of D/2"),
        ({"action": "confirm", "version": "D/9"}, "never carried to that draft"),
        ({"action": "explode"}, "not a valid choice"),
    ],
)
def test_bad_review_decisions_are_400_and_change_nothing(
    carried: dict, mod_client, body: dict, message: str
) -> None:
    item = _review_item(carried)
    before = _snapshot()
    response = mod_client.post(
        API.format(item.annotation_id), {"version": "D/2", **body}, content_type="application/json"
    )
    assert response.status_code == 400 and message in str(response.json())
    assert (
        _snapshot() == before and not ModerationEvent.objects.filter(action__startswith="reanchor").exists()
    )


def test_picking_words_not_in_the_new_provision_on_the_page_is_400(carried: dict, mod_client) -> None:
    item = _review_item(carried)
    before = _snapshot()
    response = mod_client.post(
        f"/moderation/reanchor/{item.pk}/",
        {"action": "repick", "provision": "art-1.2", "exact": "words that are nowhere"},
    )
    assert (
        response.status_code == 400
        and "The quoted words are not in Article 1(2)" in response.content.decode()
    )
    assert _snapshot() == before
    response = mod_client.post(
        f"/moderation/reanchor/{item.pk}/",
        {"action": "repick", "provision": "art-1.2", "exact": "defined terms"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "repicked"


def test_outcomes_are_marked_by_the_organisation_or_a_moderator_and_shown(
    carried: dict, alice_client, mod_client, mallory_client, client
) -> None:
    annotation = carried["annotations"][("art-2.1", "duties of each party")]
    body = {"version": "D/2", "outcome": "partly_addressed"}
    assert (
        mallory_client.post(OUTCOME.format(annotation.pk), body, content_type="application/json").status_code
        == 403
    )
    response = alice_client.post(OUTCOME.format(annotation.pk), body, content_type="application/json")
    assert response.status_code == 200 and response.json()["outcome"] == "partly_addressed"
    event = ModerationEvent.objects.get(action="outcome")
    assert event.reason == "D/2 (en): outcome none → partly_addressed"
    html = client.get("/treaties/sample/articles/5/?version=D/2&lang=en").content.decode()
    assert "Outcome: <strong>Partly addressed</strong>" in html
    assert "1 partly addressed" in html, html[
        html.find("panel-carried") - 20 : html.find("panel-carried") + 300
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"version": "D/1", "outcome": "addressed"}, "never carried to that draft"),
        ({"version": "D/7", "outcome": "addressed"}, "never carried to that draft"),
        ({"version": "D/2", "outcome": "solved"}, "not a valid choice"),
    ],
)
def test_bad_outcomes_are_400_and_change_nothing(carried: dict, mod_client, body: dict, message: str) -> None:
    annotation = carried["annotations"][("art-2.1", "duties of each party")]
    before = _snapshot()
    response = mod_client.post(OUTCOME.format(annotation.pk), body, content_type="application/json")
    assert response.status_code == 400 and message in str(response.json())
    assert _snapshot() == before and not ModerationEvent.objects.filter(action="outcome").exists()


def test_the_outcome_form_on_the_article_page(carried: dict, alice_client, mallory_client) -> None:
    annotation = carried["annotations"][("art-2.1", "duties of each party")]
    page = "/treaties/sample/articles/5/?version=D/2&lang=en"
    assert "Mark the outcome" in alice_client.get(page).content.decode()
    assert "Mark the outcome" not in mallory_client.get(page).content.decode()
    second = carried["second"]
    response = alice_client.post(
        f"/annotations/{annotation.pk}/outcome/", {"version": second.pk, "outcome": "worse"}
    )
    assert response.status_code == 303 and "version=D%2F2" in response["Location"]
    assert AnchorResolution.objects.get(annotation=annotation, version=second).outcome == "worse"
    refused = mallory_client.post(
        f"/annotations/{annotation.pk}/outcome/", {"version": second.pk, "outcome": "addressed"}
    )
    assert refused.status_code == 302
    assert AnchorResolution.objects.get(annotation=annotation, version=second).outcome == "worse"

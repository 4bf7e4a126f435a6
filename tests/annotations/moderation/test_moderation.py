import pytest
from django.core import mail

from annotations.models import Annotation, Flag, ModerationEvent, Reply
from annotations.services import annotation_create, flag_create, reply_create
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def _annotate(version, author, body: str = "A concern.", key: str = "art-2.1") -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy"],
        severity=2,
        position="concern",
        body=body,
    )


@pytest.fixture
def pending(version, alice) -> Annotation:
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    return _annotate(version, alice)


def test_pre_moderation_holds_new_annotations(pending, version, anon) -> None:
    assert pending.status == "pending"
    assert anon.get("/api/v1/annotations/").json()["results"] == []


def test_verified_organisations_may_skip_the_queue(version, alice, mallory) -> None:
    version.moderation = "pre"
    version.save()
    assert _annotate(version, alice).status == "approved"  # Digital Rights Watch is verified
    assert _annotate(version, mallory).status == "pending"  # Mallory Monitoring is not


def test_moderator_approves_and_the_author_is_emailed(
    pending, mod, api_client_as, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_as(mod).post(
            f"/api/v1/annotations/{pending.pk}/moderation/",
            {"action": "approve", "expected_status": "pending"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    event = ModerationEvent.objects.get()
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        mod,
        "approve",
        "pending",
        "approved",
    )
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject


def test_reject_needs_a_reason_the_author_sees(pending, mod, alice, mallory, api_client_as) -> None:
    url = f"/api/v1/annotations/{pending.pk}/moderation/"
    missing = api_client_as(mod).post(url, {"action": "reject"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    assert Annotation.objects.get(pk=pending.pk).status == "pending"
    api_client_as(mod).post(url, {"action": "reject", "reason": "Not about this article."}, format="json")
    mine = api_client_as(alice).get(f"/api/v1/annotations/{pending.pk}/").json()
    assert mine["status"] == "rejected" and mine["rejection_reason"] == "Not about this article."
    assert api_client_as(mallory).get(f"/api/v1/annotations/{pending.pk}/").status_code == 404


def test_unknown_action_and_stale_expected_status(pending, mod, api_client_as) -> None:
    url = f"/api/v1/annotations/{pending.pk}/moderation/"
    unknown = api_client_as(mod).post(url, {"action": "obliterate"}, format="json")
    assert unknown.status_code == 400 and "Unknown action" in str(unknown.json())
    api_client_as(mod).post(url, {"action": "approve", "expected_status": "pending"}, format="json")
    stale = api_client_as(mod).post(
        url, {"action": "reject", "reason": "x", "expected_status": "pending"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_status"] == "approved"
    assert "Moe Moderator" in stale.json()["detail"] and "approve" in stale.json()["detail"]
    assert ModerationEvent.objects.count() == 1


def test_acting_on_a_deleted_item_is_refused(pending, mod, alice, api_client_as) -> None:
    api_client_as(alice).delete(f"/api/v1/annotations/{pending.pk}/")
    response = api_client_as(mod).post(
        f"/api/v1/annotations/{pending.pk}/moderation/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 409 and "deleted" in response.json()["detail"]
    assert not ModerationEvent.objects.exists()


def test_non_moderators_get_403_on_every_moderation_route(
    pending, alice, mallory, api_client_as, api_client
) -> None:
    routes = [
        ("post", f"/api/v1/annotations/{pending.pk}/moderation/", {"action": "approve"}),
        ("get", "/api/v1/moderation/queue/", None),
        ("post", "/api/v1/moderation/bulk/", {"action": "approve", "items": [{"id": pending.pk}]}),
    ]
    for client in (api_client, api_client_as(alice), api_client_as(mallory)):
        for method, url, data in routes:
            response = getattr(client, method)(url, data, format="json") if data else client.get(url)
            assert response.status_code in (401, 403), (url, response.status_code)
    assert Annotation.objects.get(pk=pending.pk).status == "pending"


def test_a_moderator_cannot_approve_their_own_item(version, mod, api_client_as) -> None:
    version.moderation = "pre"
    version.save()
    own = _annotate(version, mod)
    response = api_client_as(mod).post(
        f"/api/v1/annotations/{own.pk}/moderation/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 403 and "own" in response.json()["detail"]
    assert Annotation.objects.get(pk=own.pk).status == "pending"


def test_feature_note_and_unfeature(version, alice, mod, api_client_as, anon) -> None:
    annotation = _annotate(version, alice)
    url = f"/api/v1/annotations/{annotation.pk}/moderation/"
    assert api_client_as(mod).post(url, {"action": "feature"}, format="json").json()["featured"] is True
    noted = (
        api_client_as(mod)
        .post(url, {"action": "note", "reason": "Widely shared concern."}, format="json")
        .json()
    )
    assert noted["moderator_note"] == "Widely shared concern."
    assert (
        anon.get(f"/api/v1/annotations/{annotation.pk}/").json()["moderator_note"] == "Widely shared concern."
    )
    assert api_client_as(mod).post(url, {"action": "unfeature"}, format="json").json()["featured"] is False


def test_flag_threshold_sends_an_item_back_to_the_queue(version, alice, settings, anon) -> None:
    settings.FLAG_THRESHOLD = 3
    annotation = _annotate(version, alice)
    for _ in range(2):
        flag_create(user=VerifiedUserFactory(), annotation=annotation, reason="spam")
    assert Annotation.objects.get(pk=annotation.pk).status == "approved"
    flag_create(user=VerifiedUserFactory(), annotation=annotation, reason="abusive")
    assert Annotation.objects.get(pk=annotation.pk).status == "pending"
    assert anon.get("/api/v1/annotations/").json()["results"] == []
    assert ModerationEvent.objects.get().action == "flagged"


def test_repeated_identical_bodies_are_held_as_duplicates(version, alice) -> None:
    first = _annotate(version, alice, body="Same words.")
    second = _annotate(version, alice, body="Same words.", key="art-3")
    assert first.status == "approved" and second.status == "pending"
    flag = Flag.objects.get(annotation=second)
    assert flag.reason == "duplicate" and flag.user is None


def test_queue_lists_pending_and_flagged_oldest_first(
    version, alice, mallory, mod, api_client_as, settings
) -> None:
    settings.FLAG_THRESHOLD = 5
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    first = _annotate(version, alice, body="first")
    second = _annotate(version, mallory, body="second")
    reply = reply_create(annotation=first, author=alice, body="a reply")
    version.moderation = "post"
    version.save()
    flagged = _annotate(version, mallory, body="flagged one", key="art-3")
    flag_create(user=alice, annotation=flagged, reason="misleading")
    body = api_client_as(mod).get("/api/v1/moderation/queue/").json()
    assert [(r["kind"], r["item"]["id"]) for r in body["results"]] == [
        ("annotation", first.pk),
        ("annotation", second.pk),
        ("reply", reply.pk),
        ("annotation", flagged.pk),
    ]
    assert body["results"][3]["flag_reasons"] == ["misleading"]
    assert body["counts"] == {"pending_annotations": 2, "pending_replies": 1, "flagged": 1}
    only_flagged = api_client_as(mod).get("/api/v1/moderation/queue/?flag_reason=misleading").json()
    assert [r["item"]["id"] for r in only_flagged["results"]] == [flagged.pk]
    unverified = api_client_as(mod).get("/api/v1/moderation/queue/?organization_verified=false").json()
    assert {r["item"]["id"] for r in unverified["results"]} == {second.pk, flagged.pk}


def test_flagged_count_keeps_an_annotation_and_a_reply_with_the_same_id_apart(
    version, alice, mallory, mod, api_client_as, settings
) -> None:
    settings.FLAG_THRESHOLD = 5
    annotation = _annotate(version, mallory, body="flagged annotation")
    # The two tables number their rows apart: a reply may well carry the annotation's id.
    reply = Reply.objects.create(
        pk=annotation.pk, annotation=annotation, author=mallory, attribution="person", body="a reply"
    )
    flag_create(user=alice, annotation=annotation, reason="misleading")
    flag_create(user=alice, reply=reply, reason="misleading")
    body = api_client_as(mod).get("/api/v1/moderation/queue/").json()
    assert body["counts"]["flagged"] == 2


def test_queue_pages_by_cursor(version, alice, mod, api_client_as, django_assert_max_num_queries) -> None:
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    ids = [_annotate(version, alice, body=f"item {i}", key="art-3").pk for i in range(7)]
    seen: list[int] = []
    url = "/api/v1/moderation/queue/?page_size=3"
    client = api_client_as(mod)
    while url:
        with django_assert_max_num_queries(12):
            page = client.get(url).json()
        seen += [r["item"]["id"] for r in page["results"]]
        url = page["next"]
    assert seen == ids


def test_replies_are_moderated_the_same_way(version, alice, mallory, mod, api_client_as) -> None:
    annotation = _annotate(version, alice)
    reply = reply_create(annotation=annotation, author=mallory, body="Spam spam.")
    url = f"/api/v1/replies/{reply.pk}/moderation/"
    assert api_client_as(mallory).post(url, {"action": "spam"}, format="json").status_code == 403
    response = api_client_as(mod).post(url, {"action": "spam", "expected_status": "approved"}, format="json")
    assert response.status_code == 200 and Reply.objects.get(pk=reply.pk).status == "spam"
    feature = api_client_as(mod).post(url, {"action": "feature"}, format="json")
    assert feature.status_code == 400
    thread = api_client_as(alice).get(f"/api/v1/annotations/{annotation.pk}/replies/").json()
    assert thread == []


def test_bulk_decisions_report_each_item(version, alice, mallory, mod, api_client_as) -> None:
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    a, b = _annotate(version, alice, body="a"), _annotate(version, mallory, body="b")
    api_client_as(mod).post(f"/api/v1/annotations/{b.pk}/moderation/", {"action": "spam"}, format="json")
    response = api_client_as(mod).post(
        "/api/v1/moderation/bulk/",
        {
            "action": "approve",
            "items": [
                {"id": a.pk, "expected_status": "pending"},
                {"id": b.pk, "expected_status": "pending"},
                {"id": 999},
            ],
        },
        format="json",
    )
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["ok", "conflict", "not_found"]
    assert Annotation.objects.get(pk=a.pk).status == "approved"
    assert Annotation.objects.get(pk=b.pk).status == "spam"
    no_reason = api_client_as(mod).post(
        "/api/v1/moderation/bulk/", {"action": "reject", "items": [{"id": a.pk}]}, format="json"
    )
    assert no_reason.status_code == 400


def test_the_log_is_append_only_on_postgresql(pending, mod, api_client_as) -> None:
    from django.db import DatabaseError, connection, transaction

    api_client_as(mod).post(
        f"/api/v1/annotations/{pending.pk}/moderation/", {"action": "spam"}, format="json"
    )
    if connection.vendor != "postgresql":
        # SQLite has no trigger; the code never updates events (there is no service that does).
        assert ModerationEvent.objects.count() == 1
        return
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ModerationEvent.objects.update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ModerationEvent.objects.all().delete()
    assert ModerationEvent.objects.get().reason == ""

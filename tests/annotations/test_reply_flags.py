"""Replies can be flagged like annotations, on the page and through the API; the author reads
why, never who (issue 17 §3)."""

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, Flag, Reply, Status
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_throttle_counts(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """These tests write many items as one persona: a cache of their own keeps their throttle
    counts from reaching the next test module's (the test database reuses user ids)."""
    import uuid

    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}


@pytest.fixture
def thread(version, alice, mallory, api_client_as, new_annotation) -> tuple[Annotation, Reply]:
    created = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()
    reply = api_client_as(mallory).post(
        f"/api/v1/annotations/{created['id']}/replies/", {"body": "A reply in the thread."}, format="json"
    )
    assert reply.status_code == 201, reply.json()
    return Annotation.objects.get(pk=created["id"]), Reply.objects.get(pk=reply.json()["id"])


def test_a_reply_is_flagged_through_the_api(thread, alice, api_client_as) -> None:
    _annotation, reply = thread

    response = api_client_as(alice).post(
        f"/api/v1/replies/{reply.pk}/flags/",
        {"reason": "abusive", "note": "Insults a person."},
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {"detail": "Thank you: moderators will look at it."}
    flag = Flag.objects.get()
    assert (flag.reply, flag.annotation, flag.user, flag.reason) == (reply, None, alice, "abusive")


def test_a_reply_is_flagged_on_the_page(thread, alice, alice_client) -> None:
    annotation, reply = thread
    page = alice_client.get(annotation_path(annotation)).content.decode()
    assert reverse("annotations:reply-flag", args=[reply.pk]) in page

    response = alice_client.post(
        reverse("annotations:reply-flag", args=[reply.pk]), {"reason": "spam", "note": ""}, follow=True
    )

    assert "Thank you: moderators will look at it." in response.content.decode()
    assert Flag.objects.filter(reply=reply, user=alice, reason="spam").exists()


def annotation_path(annotation: Annotation) -> str:
    from annotations.selectors import annotation_page_path

    return annotation_page_path(annotation)


def test_flagging_a_reply_twice_is_refused(thread, alice, api_client_as) -> None:
    _annotation, reply = thread
    url = f"/api/v1/replies/{reply.pk}/flags/"
    api_client_as(alice).post(url, {"reason": "spam"}, format="json")

    again = api_client_as(alice).post(url, {"reason": "abusive"}, format="json")

    assert again.status_code == 400
    assert again.json() == {"reason": ["You have already flagged this item."]}
    assert Flag.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("anon", (401, 403)), ("unverified", (403,))])
def test_only_verified_users_flag_replies(
    thread, persona: str, status: tuple[int, ...], api_client_as
) -> None:
    from tests.factories import UserFactory

    _annotation, reply = thread
    user = None if persona == "anon" else UserFactory()

    response = api_client_as(user).post(
        f"/api/v1/replies/{reply.pk}/flags/", {"reason": "spam"}, format="json"
    )

    assert response.status_code in status
    assert not Flag.objects.exists()


def test_a_hidden_or_deleted_reply_cannot_be_flagged(thread, alice, mallory, api_client_as) -> None:
    _annotation, reply = thread
    Reply.objects.filter(pk=reply.pk).update(status=Status.PENDING)

    response = api_client_as(alice).post(
        f"/api/v1/replies/{reply.pk}/flags/", {"reason": "spam"}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no reply {reply.pk}."}
    assert not Flag.objects.exists()


def test_enough_flags_send_a_reply_back_to_the_queue(thread, api_client_as, settings) -> None:
    settings.FLAG_THRESHOLD = 3
    _annotation, reply = thread
    for _ in range(3):
        flagger = VerifiedUserFactory()
        api_client_as(flagger).post(f"/api/v1/replies/{reply.pk}/flags/", {"reason": "spam"}, format="json")

    reply.refresh_from_db()
    assert reply.status == Status.PENDING


def test_the_author_reads_the_reasons_never_who_flagged(thread, alice, mallory, mod, api_client_as) -> None:
    annotation, reply = thread
    api_client_as(alice).post(
        f"/api/v1/replies/{reply.pk}/flags/", {"reason": "other", "note": "Off the point."}, format="json"
    )
    api_client_as(mallory).post(
        f"/api/v1/annotations/{annotation.pk}/flags/", {"reason": "misleading"}, format="json"
    )

    on_reply = api_client_as(mallory).get(f"/api/v1/replies/{reply.pk}/flags/")
    on_annotation = api_client_as(alice).get(f"/api/v1/annotations/{annotation.pk}/flags/")

    assert on_reply.status_code == on_annotation.status_code == 200
    assert [(f["reason"], f["reason_label"], f["note"]) for f in on_reply.json()] == [
        ("other", "Other", "Off the point.")
    ]
    assert [f["reason"] for f in on_annotation.json()] == ["misleading"]
    for answer in (on_reply, on_annotation):
        text = answer.content.decode()
        assert set(answer.json()[0]) == {"reason", "reason_label", "note", "created"}
        for name in ("Alice", "alice@", "Mallory", "mallory@"):
            assert name not in text
    # The moderators read them too; nobody else.
    assert api_client_as(mod).get(f"/api/v1/replies/{reply.pk}/flags/").status_code == 200
    stranger = api_client_as(VerifiedUserFactory()).get(f"/api/v1/replies/{reply.pk}/flags/")
    assert stranger.status_code == 403


def test_the_article_page_shows_the_author_the_reasons_of_flags_on_their_annotation(
    thread, alice, alice_client, mallory, api_client_as
) -> None:
    annotation, _reply = thread
    api_client_as(mallory).post(
        f"/api/v1/annotations/{annotation.pk}/flags/",
        {"reason": "other", "note": "Not about this article."},
        format="json",
    )

    page = alice_client.get(annotation_path(annotation)).content.decode()
    stranger = Client()
    stranger.force_login(VerifiedUserFactory())
    other_page = stranger.get(annotation_path(annotation)).content.decode()

    assert "Flags on your annotation" in page
    assert 'Other: <span dir="auto">Not about this article.</span>' in page
    assert "Mallory" not in page.split("Flags on your annotation")[1].split("</div>")[0]
    assert "Flags on your annotation" not in other_page
    assert "Not about this article." not in other_page

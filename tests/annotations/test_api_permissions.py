"""Every annotation route as each persona: alice (author), mallory (outsider), mod, anon."""

import json

import pytest

from annotations.models import Annotation, AnnotationRevision, Endorsement, Flag, Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_annotation(version, alice, api_client_as, new_annotation) -> Annotation:
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 201
    return Annotation.objects.get(pk=response.json()["id"])


def test_author_edits_and_history_is_kept(alice, alice_annotation, api_client_as) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/"
    response = api_client_as(alice).patch(
        url, {"body": "Reworded.", "tags": ["privacy"], "severity": 2}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["body"] == "Reworded." and response.json()["tags"] == ["privacy"]
    assert response.json()["edited"] is not None
    revision = AnnotationRevision.objects.get(annotation=alice_annotation)
    assert revision.body == "This power has **no** judicial authorisation."
    assert revision.tag_slugs == ["privacy", "surveillance-powers"] or set(revision.tag_slugs) == {
        "privacy",
        "surveillance-powers",
    }


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_mallory_cannot_edit_or_delete_alices_annotation(
    alice_annotation, mallory, mod, api_client_as, api_client, method
) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/"
    for client, expected in ((api_client_as(mallory), 403), (api_client_as(mod), 403), (api_client, 403)):
        response = getattr(client, method)(url, {"body": "hijacked"}, format="json")
        assert response.status_code in ((401, 403) if client is api_client else (expected,))
    alice_annotation.refresh_from_db()
    assert alice_annotation.body.startswith("This power") and alice_annotation.deleted_at is None


def test_delete_is_soft_and_leaves_a_tombstone(alice, mallory, alice_annotation, api_client_as) -> None:
    reply = api_client_as(mallory).post(
        f"/api/v1/annotations/{alice_annotation.pk}/replies/", {"body": "I disagree."}, format="json"
    )
    assert reply.status_code == 201
    assert api_client_as(alice).delete(f"/api/v1/annotations/{alice_annotation.pk}/").status_code == 204
    tombstone = api_client_as(mallory).get(f"/api/v1/annotations/{alice_annotation.pk}/").json()
    assert tombstone["deleted"] is True and tombstone["body"] is None and tombstone["author"] is None
    thread = api_client_as(mallory).get(f"/api/v1/annotations/{alice_annotation.pk}/replies/").json()
    assert thread[0]["body"] == "I disagree."
    # Not in lists any more; no new replies; the author cannot edit a deleted annotation.
    assert api_client_as(mallory).get("/api/v1/annotations/").json()["results"] == []
    again = api_client_as(mallory).post(
        f"/api/v1/annotations/{alice_annotation.pk}/replies/", {"body": "x"}, format="json"
    )
    assert again.status_code == 403
    edit = api_client_as(alice).patch(
        f"/api/v1/annotations/{alice_annotation.pk}/", {"body": "y"}, format="json"
    )
    assert edit.status_code == 403


def test_threaded_replies(alice, mallory, alice_annotation, api_client_as) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/replies/"
    first = api_client_as(mallory).post(url, {"body": "Why?"}, format="json").json()
    second = api_client_as(alice).post(url, {"body": "Because.", "parent": first["id"]}, format="json").json()
    assert second["parent"] == first["id"]
    bad = api_client_as(alice).post(url, {"body": "x", "parent": 99999}, format="json")
    assert bad.status_code == 400 and "no reply 99999" in str(bad.json())
    empty = api_client_as(alice).post(url, {"body": "  "}, format="json")
    assert empty.status_code == 400 and "cannot be empty" in str(empty.json())
    assert Reply.objects.count() == 2


def test_endorse_as_my_organisation(alice, mallory, alice_annotation, api_client_as) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/endorsements/"
    response = api_client_as(mallory).post(url, {}, format="json")
    assert response.status_code == 201 and response.json()["endorsements"] == 1
    twice = api_client_as(mallory).post(url, {}, format="json")
    assert twice.status_code == 400 and "already endorsed" in str(twice.json())
    own = api_client_as(alice).post(url, {}, format="json")
    assert own.status_code == 400 and "own" in str(own.json())
    assert Endorsement.objects.count() == 1
    assert api_client_as(mallory).delete(url).json()["endorsements"] == 0


def test_cannot_endorse_as_an_organisation_one_does_not_belong_to(
    alice_annotation, mallory, api_client_as
) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/endorsements/"
    response = api_client_as(mallory).post(url, {"organization": "digital-rights-watch"}, format="json")
    assert response.status_code == 403 and "not a member" in response.json()["detail"]
    from tests.factories import VerifiedUserFactory

    loner = VerifiedUserFactory()
    response = api_client_as(loner).post(url, {}, format="json")
    assert response.status_code == 403 and "Only members of an organisation" in response.json()["detail"]
    assert Endorsement.objects.count() == 0


def test_flag_once_per_user(alice_annotation, mallory, api_client_as, api_client) -> None:
    url = f"/api/v1/annotations/{alice_annotation.pk}/flags/"
    assert api_client.post(url, {"reason": "spam"}, format="json").status_code in (401, 403)
    assert api_client_as(mallory).post(url, {"reason": "spam"}, format="json").status_code == 201
    twice = api_client_as(mallory).post(url, {"reason": "abusive"}, format="json")
    assert twice.status_code == 400 and "already flagged" in str(twice.json())
    unknown = api_client_as(mallory).post(url, {"reason": "boring"}, format="json")
    assert unknown.status_code == 400
    assert Flag.objects.count() == 1


def test_anonymous_attribution_hides_the_author_in_every_response(
    version, alice, mallory, mod, api_client_as, api_client, new_annotation
) -> None:
    created = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "attribution": "anonymous"}, format="json"
    )
    pk = created.json()["id"]
    for client in (api_client, api_client_as(mallory)):
        for url in (
            f"/api/v1/annotations/{pk}/",
            "/api/v1/annotations/",
            "/api/v1/annotations/?treaty=sample",
        ):
            text = json.dumps(client.get(url).json())
            assert "Alice" not in text and "alice@" not in text and "digital-rights-watch" not in text
            assert "Digital Rights Watch" not in text
    # Filtering by her organisation must not reveal it either.
    by_org = api_client.get("/api/v1/annotations/?organization=digital-rights-watch").json()
    assert by_org["results"] == []
    # Alice and the moderator see who wrote it.
    assert "Alice" in json.dumps(api_client_as(mod).get(f"/api/v1/annotations/{pk}/").json())
    assert "Alice" in json.dumps(api_client_as(alice).get(f"/api/v1/annotations/{pk}/").json())


def test_hidden_statuses_are_invisible_to_others(
    alice_annotation, alice, mallory, mod, api_client_as, api_client
) -> None:
    Annotation.objects.filter(pk=alice_annotation.pk).update(status="rejected", rejection_reason="Off topic.")
    url = f"/api/v1/annotations/{alice_annotation.pk}/"
    assert api_client.get(url).status_code == 404
    assert api_client_as(mallory).get(url).status_code == 404
    mine = api_client_as(alice).get(url).json()
    assert mine["status"] == "rejected" and mine["rejection_reason"] == "Off topic."
    assert api_client_as(mod).get(url).status_code == 200

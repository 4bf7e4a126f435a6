import json

import pytest

from accounts.services.users import account_delete, account_export
from annotations.models import Annotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_annotation(version, alice, api_client_as, new_annotation) -> Annotation:
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    return Annotation.objects.get(pk=response.json()["id"])


def test_kept_annotations_become_a_former_members_without_trace(alice, alice_annotation, anon) -> None:
    account_delete(user=alice, keep_contributions=True)
    annotation = Annotation.objects.get(pk=alice_annotation.pk)
    assert annotation.author is None and annotation.organization is None
    assert annotation.deleted_at is None and annotation.body
    body = anon.get(f"/api/v1/annotations/{annotation.pk}/").json()
    assert body["author"] == {"label": "Former member", "name": None, "organization": None}
    assert "Alice" not in json.dumps(body) and "digital-rights-watch" not in json.dumps(body)


def test_deleted_annotations_leave_an_empty_tombstone(alice, alice_annotation) -> None:
    account_delete(user=alice, keep_contributions=False)
    annotation = Annotation.objects.get(pk=alice_annotation.pk)
    assert annotation.deleted_at is not None
    assert annotation.body == "" and annotation.author is None


def test_data_export_includes_annotations(alice, alice_annotation) -> None:
    data = json.loads(account_export(user=alice))
    assert data["annotations"][0]["body"] == alice_annotation.body
    assert data["annotations"][0]["provision"] == "art-2.1"


def test_organisation_page_lists_its_published_annotations_but_never_anonymous_ones(
    version, alice, api_client_as, new_annotation, anon
) -> None:
    client = api_client_as(alice)
    client.post("/api/v1/annotations/", {**new_annotation, "body": "Signed by us."}, format="json")
    client.post(
        "/api/v1/annotations/",
        {
            **new_annotation,
            "provision": "pre.1",
            "quote": None,
            "body": "Quietly.",
            "attribution": "anonymous",
        },
        format="json",
    )
    page = anon.get("/accounts/organisations/digital-rights-watch/").text
    assert "Signed by us." in page and "Quietly." not in page
    assert "/treaties/sample/articles/2/#annotation-" in page

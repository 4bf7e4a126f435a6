"""Groups in the API: `group` on every annotation, `annotations/?group=`, `annotations/groups/{id}/`."""

from collections.abc import Callable

import pytest

from annotations.campaigns.models import CampaignGroup, CampaignMember
from annotations.models import Annotation, Status
from tests.annotations.campaigns.conftest import OTHER, variants
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

Write = Callable[..., Annotation]


def test_every_annotation_says_its_group(coalition: list[Annotation], comment: Write, anon) -> None:  # type: ignore[no-untyped-def]
    loner = comment(OTHER)
    group = CampaignGroup.objects.get()
    body = anon.get("/api/v1/annotations/?treaty=sample").json()
    by_id = {row["id"]: row for row in body["results"]}
    # Alice's NGO, the second NGO, and the anonymous author as a unit of their own: three.
    assert by_id[coalition[0].pk]["group"] == {"id": group.pk, "size": 4, "organizations": 3}
    assert by_id[loner.pk]["group"] is None
    detail = anon.get(f"/api/v1/annotations/{coalition[1].pk}/").json()
    assert detail["group"]["id"] == group.pk


def test_the_list_filters_by_group(coalition: list[Annotation], comment: Write, anon) -> None:  # type: ignore[no-untyped-def]
    comment(OTHER)
    group = CampaignGroup.objects.get()
    ids = [row["id"] for row in anon.get(f"/api/v1/annotations/?group={group.pk}").json()["results"]]
    assert sorted(ids) == sorted(a.pk for a in coalition)
    assert anon.get("/api/v1/annotations/?group=999999").json()["results"] == []


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "１２", "9" * 30])
def test_a_bad_group_filter_is_a_400_naming_it(anon, bad: str) -> None:  # type: ignore[no-untyped-def]
    response = anon.get("/api/v1/annotations/", {"group": bad})
    assert response.status_code == 400
    assert "group" in response.json()


def test_the_group_endpoint_lists_members_and_keeps_anonymity(coalition: list[Annotation], anon) -> None:  # type: ignore[no-untyped-def]
    group = CampaignGroup.objects.get()
    body = anon.get(f"/api/v1/annotations/groups/{group.pk}/").json()
    assert body["id"] == group.pk and body["size"] == 4 and body["organizations"] == 3
    authors = {member["id"]: member["author"] for member in body["members"]}
    assert authors[coalition[3].pk] == "Anonymous"
    assert "Hidden Org" not in str(body)
    assert body["members"][0]["similarity"] == 1.0
    assert all("status" not in member for member in body["members"])


def test_the_public_sees_approved_members_only_and_moderators_all(
    coalition: list[Annotation], anon, mod, api_client_as
) -> None:  # type: ignore[no-untyped-def]
    Annotation.objects.filter(pk__in=[coalition[2].pk, coalition[3].pk]).update(status=Status.PENDING)
    group = CampaignGroup.objects.get()
    public = anon.get(f"/api/v1/annotations/groups/{group.pk}/").json()
    assert public["size"] == 2 and {m["id"] for m in public["members"]} == {coalition[0].pk, coalition[1].pk}
    moderated = api_client_as(mod).get(f"/api/v1/annotations/groups/{group.pk}/").json()
    assert moderated["size"] == 4
    assert {m["status"] for m in moderated["members"]} == {"approved", "pending"}
    # One approved member left: to the public it is no group at all.
    Annotation.objects.filter(pk=coalition[1].pk).update(status=Status.REJECTED)
    assert anon.get(f"/api/v1/annotations/groups/{group.pk}/").status_code == 404
    assert anon.get(f"/api/v1/annotations/{coalition[0].pk}/").json()["group"] is None


def test_an_unknown_group_is_a_404(anon, mod, api_client_as) -> None:  # type: ignore[no-untyped-def]
    for client in (anon, api_client_as(mod)):
        response = client.get("/api/v1/annotations/groups/424242/")
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no group 424242."}


def test_the_list_reads_groups_in_a_constant_number_of_queries(
    coalition: list[Annotation], comment: Write, anon, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for text in variants(12)[5:]:
        comment(text, author=VerifiedUserFactory())
    assert CampaignMember.objects.count() == 11
    with django_assert_max_num_queries(8):
        assert len(anon.get("/api/v1/annotations/?treaty=sample").json()["results"]) == 11

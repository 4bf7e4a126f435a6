import pytest
from django.utils import timezone

from annotations.models import Annotation, Target

pytestmark = pytest.mark.django_db


def test_alice_annotates_exact_words(version, alice, api_client_as, new_annotation) -> None:
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "approved"
    text = version.provisions.get(key="art-2.1").text
    assert body["target"]["provision"] == "art-2.1"
    assert body["target"]["exact"] == "interception"
    assert text[body["target"]["start"] : body["target"]["end"]] == "interception"
    assert body["tags"] == ["privacy", "surveillance-powers"]
    assert "<strong>no</strong>" in body["body_html"]
    assert body["author"]["organization"]["slug"] == "digital-rights-watch"
    assert body["can_edit"] is True


def test_whole_provision_without_quote(version, alice, api_client_as, new_annotation) -> None:
    del new_annotation["quote"]
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 201
    assert response.json()["target"]["start"] is None


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        ({"quote": {"exact": "not in the text"}}, 400, "quote", "not in Article 2(1)"),
        ({"quote": {"exact": "ra"}}, 400, "quote", "occur 2 times"),
        ({"provision": "art-99"}, 404, "detail", "no provision “art-99”"),
        ({"tags": ["no-such-tag"]}, 400, "tags", "Unknown or retired concern tag: no-such-tag"),
        ({"tags": []}, 400, "tags", "at least one concern tag"),
        ({"body": "   "}, 400, "body", "cannot be empty"),
        ({"body": "x" * 10_001}, 400, "body", "the limit is 10000"),
        ({"position": "amend"}, 400, "proposed_text", "wording you propose"),
        ({"quote": {"exact": "interception", "start": 500, "end": 512}}, 400, "quote", "outside"),
        ({"version": "S/404"}, 404, "detail", "S/404"),
        ({"treaty": "nope"}, 404, "detail", "nope"),
        ({"severity": 7}, 400, "severity", "Severity must be"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    version, alice, api_client_as, new_annotation, change, status, field, message
) -> None:
    response = api_client_as(alice).post("/api/v1/annotations/", {**new_annotation, **change}, format="json")
    assert response.status_code == status, response.json()
    assert message in str(response.json()[field])
    assert Annotation.objects.count() == 0
    assert Target.objects.count() == 0


def test_html_in_the_body_is_stored_as_text_and_rendered_inert(
    version, alice, api_client_as, new_annotation
) -> None:
    new_annotation["body"] = (
        '<script>alert("x")</script><img src=x onerror=alert(1)> [link](javascript:alert(1))'
    )
    body = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()
    assert body["body"] == new_annotation["body"]
    assert "<script" not in body["body_html"] and "<img" not in body["body_html"]
    assert "javascript:" not in body["body_html"].replace("[link](javascript:alert(1))", "")
    assert "&lt;script&gt;" in body["body_html"]


def test_superseded_and_closed_versions_refuse_annotations(
    version, alice, api_client_as, new_annotation
) -> None:
    version.status = "superseded"
    version.save()
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 403
    assert "superseded" in response.json()["detail"]
    version.status, version.open_for_comment = "draft", False
    version.save()
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 403 and "closed for comment" in response.json()["detail"]
    assert Annotation.objects.count() == 0


def test_only_verified_users_write(version, alice, api_client, api_client_as, new_annotation) -> None:
    assert api_client.post("/api/v1/annotations/", new_annotation, format="json").status_code in (401, 403)
    alice.email_verified_at = None
    alice.save()
    response = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json")
    assert response.status_code == 403
    assert "Confirm your email" in response.json()["detail"]
    assert Annotation.objects.count() == 0


def test_organization_attribution_needs_an_organisation(version, api_client_as, new_annotation) -> None:
    from tests.factories import VerifiedUserFactory

    loner = VerifiedUserFactory()
    response = api_client_as(loner).post(
        "/api/v1/annotations/", {**new_annotation, "attribution": "organization"}, format="json"
    )
    assert response.status_code == 400
    assert "not acting for one" in str(response.json()["attribution"])


def test_create_is_throttled_per_user(
    version, alice, mallory, api_client_as, new_annotation, monkeypatch
) -> None:
    from django.core.cache import cache

    from config.throttles import WriteRateThrottle

    # The rates are read when the class is defined; lower this one for the test.
    monkeypatch.setattr(
        WriteRateThrottle, "THROTTLE_RATES", {**WriteRateThrottle.THROTTLE_RATES, "annotations": "2/minute"}
    )
    cache.clear()
    try:
        client = api_client_as(alice)
        del new_annotation["quote"]
        codes = [
            client.post("/api/v1/annotations/", new_annotation, format="json").status_code for _ in range(3)
        ]
        assert codes == [201, 201, 429]
        refused = client.post("/api/v1/annotations/", new_annotation, format="json")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert client.get("/api/v1/annotations/").status_code == 200  # reads are not limited by it
        # Per user: mallory still may write.
        assert (
            api_client_as(mallory).post("/api/v1/annotations/", new_annotation, format="json").status_code
            == 201
        )
        assert Annotation.objects.count() == 3
    finally:
        cache.clear()


def test_timestamps(version, alice, api_client_as, new_annotation) -> None:
    before = timezone.now()
    body = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()
    # To the minute (issue 17, docs/privacy.md): the minute it was written, seconds 00.
    assert body["created"] >= before.isoformat()[:16] and body["created"].endswith(":00Z")


def test_reads_of_the_annotation_list_and_replies_are_rate_limited_per_address(version, monkeypatch) -> None:
    from django.core.cache import cache
    from rest_framework.test import APIClient
    from rest_framework.throttling import AnonRateThrottle

    # The views set their own throttles (for creation); the general per-address limit still holds.
    monkeypatch.setattr(
        AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "3/minute"}
    )
    cache.clear()
    try:
        client = APIClient()
        codes = [client.get("/api/v1/annotations/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = client.get("/api/v1/annotations/")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    finally:
        cache.clear()

"""Every annotation and reply records the language of its comment (issue 16 §3; DESIGN §7
`comment_language`): the writer's choice, by default the interface language; a tag that is not
valid BCP 47 is refused with a 400 that says so, and nothing is written."""

import csv
import io
import json

import pytest
from django.utils import translation

from annotations.models import Annotation, Reply, Target
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db


def test_the_writer_chooses_and_the_tag_is_canonical(version, alice, api_client_as, new_annotation) -> None:
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "comment_language": "fr-ca"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["comment_language"] == "fr-CA"
    assert response.json()["language"] == "en"  # still the language version of the text
    assert Annotation.objects.get().comment_language == "fr-CA"


def test_it_defaults_to_the_interface_language(version, alice) -> None:
    with translation.override("es"):
        annotation = annotation_create(
            author=alice, version=version, provision_key="art-2.1", tags=["privacy"], severity=2,
            position="oppose", body="Un comentario de prueba.",
        )  # fmt: skip
    assert annotation.comment_language == "es"


@pytest.mark.parametrize("tag", ["english", "en_US", "x", "fr--CA", "12", "a" * 40])
def test_an_invalid_tag_is_refused_and_nothing_is_written(
    version, alice, api_client_as, new_annotation, tag
) -> None:
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "comment_language": tag}, format="json"
    )
    assert response.status_code == 400
    assert "is not a valid BCP 47 language tag" in response.json()["comment_language"][0]
    assert Annotation.objects.count() == 0 and Target.objects.count() == 0


def test_replies_record_their_language(version, alice, mallory, api_client_as, new_annotation) -> None:
    annotation = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()
    url = f"/api/v1/annotations/{annotation['id']}/replies/"
    bad = api_client_as(mallory).post(
        url, {"body": "Respuesta.", "comment_language": "castellano"}, format="json"
    )
    assert bad.status_code == 400 and "comment_language" in bad.json()
    assert Reply.objects.count() == 0
    good = api_client_as(mallory).post(
        url, {"body": "Respuesta.", "comment_language": "es-419"}, format="json"
    )
    assert good.status_code == 201 and good.json()["comment_language"] == "es-419"


def test_the_list_filters_by_comment_language(version, alice, api_client_as, new_annotation, anon) -> None:
    client = api_client_as(alice)
    for tag, body in (("fr", "Un."), ("fr-CA", "Deux."), ("en", "Three."), ("ar", "أربعة.")):
        client.post(
            "/api/v1/annotations/", {**new_annotation, "comment_language": tag, "body": body}, format="json"
        )
    french = anon.get("/api/v1/annotations/?comment_language=fr").json()
    assert sorted(item["comment_language"] for item in french["results"]) == ["fr", "fr-CA"]
    canadian = anon.get("/api/v1/annotations/?comment_language=FR-ca").json()
    assert [item["body"] for item in canadian["results"]] == ["Deux."]
    bad = anon.get("/api/v1/annotations/?comment_language=french")
    assert bad.status_code == 400 and "not a valid BCP 47" in str(bad.json()["comment_language"])


def test_exports_carry_it_and_the_w3c_body_language(
    version, alice, api_client_as, new_annotation, anon
) -> None:
    api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "comment_language": "ar"}, format="json"
    )
    response = anon.get("/api/v1/treaties/sample/annotations/export/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["comment_language"] == "ar" and rows[0]["language"] == "en"
    collection = anon.get("/api/v1/treaties/sample/annotations/export/?format=jsonld").json()
    item = json.loads(b"".join(anon.get(collection["first"]).streaming_content))["items"][0]
    commenting = next(body for body in item["body"] if body["purpose"] == "commenting")
    assert commenting["language"] == "ar"
    assert item["target"]["language"] == "en"


def test_the_panel_shows_it(version, alice, api_client_as, new_annotation, anon) -> None:
    created = (
        api_client_as(alice)
        .post("/api/v1/annotations/", {**new_annotation, "comment_language": "fr"}, format="json")
        .json()
    )
    html = anon.get("/treaties/sample/articles/2/").text
    block = html[html.index(f'id="annotation-{created["id"]}"') :]
    assert 'Comment in <span lang="fr">Français</span>' in block
    assert '<div class="annotation-body" dir="auto" lang="fr">' in block

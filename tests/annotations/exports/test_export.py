import csv
import io
import json
import re

import pytest

from annotations.moderation.services import moderate
from annotations.services import annotation_create, endorsement_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(version, alice, mallory, mod):
    made = [
        annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.1",
            quote=None,
            tags=["privacy"],
            severity=3,
            position="oppose",
            body='=HYPERLINK("http://evil")',
        ),
        annotation_create(
            author=mallory,
            version=version,
            provision_key="art-3",
            tags=["gender", "privacy"],
            severity=1,
            position="amend",
            body="Anonymous worry",
            proposed_text="Better words",
            attribution="anonymous",
        ),
        annotation_create(
            author=alice,
            version=version,
            provision_key="pre.1",
            tags=["privacy"],
            severity=2,
            position="concern",
            body="In the preamble",
        ),
    ]
    hidden = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-1",
        tags=["gender"],
        severity=2,
        position="clarify",
        body="Rejected one",
    )
    moderate(item=hidden, moderator=mod, action="reject", reason="Off topic")
    endorsement_create(annotation=made[0], user=mallory)
    return made, hidden


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _as_written(records: list, made: list, pk=lambda r: int(r["id"])) -> list:  # type: ignore[no-untyped-def,type-arg]
    """Exports are in id order, and ids are random (docs/privacy.md): the records in the order the
    fixture wrote them, after checking the id order."""
    assert [pk(r) for r in records] == sorted(pk(r) for r in records)
    order = [a.pk for a in made]
    return sorted(records, key=lambda r: order.index(pk(r)))


def test_public_csv_has_approved_only_and_honours_anonymity(annotated, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/annotations/export/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _as_written(_csv(response), annotated[0])
    assert [r["body"] for r in rows] == ['\'=HYPERLINK("http://evil")', "Anonymous worry", "In the preamble"]
    assert "status" not in rows[0]
    first, anonymous, preamble = rows
    assert first["organization"] == "Digital Rights Watch" and first["endorsements"] == "1"
    # The permalink names the draft it was written on, through /annotations/<id>/ (issue 14 §2).
    assert first["permalink"].endswith(f"/annotations/{first['id']}/")
    opened = anon.get(first["permalink"].removeprefix("http://127.0.0.1:8000"))
    assert opened.status_code == 302
    assert opened["Location"].startswith("/treaties/sample/articles/2/?version=")
    assert opened["Location"].endswith(f"#annotation-{first['id']}")
    assert anonymous["organization"] == "" and anonymous["attribution"] == "anonymous"
    assert anonymous["tags"] == "privacy gender" or set(anonymous["tags"].split()) == {"privacy", "gender"}
    assert anonymous["proposed_text"] == "Better words"
    assert preamble["provision"] == "pre.1" and preamble["permalink"].endswith(
        f"/annotations/{preamble['id']}/"
    )
    text = json.dumps(rows)
    assert "Mallory" not in text and "mallory" not in text


def test_moderators_get_every_status(annotated, mod_client) -> None:
    rows = _csv(mod_client.get("/api/v1/treaties/sample/annotations/export/"))
    assert len(rows) == 4 and {r["status"] for r in rows} == {"approved", "rejected"}


def test_ndjson_and_filters(annotated, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson&tag=gender")
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["body"] for r in records] == ["Anonymous worry"]
    assert records[0]["tags"] == ["privacy", "gender"] or set(records[0]["tags"]) == {"privacy", "gender"}


def test_bad_format_and_unknown_treaty(annotated, anon) -> None:
    bad = anon.get("/api/v1/treaties/sample/annotations/export/?format=xlsx")
    assert bad.status_code == 400 and "csv" in str(bad.json()["format"])
    assert anon.get("/api/v1/treaties/nope/annotations/export/").status_code == 404


def test_etag_304(annotated, anon, alice) -> None:
    first = anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson")
    etag = first["ETag"]
    b"".join(first.streaming_content)
    again = anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    annotated[0][0].endorsements.all().delete()  # an endorsement withdrawn changes the content
    changed = anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_jsonld_collection_and_pages(annotated, anon) -> None:
    collection = anon.get("/api/v1/treaties/sample/annotations/export/?format=jsonld").json()
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    assert collection["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    page = json.loads(b"".join(anon.get(collection["first"]).streaming_content))
    assert page["type"] == "AnnotationPage" and page["partOf"]["total"] == 3 and len(page["items"]) == 3
    item_pk = re.compile(r"/annotations/(\d+)/")
    items = _as_written(page["items"], annotated[0], pk=lambda i: int(item_pk.search(i["id"])[1]))
    item = items[0]
    assert item["type"] == "Annotation" and item["motivation"] == "commenting"
    purposes = [b["purpose"] for b in item["body"]]
    assert {"commenting", "tagging", "assessing"} <= set(purposes)
    anonymous = items[1]
    assert anonymous["creator"] == {"type": "Person", "name": "Anonymous"}
    assert "editing" in [b["purpose"] for b in anonymous["body"]]
    assert anon.get("/api/v1/treaties/sample/annotations/export/?format=jsonld&page=9").status_code == 400


def test_single_annotation_as_jsonld(version, alice, anon) -> None:
    from annotations.services import QuoteInput

    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        quote=QuoteInput(exact="interception"),
        tags=["privacy"],
        severity=3,
        position="oppose",
        body="Quote this",
    )
    document = anon.get(f"/api/v1/annotations/{annotation.pk}/?format=jsonld").json()
    assert document["id"].endswith(f"/api/v1/annotations/{annotation.pk}/?format=jsonld")
    selectors = document["target"]["selector"]
    assert selectors[0]["type"] == "FragmentSelector" and selectors[0]["value"] == "art-2.1"
    assert selectors[0]["refinedBy"]["type"] == "TextQuoteSelector"
    assert selectors[0]["refinedBy"]["exact"] == "interception"
    assert selectors[1]["refinedBy"]["type"] == "TextPositionSelector"
    text = version.provisions.get(key="art-2.1").text
    refined = selectors[1]["refinedBy"]
    assert text[refined["start"] : refined["end"]] == "interception"


def test_exports_are_throttled(annotated, anon, monkeypatch) -> None:
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "exports": "2/hour"}
    )
    cache.clear()
    try:
        codes = [
            anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson").status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
    finally:
        cache.clear()


def test_json_ld_pages_have_their_own_budget(annotated, anon, monkeypatch) -> None:
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**ScopedRateThrottle.THROTTLE_RATES, "exports": "2/hour", "export_pages": "3/hour"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    path = "/api/v1/treaties/sample/annotations/export/"
    try:
        pages = [anon.get(f"{path}?format=jsonld&page=0").status_code for _ in range(4)]
        assert pages == [200, 200, 200, 429]
        # Whole downloads still have their two, untouched by the pages read.
        whole = [anon.get(f"{path}?format=csv").status_code for _ in range(3)]
        assert whole == [200, 200, 429]
    finally:
        cache.clear()


def test_etag_differs_between_formats_pages_and_columns(annotated, anon, mod_client) -> None:
    path = "/api/v1/treaties/sample/annotations/export/"
    etags = {
        anon.get(f"{path}?format=csv")["ETag"],
        anon.get(f"{path}?format=ndjson")["ETag"],
        anon.get(f"{path}?format=jsonld")["ETag"],
        anon.get(f"{path}?format=jsonld&page=0")["ETag"],
        mod_client.get(f"{path}?format=csv")["ETag"],
    }
    assert len(etags) == 5
    csv_etag = anon.get(f"{path}?format=csv")["ETag"]
    assert anon.get(f"{path}?format=ndjson", HTTP_IF_NONE_MATCH=csv_etag).status_code == 200
    assert anon.get(f"{path}?format=csv", HTTP_IF_NONE_MATCH=csv_etag).status_code == 304


def test_csv_names_the_article_the_tags_and_the_severity_beside_the_codes(annotated, anon) -> None:
    """Issue 14 §4: an analyst opens the file without a codebook."""
    rows = _as_written(_csv(anon.get("/api/v1/treaties/sample/annotations/export/?format=csv")), annotated[0])
    first, anonymous, preamble = rows
    assert first["article"] == "2" and first["provision"] == "art-2.1"
    assert first["tags"] == "privacy" and first["tag_names"] == "Privacy"
    assert (first["severity"], first["severity_label"]) == ("3", "serious")
    assert set(anonymous["tag_names"].split("; ")) == {"Privacy", "Gender"}
    assert (anonymous["severity"], anonymous["severity_label"]) == ("1", "note")
    assert preamble["article"] == "" and preamble["severity_label"] == "concern"
    lines = b"".join(anon.get("/api/v1/treaties/sample/annotations/export/?format=ndjson").streaming_content)
    (record,) = [r for r in map(json.loads, lines.splitlines()) if r["body"] == "Anonymous worry"]
    assert record["article"] == "3" and sorted(record["tag_names"]) == ["Gender", "Privacy"]
    assert record["severity_label"] == "note"


def test_jsonld_assessment_tells_severity_and_position_apart(version, alice, anon) -> None:
    """Severity 2 is "concern" and so is a position: the assessing body names each."""
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Both words are the same",
    )
    document = anon.get(f"/api/v1/annotations/{annotation.pk}/?format=jsonld").json()
    (assessing,) = [b["value"] for b in document["body"] if b["purpose"] == "assessing"]
    assert assessing == "severity: concern; position: concern"


def test_one_export_never_mixes_two_hosts(annotated, anon, settings) -> None:
    """Issue 14 §1: the collection's id, its pages, the annotations' ids and permalinks all name the
    site's address, whatever host the request came through."""
    collection = anon.get(
        "/api/v1/treaties/sample/annotations/export/?format=jsonld", HTTP_HOST="localhost"
    ).json()
    page = json.loads(
        b"".join(anon.get(collection["first"].removeprefix(settings.SITE_URL)).streaming_content)
    )
    addresses = [collection["id"], collection["first"], page["id"], *(item["id"] for item in page["items"])]
    addresses += [item["target"]["source"] for item in page["items"]]
    assert all(address.startswith(settings.SITE_URL + "/") for address in addresses), addresses
    briefing = anon.get("/treaties/sample/briefing/", HTTP_HOST="localhost").content.decode()
    assert "http://localhost/" not in briefing and settings.SITE_URL in briefing

"""Issue 17 §1: what an outsider sees of when an annotation or a reply was written, edited or last
changed is to the minute, never to the second: in the API, on pages, in every export, in the
heatmap's times and headers, in feedback and briefings. Precise times would let an observer order
an anonymous post among attributed ones (docs/privacy.md)."""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest

from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation, Reply
from annotations.services import annotation_create, annotation_update, reply_create

pytestmark = pytest.mark.django_db

WRITTEN = datetime(2026, 11, 20, 10, 31, 27, 123456, tzinfo=UTC)
EDITED = datetime(2026, 11, 21, 8, 5, 44, 654321, tzinfo=UTC)
# Any time with seconds or a fraction that are not zero: ISO 8601 (2026-11-20T10:31:27.123456Z,
# 10:31:27+00:00) or as Django's templates print it with seconds.
PRECISE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:(?!00(?![.,]\d))\d\d|\d\d:\d\d:\d\d[.,]\d")


@pytest.fixture
def written(version, alice, mallory):  # type: ignore[no-untyped-def]
    """An annotation by alice, edited, with a reply by mallory: every stored time has seconds."""
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="A concern written at 10:31:27.",
    )
    annotation_update(annotation=annotation, editor=alice, body="A concern, edited later.")
    reply = reply_create(annotation=annotation, author=mallory, body="A reply.")
    Annotation.objects.filter(pk=annotation.pk).update(
        created_at=WRITTEN, updated_at=EDITED, edited_at=EDITED
    )
    Reply.objects.filter(pk=reply.pk).update(created_at=WRITTEN, updated_at=WRITTEN)
    heat_rebuild(versions=[version])
    return Annotation.objects.get(pk=annotation.pk)


def _precise(text: str) -> list[str]:
    return PRECISE.findall(text)


def test_the_api_gives_times_to_the_minute(written, anon) -> None:
    detail = anon.get(f"/api/v1/annotations/{written.pk}/").json()
    assert (detail["created"], detail["modified"], detail["edited"]) == (
        "2026-11-20T10:31:00Z",
        "2026-11-21T08:05:00Z",
        "2026-11-21T08:05:00Z",
    )
    listed = anon.get("/api/v1/annotations/?treaty=sample").json()["results"][0]
    assert listed["created"] == "2026-11-20T10:31:00Z"
    replies = anon.get(f"/api/v1/annotations/{written.pk}/replies/").json()
    assert [r["created"] for r in replies] == ["2026-11-20T10:31:00Z"]
    web_annotation = anon.get(f"/api/v1/annotations/{written.pk}/?format=jsonld").json()
    assert (web_annotation["created"], web_annotation["modified"]) == (
        "2026-11-20T10:31:00Z",
        "2026-11-21T08:05:00Z",
    )


def test_removals_give_the_minute_they_left_public_view(written, alice, anon) -> None:
    annotation_update(annotation=written, editor=alice, body="Edited again.")
    Annotation.objects.filter(pk=written.pk).update(deleted_at=EDITED, updated_at=EDITED)
    removed = anon.get("/api/v1/annotations/removed/").json()["results"]
    assert removed == [{"id": written.pk, "modified": "2026-11-21T08:05:00Z"}]


@pytest.mark.parametrize("kind", ["csv", "ndjson", "jsonld"])
def test_every_export_gives_times_to_the_minute(written, anon, kind: str) -> None:
    response = anon.get(f"/api/v1/treaties/sample/annotations/export/?format={kind}")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.text
    assert _precise(body) == []
    if kind == "csv":
        (row,) = csv.DictReader(io.StringIO(body))
        assert (row["created"], row["modified"]) == ("2026-11-20T10:31:00Z", "2026-11-21T08:05:00Z")
    elif kind == "ndjson":
        row = json.loads(body.splitlines()[0])
        assert (row["created"], row["modified"]) == ("2026-11-20T10:31:00Z", "2026-11-21T08:05:00Z")
    else:
        collection = json.loads(body)
        assert collection["modified"] == "2026-11-21T08:05:00Z"


def test_pages_give_times_to_the_minute(written, anon) -> None:
    for path in (
        "/treaties/sample/articles/2/",
        f"/annotations/{written.pk}/",
        "/treaties/sample/heatmap/annotations/?unit=art-2&tag=privacy",
        "/treaties/sample/heatmap/",
        "/treaties/sample/briefing/",
        "/treaties/sample/articles/2/briefing/",
    ):
        response = anon.get(path, follow=True)
        assert response.status_code == 200, path
        assert _precise(response.text) == [], path
    article = anon.get("/treaties/sample/articles/2/").text
    assert '<time datetime="2026-11-20T10:31:00Z">' in article


def test_heat_times_and_headers_are_to_the_minute(written, anon) -> None:
    for path in (
        "/api/v1/treaties/sample/heatmap/",
        "/api/v1/treaties/sample/articles/2/heatmap/",
        "/api/v1/treaties/sample/feedback/?format=json",
        "/api/v1/treaties/sample/feedback/?format=csv",
        "/treaties/sample/heatmap.csv",
        "/treaties/sample/heatmap.svg",
    ):
        response = anon.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content).decode() if response.streaming else response.text
        assert _precise(body) == [], path
        if "Last-Modified" in response:
            # An HTTP date: "Fri, 20 Nov 2026 10:31:00 GMT".
            assert response["Last-Modified"].endswith(":00 GMT"), (path, response["Last-Modified"])


def test_updated_after_answers_to_the_minute_only(written, anon) -> None:
    """A filter is an oracle: asking with every second of the minute would find the second of the
    last change if the answer changed within the minute."""
    answers = {
        second: [
            a["id"]
            for a in anon.get(f"/api/v1/annotations/?updated_after=2026-11-21T08:05:{second:02d}Z").json()[
                "results"
            ]
        ]
        for second in (0, 30, 44, 45, 59)
    }
    assert all(ids == [written.pk] for ids in answers.values()), answers
    assert anon.get("/api/v1/annotations/?updated_after=2026-11-21T08:06:00Z").json()["results"] == []

"""GET treaties/{slug}/compare/ and treaties/{slug}/versions/ (DESIGN §7), as each persona."""

from __future__ import annotations

import pytest
from django.test import Client

from treaty.models import MappingRun

pytestmark = pytest.mark.django_db


def _compare(client: Client, query: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/treaties/sample/compare/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_compare_shape_per_design(anon: Client, drafts: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(6):
        body = _compare(anon, "from=D/1&to=D/2")
    assert body["from"] == "D/1" and body["to"] == "D/2"
    assert set(body["summary"]) == {"same", "modified", "moved", "split", "merged", "added", "deleted"}
    assert body["summary"]["added"] == 1 and body["summary"]["modified"] == 1
    for article in body["articles"]:
        assert set(article) >= {"from_number", "to_number", "relation", "similarity", "provisions"}
        for provision in article["provisions"]:
            assert set(provision) == {"from_key", "to_key", "relation", "similarity", "diff"}
            assert 0 <= provision["similarity"] <= 1
            assert all(op in ("=", "-", "+") and isinstance(text, str) for op, text in provision["diff"])
    # Changed articles first, each with a count of what changed; unchanged ones after.
    relations = [a["relation"] for a in body["articles"]]
    assert relations[: relations.index("same")] and "same" not in relations[: relations.index("same")]
    first = body["articles"][0]
    assert first["changes"] >= 1
    modified = next(p for a in body["articles"] for p in a["provisions"] if p["relation"] == "modified")
    assert modified["to_key"] == "art-1.2"
    assert ["+", "defined "] in modified["diff"]
    old_text = "".join(text for op, text in modified["diff"] if op != "+")
    new_text = "".join(text for op, text in modified["diff"] if op != "-")
    assert old_text == "Beta placeholder sentence about terms."
    assert new_text == "Beta placeholder sentence about defined terms."
    added = next(a for a in body["articles"] if a["to_number"] == "2a")
    assert added["relation"] == "added" and added["from_number"] is None


def test_moved_and_merged_say_where_they_went(anon: Client, drafts: None) -> None:
    body = _compare(anon, "from=D/2&to=D/3")
    provisions = [p for a in body["articles"] for p in a["provisions"]]
    moved = next(p for p in provisions if p["from_key"] == "art-1.2")
    assert moved["relation"] == "moved" and moved["to_key"] == "art-4.1"
    merged = [p for p in provisions if p["relation"] == "merged"]
    assert {p["from_key"] for p in merged} == {"art-2.1", "art-2.2"} and {p["to_key"] for p in merged} == {
        "art-2.1"
    }


def test_any_two_drafts_can_be_compared(anon: Client, drafts: None) -> None:
    assert not MappingRun.objects.filter(from_version__label="D/1", to_version__label="D/3").exists()
    body = _compare(anon, "from=D/1&to=D/3")
    assert body["summary"]["added"] >= 1
    # Computed once, then read.
    assert MappingRun.objects.get(from_version__label="D/1", to_version__label="D/3").status == "done"


def test_one_article(anon: Client, drafts: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(6):
        body = _compare(anon, "from=D/1&to=D/2&article=1")
    assert [(a["from_number"], a["to_number"]) for a in body["articles"]] == [("1", "1")]
    assert body["summary"]["modified"] == 1 and body["summary"]["added"] == 0


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("from=D/1", 400, "name the two drafts to compare: ?from=LABEL&to=LABEL"),
        ("from=D/1&to=D/9", 404, "No draft 'D/9' of this treaty."),
        ("from=D/1&to=D/2&language=ar", 404, "Drafts 'D/1' and 'D/2' are not both in language 'ar'."),
        ("from=D/1&to=D/2&article=77", 404, "No article 77 in draft 'D/2' or 'D/1'."),
    ],
)
def test_bad_requests(anon: Client, drafts: None, query: str, status: int, detail: str) -> None:
    response = anon.get(f"/api/v1/treaties/sample/compare/?{query}")
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_a_failed_mapping_is_recomputed_on_read(anon: Client, drafts: None) -> None:
    MappingRun.objects.filter(to_version__label="D/2").update(status="failed", error="boom")
    # A stale or failed run is recomputed on read; it succeeds here, so the answer is 200.
    assert _compare(anon, "from=D/1&to=D/2")["summary"]["modified"] == 1


@pytest.mark.parametrize("persona", ["anon", "alice_client", "mod_client", "mallory_client"])
def test_every_persona_reads_the_same(persona: str, request: pytest.FixtureRequest, drafts: None) -> None:
    client = request.getfixturevalue(persona)
    assert _compare(client, "from=D/1&to=D/2")["summary"]["added"] == 1
    response = client.get("/api/v1/treaties/sample/versions/")
    assert response.status_code == 200


def test_versions(anon: Client, drafts: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        response = anon.get("/api/v1/treaties/sample/versions/")
    rows = response.json()
    assert [(r["label"], r["status"], r["is_current"], r["follows"], r["date"]) for r in rows] == [
        ("D/1", "superseded", False, None, "2024-01-10"),
        ("D/2", "draft", True, "D/1", "2024-03-01"),
        ("D/3", "draft", False, "D/2", "2024-06-01"),
    ]
    assert set(rows[0]) >= {"label", "language", "title", "date", "status", "is_current", "follows"}
    assert anon.get("/api/v1/treaties/nothing/versions/").status_code == 404

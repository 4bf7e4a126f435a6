import csv
import io

import pytest

from annotations.heat.aggregation import heat_rebuild
from annotations.moderation.services import moderate
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def feedback_data(version, alice, mallory, mod):
    featured = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=3,
        position="amend",
        body="Needs judicial authorisation.",
        proposed_text="with prior judicial authorisation",
    )
    moderate(item=featured, moderator=mod, action="feature")
    anonymous = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-2.2.a",
        tags=["privacy", "gender"],
        severity=2,
        position="amend",
        body="Too broad.",
        proposed_text="narrower words",
        attribution="anonymous",
    )
    moderate(item=anonymous, moderator=mod, action="feature")
    pending = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-3",
        tags=["gender"],
        severity=1,
        position="concern",
        body="Not yet published",
    )
    moderate(item=pending, moderator=mod, action="spam")
    heat_rebuild(versions=[version])


def test_feedback_json(feedback_data, anon) -> None:
    body = anon.get("/api/v1/treaties/sample/feedback/").json()
    provenance = body["provenance"]
    assert provenance["treaty"] == "sample" and provenance["version"] == "S/1" and provenance["generated_at"]
    assert "Approved annotations only" in provenance["what_counts"]
    article = next(a for a in body["articles"] if a["number"] == "2")
    assert article["total"]["annotations"] == 2 and article["total"]["positions"]["amend"] == 2
    privacy = next(t for t in article["tags"] if t["tag"] == "privacy")
    assert privacy["organizations"] == 2 and privacy["score"] == 5
    assert [c["body"] for c in article["featured"]] == ["Needs judicial authorisation.", "Too broad."]
    assert article["featured"][0]["organization"] == "Digital Rights Watch"
    assert article["featured"][1]["organization"] is None  # anonymous
    assert {w["proposed_text"] for w in article["proposed_wordings"]} == {
        "with prior judicial authorisation",
        "narrower words",
    }
    assert "Mallory" not in str(body)
    article_3 = next(a for a in body["articles"] if a["number"] == "3")
    assert article_3["total"]["annotations"] == 0 and article_3["featured"] == []


def test_feedback_csv(feedback_data, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/feedback/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    header, *rows = list(csv.reader(io.StringIO("\n".join(lines))))
    assert header[:9] == [
        "article",
        "key",
        "title",
        "tag",
        "tag_name",
        "annotations",
        "organizations",
        "endorsements",
        "score",
    ]
    article_2_privacy = next(r for r in rows if r[0] == "2" and r[3] == "privacy")
    assert article_2_privacy[4] == "Privacy" and article_2_privacy[5:9] == ["2", "2", "0", "5"]
    assert (
        "Digital Rights Watch: Needs judicial authorisation."
        in article_2_privacy[header.index("featured_comments")]
    )
    assert "Anonymous: Too broad." in article_2_privacy[header.index("featured_comments")]
    # Tidy: no notes before the header, no totals mixed into the cells.
    assert not any(r[3] == "(all tags)" for r in rows) and not lines[0].startswith("#")


def test_feedback_totals_are_their_own_file(feedback_data, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/feedback/?format=csv&part=totals")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:7] == ["article", "key", "title", "annotations", "organizations", "endorsements", "score"]
    article_2 = next(r for r in rows if r[0] == "2")
    assert article_2[3:7] == ["2", "2", "0", "5"]  # the two-tag annotation once, not once per tag
    assert (
        "Digital Rights Watch: Needs judicial authorisation." in article_2[header.index("featured_comments")]
    )
    assert "_totals.csv" in response["Content-Disposition"]


def test_feedback_metadata_sidecar_names_the_files_and_the_draft(feedback_data, anon) -> None:
    csv_name = anon.get("/api/v1/treaties/sample/feedback/?format=csv")["Content-Disposition"]
    response = anon.get("/api/v1/treaties/sample/feedback/?format=json&part=metadata")
    metadata = response.json()
    assert metadata["treaty"] == "sample" and "Approved annotations only" in metadata["what_counts"]
    stem = response["Content-Disposition"].split('filename="')[1].removesuffix('.json"')
    assert csv_name.endswith(f'filename="{stem}.csv"')
    assert f"{stem}.csv" in metadata["files"] and f"{stem}_totals.csv" in metadata["files"]
    assert stem.startswith("sample_") and "_feedback_" in stem
    assert set(metadata["columns"]) >= {"article", "organizations", "score"}


def test_feedback_csv_opens_in_pandas_with_its_defaults(feedback_data, anon) -> None:
    """What an analyst does first (issue 14 §4): read_csv with no options, and sum the totals."""
    import pandas

    cells = pandas.read_csv(io.BytesIO(anon.get("/api/v1/treaties/sample/feedback/?format=csv").content))
    assert list(cells.columns[:5]) == ["article", "key", "title", "tag", "tag_name"]
    assert cells["annotations"].dtype.kind == "i" and cells["score"].dtype.kind == "i"
    privacy = cells[(cells["key"] == "art-2") & (cells["tag"] == "privacy")]
    assert privacy["annotations"].tolist() == [2]
    totals = pandas.read_csv(
        io.BytesIO(anon.get("/api/v1/treaties/sample/feedback/?format=csv&part=totals").content)
    )
    assert totals.columns[0] == "article"  # the BOM is not part of the first name
    assert int(totals["annotations"].sum()) == 2  # each annotation once
    assert int(cells["annotations"].sum()) == 3  # the two-tag one under each tag: why totals exist


def test_feedback_unknown_part(feedback_data, anon) -> None:
    for query in ("format=csv&part=metadata", "format=json&part=totals", "format=csv&part=x"):
        response = anon.get(f"/api/v1/treaties/sample/feedback/?{query}")
        assert response.status_code == 400 and "part" in response.json(), query


def test_feedback_bad_format(feedback_data, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/feedback/?format=pdf")
    assert response.status_code == 400

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
    assert lines[0].startswith("# treaty,sample")
    table = [row for row in csv.reader(io.StringIO("\n".join(lines))) if row and not row[0].startswith("#")]
    header, rows = table[0], table[1:]
    assert header[:8] == [
        "article",
        "key",
        "title",
        "tag",
        "annotations",
        "organizations",
        "endorsements",
        "score",
    ]
    article_2_privacy = next(r for r in rows if r[0] == "2" and r[3] == "privacy")
    assert article_2_privacy[4:8] == ["2", "2", "0", "5"]
    total = next(r for r in rows if r[0] == "2" and r[3] == "(all tags)")
    assert "Digital Rights Watch: Needs judicial authorisation." in total[-2]
    assert "Anonymous: Too broad." in total[-2]


def test_feedback_bad_format(feedback_data, anon) -> None:
    response = anon.get("/api/v1/treaties/sample/feedback/?format=pdf")
    assert response.status_code == 400

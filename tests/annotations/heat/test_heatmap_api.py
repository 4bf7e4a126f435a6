import pytest

from annotations.heat.aggregation import heat_rebuild
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def heated(version, alice, mallory):
    for author, key, tags in (
        (alice, "art-2.1", ["privacy"]),
        (mallory, "art-2.2.a", ["privacy", "gender"]),
        (alice, "art-3", ["gender"]),
    ):
        annotation_create(
            author=author,
            version=version,
            provision_key=key,
            tags=tags,
            severity=3,
            position="oppose",
            body=f"{author.pk} {key}",
        )
    heat_rebuild(versions=[version])
    return version


def test_treaty_heatmap_contract(heated, anon, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(8):
        response = anon.get("/api/v1/treaties/sample/heatmap/")
    body = response.json()
    assert {"treaty", "version", "computed_at", "tags", "articles"} <= body.keys()
    assert body["treaty"] == "sample" and body["version"] == "S/1" and body["computed_at"]
    article_2 = next(a for a in body["articles"] if a["number"] == "2")
    assert article_2["title"] == "Sample interception"
    assert article_2["total"]["annotations"] == 2 and article_2["total"]["organizations"] == 2
    privacy = next(c for c in article_2["cells"] if c["tag"] == "privacy")
    assert privacy == {
        "tag": "privacy",
        "annotations": 2,
        "organizations": 2,
        "endorsements": 0,
        "score": 6,
        "positions": {"concern": 0, "oppose": 2, "amend": 0, "delete": 0, "clarify": 0, "support": 0},
    }
    assert body["totals"]["total"]["annotations"] == 3
    assert [t["slug"] for t in body["tags"]][:2] == ["privacy", "freedom-of-expression"]


def test_article_heatmap_contract(heated, anon) -> None:
    body = anon.get("/api/v1/treaties/sample/articles/2/heatmap/").json()
    keys = [p["key"] for p in body["provisions"]]
    assert keys[:3] == ["art-2", "art-2.1", "art-2.2"]
    row = next(p for p in body["provisions"] if p["key"] == "art-2.2.a")
    assert row["label"] == "Article 2(2)(a)" and row["total"]["annotations"] == 1


@pytest.mark.usefixtures("every_segment_shown")
def test_filters(heated, anon) -> None:
    only_gender = anon.get("/api/v1/treaties/sample/heatmap/?tag=gender").json()
    assert [t["slug"] for t in only_gender["tags"]] == ["gender"]
    ngo = anon.get("/api/v1/treaties/sample/heatmap/?organization_type=ngo").json()
    assert ngo["totals"]["total"]["annotations"] == 3  # both organisations are NGOs (factory default)
    academic = anon.get("/api/v1/treaties/sample/heatmap/?organization_type=academic").json()
    assert academic["totals"]["total"]["annotations"] == 0
    for query, field, message in [
        ("organization_type=club", "organization_type", "Use one of"),
        ("country=Kenya", "country", "two-letter"),
        ("tag=nope", "tag", "Unknown concern tag"),
        ("organization_type=ngo&country=KE", "detail", "not both"),
    ]:
        response = anon.get(f"/api/v1/treaties/sample/heatmap/?{query}")
        assert response.status_code == 400 and message in str(response.json()[field]), query
    assert anon.get("/api/v1/treaties/sample/heatmap/?version=S/9").status_code == 404


def test_etag_gives_304_and_changes_with_the_heat(heated, anon, alice) -> None:
    first = anon.get("/api/v1/treaties/sample/heatmap/")
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = anon.get("/api/v1/treaties/sample/heatmap/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    annotation_create(
        author=alice,
        version=heated,
        provision_key="art-1",
        tags=["privacy"],
        severity=1,
        position="support",
        body="new one",
    )
    heat_rebuild(versions=[heated])
    changed = anon.get("/api/v1/treaties/sample/heatmap/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_if_modified_since_gives_304_until_the_heat_is_recomputed(heated, anon, alice) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.http import http_date

    first = anon.get("/api/v1/treaties/sample/articles/2/heatmap/")
    stamp = first["Last-Modified"]
    assert (
        anon.get("/api/v1/treaties/sample/articles/2/heatmap/", HTTP_IF_MODIFIED_SINCE=stamp).status_code
        == 304
    )
    earlier = http_date((timezone.now() - timedelta(days=1)).timestamp())
    assert anon.get("/api/v1/treaties/sample/heatmap/", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # If-None-Match decides when both are sent: a stale ETag gets the body whatever the date.
    both = anon.get(
        "/api/v1/treaties/sample/heatmap/", HTTP_IF_MODIFIED_SINCE=stamp, HTTP_IF_NONE_MATCH='"stale"'
    )
    assert both.status_code == 200
    assert (
        anon.get("/api/v1/treaties/sample/heatmap/", HTTP_IF_MODIFIED_SINCE="not a date").status_code == 200
    )


@pytest.mark.usefixtures("every_segment_shown")
def test_a_cached_answer_follows_the_rows_it_was_built_from(version, alice, mallory, mod, anon) -> None:
    """Answers are kept in the cache per state of the rows they read: a recompute that only
    removes rows, an edited tag and a recompute that changes numbers each give a new answer."""
    from accounts.models import Organization
    from annotations.heat.aggregation import article_heat_refresh
    from annotations.models import ConcernTag
    from annotations.moderation.services import moderate

    Organization.objects.filter(memberships__user__in=[alice, mallory]).update(country="KE")
    first = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="oppose",
        body="on article 2",
    )
    annotation_create(
        author=alice,
        version=version,
        provision_key="art-3",
        tags=["privacy"],
        severity=2,
        position="oppose",
        body="on article 3",
    )
    article_2, article_3 = (version.provisions.get(key=k) for k in ("art-2", "art-3"))
    article_heat_refresh(version_id=version.pk, article_id=article_2.pk)
    article_heat_refresh(version_id=version.pk, article_id=article_3.pk)  # the latest rows
    url = "/api/v1/treaties/sample/heatmap/?country=KE"

    def kenya(number: str) -> int:
        body = anon.get(url).json()
        return next(a for a in body["articles"] if a["number"] == number)["total"]["annotations"]

    assert (kenya("2"), kenya("3")) == (1, 1)
    # Article 2's only Kenyan annotation is rejected: its KE rows go, the latest write time of the
    # KE rows stays article 3's, and the answer still changes.
    moderate(item=first, moderator=mod, action="reject", reason="off topic")
    article_heat_refresh(version_id=version.pk, article_id=article_2.pk)
    assert (kenya("2"), kenya("3")) == (0, 1)
    ConcernTag.objects.filter(slug="privacy").update(name="Privacy and data")
    assert anon.get(url).json()["tags"][0]["name"] == "Privacy and data"


def test_the_heatmap_answers_without_its_cache(heated, anon, monkeypatch) -> None:
    """Its cache down (a Redis nobody answers on): the answer is built for every request, and is
    the same."""
    from django.core.cache.backends.redis import RedisCache

    from annotations.heat import api as heatmap

    cached = anon.get("/api/v1/treaties/sample/heatmap/").json()
    monkeypatch.setattr(heatmap, "cache", RedisCache("redis://127.0.0.1:9/0", {}))
    for _ in range(2):
        response = anon.get("/api/v1/treaties/sample/heatmap/")
        assert response.status_code == 200 and response.json() == cached

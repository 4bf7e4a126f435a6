"""Cached public pages for anonymous visitors (issue 18 §2, treaty/page_cache.py).

The main test walks one annotation through every transition a reader can see (pending, approved,
rejected, approved again, spam, flagged back to the queue, removed by its author) and, after each,
reads every cached page and API answer twice as an anonymous visitor: no answer ever shows an item
the public may not see, misses one it may, or shows heat other than a recount of the approved
annotations. Transactional: the writes commit, the bumps run after commit as in production, the
heat recomputes run (eagerly) as the worker would.
"""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client

from accounts.models import User
from annotations.heat import scheduling as heat_scheduling
from annotations.heat.aggregation import heat_reconcile
from annotations.models import Annotation, Status
from annotations.moderation.services import moderate
from annotations.services import annotation_create, annotation_delete, flag_create
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory, import_small_treaty
from treaty import page_cache
from treaty.generations import Generation

# Every cached public page and API answer of the sample treaty that lists annotations or heat.
PUBLIC_URLS = [
    "/treaties/sample/",
    "/treaties/sample/articles/2/",
    "/treaties/sample/heatmap/",
    "/treaties/sample/heatmap/annotations/?unit=art-2",
    "/treaties/sample/briefing/",
    "/api/v1/annotations/?treaty=sample",
    "/api/v1/annotations/",
    "/api/v1/treaties/sample/heatmap/",
    "/api/v1/treaties/sample/articles/2/heatmap/",
    "/api/v1/treaties/sample/feedback/?format=json",
]


def _verified(*, email: str) -> User:
    return VerifiedUserFactory(email=email)  # type: ignore[return-value]


COUNTS_ONLY = {
    "/treaties/sample/",
    "/treaties/sample/heatmap/",
    "/treaties/sample/briefing/",
    "/api/v1/treaties/sample/heatmap/",
    "/api/v1/treaties/sample/articles/2/heatmap/",
}

FEATURED_ONLY = {"/api/v1/treaties/sample/feedback/?format=json"}


@pytest.fixture
def page_cache_on(settings: Any, tmp_path: Any) -> None:
    """The cache on, in a cache of this test's own (keys of other runs cannot answer)."""
    settings.PUBLIC_PAGE_CACHE = True
    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}


def _approved_count(article_number: str = "2") -> int:
    return Annotation.objects.filter(
        Q(status=Status.APPROVED), deleted_at__isnull=True, article__number=article_number
    ).count()


def _read_twice(anon: Client, url: str) -> tuple[str, str]:
    """The answer's text and how the second reading was served (it must come from the cache)."""
    first = anon.get(url)
    assert first.status_code == 200, (url, first.status_code)
    second = anon.get(url)
    assert second.status_code == 200
    assert second.content == first.content, f"{url}: two readings in a row differ"
    return second.content.decode(), second.headers["X-Page-Cache"]


@pytest.mark.django_db(transaction=True)
def test_no_cached_page_shows_what_the_public_may_not_see(page_cache_on: None, monkeypatch: Any) -> None:
    # The worker recomputes the heat later, not at each commit as eager tasks would: the test runs
    # the recompute itself, after the pages were read (and cached) with the old heat.
    monkeypatch.setattr(heat_scheduling, "article_recompute_claim", lambda **kwargs: False)
    version = import_small_treaty().version
    version.moderation, version.verified_skip_queue = "pre", False
    version.save()
    writer = _verified(email="writer@example.org")
    organization = OrganizationFactory(name="Placeholder Rights", verified=True)
    MembershipFactory(user=writer, organization=organization)
    mod = _verified(email="mod@example.org")
    from django.contrib.auth.models import Group

    from accounts.models import MODERATORS_GROUP

    mod.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    flaggers = [_verified(email=f"flagger{n}@example.org") for n in range(3)]
    anon = Client()

    def annotate(body: str) -> Annotation:
        return annotation_create(
            author=writer,
            version=version,
            provision_key="art-2.1",
            tags=["privacy"],
            severity=3,
            position="oppose",
            body=body,
        )

    # One published annotation from the start, so every page has heat and an annotation to show.
    moderate(item=annotate("Placeholder published from the start."), moderator=mod, action="approve")
    body = "Placeholder comment under test."
    served: dict[str, set[str]] = {url: set() for url in PUBLIC_URLS}

    def read_all(step: str, visible: bool, heat_recomputed: bool) -> None:
        approved = _approved_count()
        for url in PUBLIC_URLS:
            text, how = _read_twice(anon, url)
            served[url].add(how)
            # The contents, heatmaps and briefing show counts, not comments: their heat is checked.
            lists_comments = url not in COUNTS_ONLY
            expected = visible
            if url in FEATURED_ONLY:  # a hidden item loses its featured mark; approval does not restore it
                expected = visible and Annotation.objects.filter(body=body, featured=True).exists()
            assert (body in text) is expected or not lists_comments, (
                f"after {step}: {url} {'misses' if expected else 'shows'} the annotation ({how})"
            )
            if heat_recomputed and url == "/api/v1/treaties/sample/articles/2/heatmap/":
                total = _article_total(anon.get(url).json())
                assert total == approved, f"after {step}: heat {total}, recount {approved} ({how})"

    def check(step: str, visible: bool) -> None:
        # First as readers see it before the worker ran: the change shows, the heat is the old one
        # (and is cached so) ...
        read_all(step, visible, heat_recomputed=False)
        # ... then once the worker recomputed the heat: no page may keep the old heat.
        heat_reconcile(older_than_seconds=0)
        read_all(step, visible, heat_recomputed=True)

    check("nothing written", visible=False)
    item = annotate(body)
    check("a pending annotation", visible=False)
    moderate(item=item, moderator=mod, action="approve")
    moderate(item=item, moderator=mod, action="feature")  # feedback lists featured comments
    check("approval", visible=True)
    moderate(item=item, moderator=mod, action="reject", reason="Placeholder reason.")
    check("rejection", visible=False)
    moderate(item=item, moderator=mod, action="approve")
    check("approval again", visible=True)
    moderate(item=item, moderator=mod, action="feature")
    check("featured again", visible=True)
    moderate(item=item, moderator=mod, action="spam")
    check("spam", visible=False)
    moderate(item=item, moderator=mod, action="approve")
    check("approval after spam", visible=True)
    for flagger in flaggers:  # the threshold (3) sends it back to the queue
        flag_create(user=flagger, reason="off_topic", annotation=Annotation.objects.get(pk=item.pk))
    assert Annotation.objects.get(pk=item.pk).status == Status.PENDING
    check("flags sending it back", visible=False)
    moderate(item=Annotation.objects.get(pk=item.pk), moderator=mod, action="approve")
    check("approval after flags", visible=True)
    annotation_delete(annotation=Annotation.objects.get(pk=item.pk), actor=writer)
    check("removal by its author", visible=False)
    # Every answer was served from the cache at least once (a test of nothing would pass too).
    assert all("hit" in how for how in served.values()), served


def _article_total(body: dict[str, Any]) -> int:
    # Each annotation is on one provision: the provisions' counts add up to the article's.
    return sum(int(row["total"]["annotations"]) for row in body["provisions"])


@pytest.mark.django_db(transaction=True)
def test_logged_in_users_bypass_it_and_see_their_pending_item(page_cache_on: None) -> None:
    version = import_small_treaty().version
    version.moderation, version.verified_skip_queue = "pre", False
    version.save()
    writer = _verified(email="writer@example.org")
    annotation_create(
        author=writer,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Placeholder waiting for a moderator.",
    )
    anon, own = Client(), Client()
    own.force_login(writer)
    for _ in range(2):
        public = anon.get("/treaties/sample/articles/2/")
        assert "Placeholder waiting for a moderator." not in public.content.decode()
    assert public.headers["X-Page-Cache"] == "hit"
    mine = own.get("/treaties/sample/articles/2/")
    assert mine.headers["X-Page-Cache"] == "bypass"
    assert "Placeholder waiting for a moderator." in mine.content.decode()
    token_client = Client(headers={"Authorization": "Token not-a-real-token"})
    assert token_client.get("/api/v1/annotations/?treaty=sample").headers["X-Page-Cache"] == "bypass"


@pytest.mark.django_db(transaction=True)
def test_conditional_requests_answer_304_until_something_changes(page_cache_on: None) -> None:
    version = import_small_treaty().version
    writer = _verified(email="writer@example.org")
    anon = Client()
    first = anon.get("/treaties/sample/articles/2/")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "Cookie" in first.headers["Vary"] and "Accept-Language" in first.headers["Vary"]
    assert anon.get("/treaties/sample/articles/2/", headers={"If-None-Match": etag}).status_code == 304
    assert anon.get("/treaties/sample/articles/2/", headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert (
        anon.get("/treaties/sample/articles/2/", headers={"If-Modified-Since": modified}).status_code == 304
    )
    annotation_create(  # published at once (post-moderation)
        author=writer,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Placeholder that changes the page.",
    )
    changed = anon.get("/treaties/sample/articles/2/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Placeholder that changes the page." in changed.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_new_draft_changes_the_key(page_cache_on: None) -> None:
    import_small_treaty()
    anon = Client()
    before = anon.get("/treaties/sample/").headers["ETag"]
    assert anon.get("/treaties/sample/").headers["ETag"] == before
    import_small_treaty(label="S/2")
    assert anon.get("/treaties/sample/").headers["ETag"] != before


def test_the_key_holds_the_language_and_what_else_changes_the_answer(rf: Any) -> None:
    from django.utils import translation

    generation = Generation("token", __import__("datetime").datetime(2026, 1, 1))
    keys: Callable[..., str] = page_cache._key
    request = rf.get("/treaties/sample/")
    with translation.override("en"):
        english = keys(request, generation, api=False)
    with translation.override("fr"):
        french = keys(request, generation, api=False)
    assert english != french
    with translation.override("en"):
        assert keys(rf.get("/treaties/sample/?version=S/2"), generation, api=False) != english
        assert keys(request, Generation("other", generation.changed_at), api=False) != english
        json_accept = keys(rf.get("/x/", HTTP_ACCEPT="application/json"), generation, api=True)
        html_accept = keys(rf.get("/x/", HTTP_ACCEPT="text/html"), generation, api=True)
        assert json_accept != html_accept


@pytest.mark.django_db(transaction=True)
def test_pages_are_served_uncached_when_the_cache_is_down(page_cache_on: None, settings: Any) -> None:
    from tests.redis_server import free_port  # a port nothing listens on

    import_small_treaty()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    anon = Client()
    for url in ("/treaties/sample/articles/2/", "/api/v1/annotations/?treaty=sample"):
        response = anon.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Page-Cache"] == "miss"  # rendered; storing it failed quietly


@pytest.mark.django_db(transaction=True)
def test_a_hit_is_sent_compressed_as_it_was_stored(page_cache_on: None) -> None:
    import gzip

    import_small_treaty()
    anon = Client()
    plain = anon.get("/treaties/sample/articles/2/")
    hit = anon.get("/treaties/sample/articles/2/", headers={"Accept-Encoding": "gzip"})
    assert hit.headers["X-Page-Cache"] == "hit"
    assert hit.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit.headers["Vary"]
    assert gzip.decompress(hit.content) == plain.content
    again = anon.get("/treaties/sample/articles/2/")  # a client without gzip gets the plain text
    assert again.headers["X-Page-Cache"] == "hit" and "Content-Encoding" not in again.headers
    assert again.content == plain.content

"""With Redis (broker and cache) down, the site keeps serving (issue 18, DESIGN §6).

A real redis-server of the test's own is started, used, then stopped: nothing is mocked, the
requests meet real refused connections. Reads and writes of pages and API succeed, the rate
limits let requests through and log it, the login limiter goes on limiting (in the database),
and /healthz says "degraded".
"""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import LoginFailureCount, User
from annotations.models import Annotation, HeatDirty, Reply
from tests.accounts.test_login import LOCKED, WRONG, log_in, logged_in_as
from tests.conftest import PERSONA_PASSWORD
from tests.factories import import_small_treaty
from tests.integration.conftest import publishing_to
from tests.redis_server import RedisServer

# Tasks are published for real (to the stopped Redis), not run inline: that path must not fail.
pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def redis_then_down(tmp_path: Path, settings) -> Iterator[RedisServer]:  # type: ignore[no-untyped-def]
    """Cache and broker on a Redis of our own, which is stopped after the first requests."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url(1),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    try:
        with publishing_to(server.url(0)):
            yield server
    finally:
        server.stop()


ANNOTATION = {
    "treaty": "sample",
    "provision": "art-2.1",
    "tags": ["privacy"],
    "severity": 2,
    "position": "concern",
    "body": "Placeholder comment written while Redis is down.",
}

READS = [
    "/api/v1/treaties/",
    "/api/v1/treaties/sample/",
    "/api/v1/treaties/sample/articles/2/",
    "/api/v1/tags/",
    "/api/v1/annotations/?treaty=sample",
    "/api/v1/treaties/sample/heatmap/",
    "/api/v1/treaties/sample/articles/2/heatmap/",
    "/api/v1/treaties/sample/versions/",
    "/",
    "/treaties/sample/",
    "/treaties/sample/articles/2/",
    "/treaties/sample/heatmap/",
]


def test_every_api_view_throttles_with_fail_open_classes() -> None:
    from django.urls import URLResolver, get_resolver

    from config.throttles import FailOpenMixin

    def views(patterns):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif hasattr(pattern.callback, "view_class"):
                yield pattern.callback.view_class

    checked = {
        view.__name__ for view in views(get_resolver().url_patterns) if hasattr(view, "throttle_classes")
    }
    assert "AnnotationListView" in checked and "TokenObtainView" in checked
    fail_closed = {
        view.__name__
        for view in views(get_resolver().url_patterns)
        if any(not issubclass(t, FailOpenMixin) for t in getattr(view, "throttle_classes", []))
    }
    assert fail_closed == set()


def test_reads_and_writes_succeed_with_redis_down(
    redis_then_down: RedisServer,
    alice: User,
    alice_client: Client,
    api_client_as,  # type: ignore[no-untyped-def]
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    version = import_small_treaty().version
    api = api_client_as(alice)
    api.raise_request_exception = alice_client.raise_request_exception = False
    anon = Client(raise_request_exception=False)
    assert api.get("/api/v1/annotations/").status_code == 200  # while Redis is up

    redis_then_down.stop()

    for url in READS:
        for client in (anon, api):
            assert client.get(url).status_code in (200, 404), url
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/annotations/", ANNOTATION, format="json")
    assert created.status_code == 201, created.content
    annotation = Annotation.objects.get(pk=created.json()["id"])
    # Marked for the reconcile, which recomputes the heat once Redis returns (DESIGN §6).
    assert HeatDirty.objects.filter(version=version).exists()
    with django_capture_on_commit_callbacks(execute=True):
        replied = alice_client.post(f"/annotations/{annotation.pk}/replies/", {"body": "Placeholder reply."})
    assert replied.status_code == 302
    assert Reply.objects.filter(annotation=annotation).count() == 1
    assert "rate limits are not enforced: the cache is unavailable" in caplog.text


def test_logins_work_and_are_still_limited_with_redis_down(
    redis_then_down: RedisServer, alice: User, settings, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    redis_then_down.stop()
    client = Client(raise_request_exception=False)

    response = log_in(client, alice.email, PERSONA_PASSWORD)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert logged_in_as(client) == alice.pk
    token = client.post("/api/v1/auth/token/", {"email": alice.email, "password": PERSONA_PASSWORD})
    assert token.status_code == 201, token.content

    stranger = Client(raise_request_exception=False)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert log_in(stranger, alice.email, WRONG).status_code == 400  # type: ignore[attr-defined]
    refused = log_in(stranger, alice.email, PERSONA_PASSWORD)
    assert LOCKED in refused.content.decode()  # type: ignore[attr-defined]
    assert logged_in_as(stranger) is None
    api_refused = stranger.post("/api/v1/auth/token/", {"email": alice.email, "password": PERSONA_PASSWORD})
    assert api_refused.status_code == 429
    assert api_refused.json()["detail"].startswith("Too many failed login attempts.")
    # No address or email in the fallback's rows: only hashes.
    assert all(alice.email not in row.key_hash for row in LoginFailureCount.objects.all())
    assert "login limiter: the cache is unavailable" in caplog.text


def test_healthz_says_degraded_with_redis_down(redis_then_down: RedisServer, client: Client) -> None:
    assert client.get("/healthz").json()["broker"] == "ok"
    redis_then_down.stop()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert (response.json()["database"], response.json()["broker"]) == ("ok", "unreachable")


def test_the_logs_say_it_once_a_minute_not_once_a_request(
    redis_then_down: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    redis_then_down.stop()
    client = Client(raise_request_exception=False)
    import_small_treaty()
    with caplog.at_level(logging.WARNING, logger="config.throttles"):
        for _ in range(5):
            assert client.get("/api/v1/treaties/").status_code == 200
    assert caplog.text.count("rate limits are not enforced") <= 1

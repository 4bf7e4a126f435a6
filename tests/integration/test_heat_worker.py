"""Heat end to end with a real worker on the configured broker and database (DESIGN §6)."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from annotations.heat import scheduling
from annotations.heat.tasks import heat_reconcile_task
from annotations.models import HeatDirty
from config.celery import app as celery_app
from tests.factories import import_small_treaty
from tests.integration.conftest import WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused


def _reset_publisher_pools() -> None:
    # The app caches its connection and producer pools; a new broker URL needs fresh ones (kombu
    # keeps one pool per URL, so the configured broker's pool is found again on restore).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = DEAD_BROKER, {}
    _reset_publisher_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved
        _reset_publisher_pools()


def _heat_of_article(client, number: str) -> int:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/treaties/sample/heatmap/").json()
    return next(a for a in body["articles"] if a["number"] == number)["total"]["annotations"]


def _heat_total(client) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/treaties/sample/heatmap/").json()["totals"]["total"]["annotations"]


NEW = {"treaty": "sample", "provision": "art-2.1", "tags": ["privacy"], "severity": 2, "position": "concern"}


def test_annotations_reach_the_heatmap_and_a_rejection_takes_them_out(
    celery_worker_process: WorkerProcess, alice, mod, api_client_as, anon
) -> None:
    cache.clear()
    import_small_treaty()
    writer = api_client_as(alice)
    ids = [
        writer.post("/api/v1/annotations/", {**NEW, "body": f"Concern {i}"}, format="json").json()["id"]
        for i in range(3)
    ]
    celery_worker_process.wait_until(lambda: _heat_of_article(anon, "2") == 3, "three annotations counted")
    celery_worker_process.wait_until(lambda: _heat_total(anon) == 3, "the totals counted")
    response = api_client_as(mod).post(
        f"/api/v1/annotations/{ids[0]}/moderation/",
        {"action": "reject", "reason": "Duplicate."},
        format="json",
    )
    assert response.status_code == 200
    celery_worker_process.wait_until(
        lambda: _heat_of_article(anon, "2") == 2, "the rejected one no longer counts"
    )


def test_after_a_quiet_spell_the_totals_follow_the_article_at_once(
    celery_worker_process: WorkerProcess, alice, api_client_as, anon
) -> None:
    cache.clear()  # no totals pass has started lately
    import_small_treaty()
    response = api_client_as(alice).post("/api/v1/annotations/", {**NEW, "body": "Alone."}, format="json")
    assert response.status_code == 201, response.content
    celery_worker_process.wait_until(lambda: _heat_of_article(anon, "2") == 1, "the annotation counted")
    # Not an interval later: the totals pass starts as soon as the article's recompute is done.
    celery_worker_process.wait_until(
        lambda: _heat_total(anon) == 1, "the totals counted", timeout=scheduling.TOTALS_INTERVAL_SECONDS - 5
    )


def test_writes_succeed_with_the_broker_down_and_heat_converges_after(
    celery_worker_process: WorkerProcess, alice, api_client_as, anon, broker_down
) -> None:
    cache.clear()
    import_small_treaty()
    writer = api_client_as(alice)
    for i in range(2):
        response = writer.post("/api/v1/annotations/", {**NEW, "body": f"Offline {i}"}, format="json")
        assert response.status_code == 201, response.content  # the write does not need the broker
    assert HeatDirty.objects.filter(article__key="art-2").exists()  # nothing is lost
    assert _heat_of_article(anon, "2") == 0

    # The broker is back: the periodic reconcile (beat) catches up.
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = broker_down_saved()
    _reset_publisher_pools()
    heat_reconcile_task.delay(0)
    celery_worker_process.wait_until(lambda: _heat_of_article(anon, "2") == 2, "the heat converged")
    assert not HeatDirty.objects.filter(article__key="art-2").exists()


def broker_down_saved() -> tuple[str, dict[str, object]]:
    """The configured broker, as the settings give it."""
    from django.conf import settings

    return settings.CELERY_BROKER_URL, getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})


def test_a_message_under_the_previous_release_s_task_name_still_runs(
    celery_worker_process: WorkerProcess, alice, api_client_as, anon, broker_down
) -> None:
    """Queued before the deploy that moved the tasks (issue 13): the worker still runs the name."""
    cache.clear()
    import_small_treaty()
    # Written while the broker is down, so that no message of the current release counts it.
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**NEW, "body": "Queued long ago."}, format="json"
    )
    assert response.status_code == 201, response.content
    version_id, article_id = HeatDirty.objects.filter(article__key="art-2").values_list(
        "version_id", "article_id"
    )[0]
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = broker_down_saved()
    _reset_publisher_pools()
    # Published by name, as the previous release did: nothing of this release is imported for it.
    celery_app.send_task(
        "annotations.tasks.article_heat_refresh_task", args=(version_id, article_id), queue="aggregate"
    )
    celery_worker_process.wait_until(lambda: _heat_of_article(anon, "2") == 1, "the old name's recompute ran")

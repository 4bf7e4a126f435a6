"""/healthz against real services: the configured database and broker, and dead ones.

Nothing is mocked: an unreachable broker is a real refused connection (port 1) or a missing broker
folder, an unreachable database a real refused connection in a separate process.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.celery import app as celery_app

REPO_ROOT = Path(__file__).resolve().parent.parent
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the connection is refused


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Point the Celery app at another broker for one test, then restore it."""
    url, transport_options = request.param
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_head_is_allowed_for_balancers(client) -> None:
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_post_is_refused(client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("broker", [(DEAD_REDIS, {})], indirect=True)
def test_degraded_but_serving_when_redis_refuses(client, broker: None) -> None:
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    # The node still serves without its broker (DESIGN §6): the balancer keeps it, monitoring alerts.
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("degraded", "ok", "unreachable")
    # The error is logged, never shown to an anonymous caller.
    assert "111" not in response.content.decode() and "refused" not in response.content.decode().lower()
    # A balancer gives up after a few seconds: the check must not sit in retry loops.
    assert elapsed < 2


@pytest.fixture
def missing_broker_folder(tmp_path: Path) -> Iterator[None]:
    gone = str(tmp_path / "no-such-broker" / "queue")
    saved = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = "filesystem://"
    celery_app.conf.broker_transport_options = {
        "data_folder_in": gone,
        "data_folder_out": gone,
        "control_folder": str(tmp_path / "control"),
    }
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = saved


@pytest.mark.django_db
def test_degraded_when_filesystem_broker_folder_is_missing(client, missing_broker_folder: None) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


def healthz_in_subprocess(database_url: str) -> tuple[int, dict[str, object]]:
    """GET /healthz in a fresh Django process whose DATABASE_URL points somewhere else.

    A separate process, because this one's database connection belongs to the test database.
    """
    script = (
        "import json, django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status_code': r.status_code, 'body': r.json()}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["status_code"], result["body"]


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/marginalia",  # refused: nothing listens on port 1
        "sqlite:////nonexistent-marginalia-dir/db.sqlite3",  # the file cannot be opened
    ],
)
def test_unavailable_when_database_is_unreachable(database_url: str) -> None:
    status_code, body = healthz_in_subprocess(database_url)

    assert status_code == 503
    assert (body["status"], body["database"], body["broker"]) == ("unavailable", "unreachable", "ok")

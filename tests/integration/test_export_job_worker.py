"""Export jobs end to end with a real worker on the configured broker and database (DESIGN §7)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from annotations.models import ExportJob
from annotations.moderation.services import moderate
from annotations.services import annotation_create
from tests.factories import import_small_treaty
from tests.integration.conftest import WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def written_files() -> Iterator[list[Path]]:
    """Files the worker wrote under EXPORT_DIR (the same VAR_DIR reaches it): removed afterwards."""
    files: list[Path] = []
    yield files
    for path in files:
        path.unlink(missing_ok=True)


def _status(client, location: str) -> dict:  # type: ignore[no-untyped-def]
    return client.get(location).json()


@pytest.mark.parametrize(("persona", "kind"), [("alice", "csv"), ("mod", "ndjson")])
def test_a_worker_writes_the_job_and_the_download_matches_the_streamed_export(
    celery_worker_process: WorkerProcess,
    request: pytest.FixtureRequest,
    persona: str,
    kind: str,
    alice,
    mallory,
    mod,
    api_client_as,
    written_files: list[Path],
) -> None:
    cache.clear()
    version = import_small_treaty().version
    for index in range(3):
        annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.1",
            tags=["privacy"],
            severity=2,
            position="concern",
            body=f"Published {index}",
        )
    hidden = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-3",
        tags=["gender"],
        severity=1,
        position="clarify",
        body="Rejected",
        attribution="anonymous",
    )
    moderate(item=hidden, moderator=mod, action="reject", reason="Off topic")

    client = api_client_as(request.getfixturevalue(persona))
    response = client.post("/api/v1/exports/", {"treaty": "sample", "format": kind}, format="json")
    assert response.status_code == 202, response.content
    location = response["Location"]
    job = ExportJob.objects.get(pk=response.json()["id"])
    written_files.append(Path(settings.EXPORT_DIR) / job.file_name)

    celery_worker_process.wait_until(
        lambda: _status(client, location)["status"] in ("done", "failed"), f"export job {job.pk} finished"
    )
    status = _status(client, location)
    assert status["status"] == "done", status
    expected_rows = 4 if persona == "mod" else 3
    assert status["row_count"] == expected_rows
    assert status["includes_unpublished"] is (persona == "mod")

    download = client.get(status["download"])
    assert download.status_code == 200
    written = b"".join(download.streaming_content)
    streamed = client.get(f"/api/v1/treaties/sample/annotations/export/?format={kind}")
    assert written == b"".join(streamed.streaming_content)
    assert (b"Rejected" in written) is (persona == "mod")

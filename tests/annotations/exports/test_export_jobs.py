"""Large exports as jobs (DESIGN §7): POST → 202 + Location, the task writes the file, the
requester (or a moderator) downloads it until it expires; the beat task purges it."""

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from accounts.models import MODERATORS_GROUP
from accounts.services.api_tokens import api_token_create
from annotations.exports import job_runs
from annotations.exports.rows import CSV_COLUMNS
from annotations.exports.tasks import export_files_purge_task, export_job_run_task, export_jobs_requeue_task
from annotations.models import ExportJob
from annotations.moderation.services import moderate
from annotations.services import annotation_create, endorsement_create
from config.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

State = ExportJob.State
EXPORTS = "/api/v1/exports/"
STREAMED = "/api/v1/treaties/sample/annotations/export/"


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path: Path) -> Path:
    settings.EXPORT_DIR = tmp_path / "exports"
    cache.clear()  # the "exports" throttle counts per user across tests otherwise
    return settings.EXPORT_DIR


@pytest.fixture
def annotated(version, alice, mallory, mod):
    made = [
        annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.1",
            tags=["privacy"],
            severity=3,
            position="oppose",
            body='=HYPERLINK("http://evil")',
        ),
        annotation_create(
            author=mallory,
            version=version,
            provision_key="art-3",
            tags=["gender", "privacy"],
            severity=1,
            position="amend",
            body="Anonymous worry",
            proposed_text="Better words",
            attribution="anonymous",
        ),
    ]
    rejected = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-1",
        tags=["gender"],
        severity=2,
        position="clarify",
        body="Rejected one",
    )
    moderate(item=rejected, moderator=mod, action="reject", reason="Off topic")
    endorsement_create(annotation=made[0], user=mallory)
    return made, rejected


def _create(client, body, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(EXPORTS, body, format="json")
    return response, callbacks


def _content(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


# --- Create, run, download ------------------------------------------------------------------


def test_a_job_is_written_by_the_task_and_matches_the_streamed_export(
    annotated, alice, api_client_as, anon, django_capture_on_commit_callbacks, export_dir
) -> None:
    client = api_client_as(alice)
    response, callbacks = _create(
        client, {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/exports/{job.pk}/"
    assert response.json()["status"] == "queued"  # answered before the task ran (after commit)
    assert len(callbacks) == 1

    status = client.get(response["Location"]).json()
    assert status["status"] == "done" and status["row_count"] == 2  # approved only: alice is no moderator
    assert status["includes_unpublished"] is False and status["treaty"] == "sample"
    assert status["download"] == f"http://testserver/api/v1/exports/{job.pk}/download/"
    assert status["expires_at"] and status["finished_at"]

    download = client.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="sample-annotations-export-{job.pk}.csv"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    body = _content(download)
    assert body == _content(anon.get(f"{STREAMED}?format=csv"))
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,permalink,treaty")
    assert "Rejected one" not in text and "Anonymous worry" in text and "Mallory" not in text
    assert "'=HYPERLINK" in text  # the CSV-injection guard of the streamed export applies
    assert sorted(os.listdir(export_dir)) == [job.file_name]


def test_ndjson_with_filters(
    annotated, alice, api_client_as, anon, django_capture_on_commit_callbacks
) -> None:
    client = api_client_as(alice)
    body = {"treaty": "sample", "format": "ndjson", "filters": {"tag": "gender", "article": 3}}
    response, _ = _create(client, body, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    job = ExportJob.objects.get()
    assert job.filters == {"tag": "gender", "article": "3"}
    download = client.get(f"/api/v1/exports/{job.pk}/download/")
    lines = _content(download).decode().splitlines()
    assert [json.loads(line)["body"] for line in lines] == ["Anonymous worry"]
    streamed = _content(anon.get(f"{STREAMED}?format=ndjson&tag=gender&article=3"))
    assert "\n".join(lines).encode() + b"\n" == streamed
    job.refresh_from_db()
    assert job.row_count == 1


def test_jsonld_lines_are_web_annotations(
    annotated, alice, api_client_as, django_capture_on_commit_callbacks
) -> None:
    client = api_client_as(alice)
    response, _ = _create(
        client, {"treaty": "sample", "format": "jsonld"}, django_capture_on_commit_callbacks
    )
    job = ExportJob.objects.get(pk=response.json()["id"])
    download = client.get(f"/api/v1/exports/{job.pk}/download/")
    assert download["Content-Disposition"].endswith(f'sample-annotations-export-{job.pk}.jsonl"')
    documents = [json.loads(line) for line in _content(download).decode().splitlines()]
    assert len(documents) == 2
    for document in documents:
        assert document["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
        assert document["type"] == "Annotation" and document["target"]["type"] == "SpecificResource"
        assert "marginalia:status" not in document


def test_a_moderators_job_has_every_status_with_a_status_column(
    annotated, mod, api_client_as, django_capture_on_commit_callbacks
) -> None:
    client = api_client_as(mod)
    response, _ = _create(client, {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks)
    status = client.get(response["Location"]).json()
    assert status["row_count"] == 3 and status["includes_unpublished"] is True
    text = _content(client.get(status["download"])).decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[CSV_COLUMNS.index("status")] == "status"
    assert "Rejected one" in text and ",rejected," in text


def test_rerunning_the_task_rewrites_the_same_file(
    annotated, alice, version, api_client_as, django_capture_on_commit_callbacks, export_dir
) -> None:
    client = api_client_as(alice)
    _create(client, {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    first = (export_dir / job.file_name).read_bytes()
    annotation_create(
        author=alice,
        version=version,
        provision_key="art-1",
        tags=["privacy"],
        severity=1,
        position="concern",
        body="Written after the first run",
    )
    export_job_run_task.delay(job.pk)  # a redelivered message
    job.refresh_from_db()
    assert job.status == State.DONE and job.row_count == 3
    assert sorted(os.listdir(export_dir)) == [job.file_name]  # the same file, no .part left
    second = (export_dir / job.file_name).read_bytes()
    assert second.startswith(first.splitlines(keepends=True)[0]) and b"Written after the first run" in second


def test_a_failed_write_marks_the_job_failed_and_leaves_no_file(
    annotated, alice, api_client_as, django_capture_on_commit_callbacks, export_dir, monkeypatch
) -> None:
    def broken(annotations, kind, *, with_status):  # type: ignore[no-untyped-def]
        yield b"id\r\n"
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(job_runs.streams, "stream", broken)
    client = api_client_as(alice)
    response, _ = _create(client, {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks)
    status = client.get(response["Location"]).json()
    assert status["status"] == "failed" and status["download"] is None
    assert "could not be written" in status["error"] and "disk on fire" not in status["error"]
    answer = client.get(f"{response['Location']}download/")
    assert answer.status_code == 409 and "This export failed" in answer.json()["detail"]
    assert not export_dir.exists() or os.listdir(export_dir) == []


def test_a_job_not_yet_run_is_not_ready(annotated, alice, api_client_as) -> None:
    client = api_client_as(alice)
    response = client.post(
        EXPORTS, {"treaty": "sample", "format": "csv"}, format="json"
    )  # on_commit never runs
    assert response.status_code == 202
    answer = client.get(f"{response['Location']}download/")
    assert answer.status_code == 409
    assert (
        answer.json()["detail"]
        == "This export is not ready yet (status: queued). Poll the job until it is done."
    )


# --- Who may see and download a job ---------------------------------------------------------


@pytest.fixture
def alices_job(annotated, alice, api_client_as, django_capture_on_commit_callbacks) -> ExportJob:
    _create(api_client_as(alice), {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks)
    return ExportJob.objects.get()


def test_the_requester_and_moderators_see_and_download_a_job(alices_job, alice, mod, api_client_as) -> None:
    for user in (alice, mod):
        client = api_client_as(user)
        assert client.get(f"/api/v1/exports/{alices_job.pk}/").status_code == 200
        assert client.get(f"/api/v1/exports/{alices_job.pk}/download/").status_code == 200


def test_another_user_gets_404_for_someone_elses_job(alices_job, mallory, api_client_as) -> None:
    client = api_client_as(mallory)
    for url in (f"/api/v1/exports/{alices_job.pk}/", f"/api/v1/exports/{alices_job.pk}/download/"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert answer.json() == {"detail": f"There is no export job {alices_job.pk}."}


def test_anonymous_visitors_can_neither_create_nor_read_jobs(alices_job, api_client) -> None:
    assert api_client.post(EXPORTS, {"treaty": "sample", "format": "csv"}, format="json").status_code in (
        401,
        403,
    )
    assert api_client.get(f"/api/v1/exports/{alices_job.pk}/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/exports/{alices_job.pk}/download/").status_code in (401, 403)
    assert ExportJob.objects.count() == 1


def test_an_unverified_user_cannot_create_a_job(annotated, api_client_as) -> None:
    unverified = UserFactory(email="new@example.org")
    answer = api_client_as(unverified).post(EXPORTS, {"treaty": "sample", "format": "csv"}, format="json")
    assert answer.status_code == 403 and "Confirm your email address" in answer.json()["detail"]
    assert not ExportJob.objects.exists()


def test_a_script_with_a_token_creates_polls_and_downloads(
    annotated, alice, api_client, django_capture_on_commit_callbacks
) -> None:
    _token, key = api_token_create(user=alice, name="nightly export")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response, _ = _create(
        api_client, {"treaty": "sample", "format": "ndjson"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    assert api_client.get(response["Location"]).json()["status"] == "done"
    assert api_client.get(f"{response['Location']}download/").status_code == 200


def test_a_file_with_unpublished_items_is_for_moderators_only(
    annotated, mod, api_client_as, django_capture_on_commit_callbacks
) -> None:
    _create(api_client_as(mod), {"treaty": "sample", "format": "csv"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.includes_unpublished
    mod.groups.remove(Group.objects.get(name=MODERATORS_GROUP))
    mod.refresh_from_db()
    answer = api_client_as(mod).get(f"/api/v1/exports/{job.pk}/download/")
    assert answer.status_code == 403
    assert (
        answer.json()["detail"]
        == "This export holds unpublished annotations: only moderators may download it."
    )


# --- Expiry and the purge -------------------------------------------------------------------


def test_an_expired_job_answers_410(alices_job, alice, api_client_as) -> None:
    ExportJob.objects.filter(pk=alices_job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client = api_client_as(alice)
    answer = client.get(f"/api/v1/exports/{alices_job.pk}/download/")
    assert answer.status_code == 410
    assert "This export expired on" in answer.json()["detail"]
    assert "Create a new export job" in answer.json()["detail"]
    assert client.get(f"/api/v1/exports/{alices_job.pk}/").json()["download"] is None


def test_the_purge_deletes_expired_files_and_marks_their_jobs(
    alices_job, alice, api_client_as, export_dir, settings
) -> None:
    path = export_dir / alices_job.file_name
    assert path.is_file()
    assert export_files_purge_task.delay().get() == 0  # not expired yet: kept
    assert path.is_file()

    ExportJob.objects.filter(pk=alices_job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert export_files_purge_task.delay().get() == 1
    assert not path.exists()
    alices_job.refresh_from_db()
    assert alices_job.status == State.EXPIRED
    answer = api_client_as(alice).get(f"/api/v1/exports/{alices_job.pk}/download/")
    assert answer.status_code == 410 and "expired" in answer.json()["detail"]
    # An expired job is never written again, even by a late message.
    export_job_run_task.delay(alices_job.pk)
    assert not path.exists()


def test_the_purge_removes_old_files_no_job_refers_to(alices_job, export_dir, settings) -> None:
    old = time.time() - (settings.EXPORT_TTL_HOURS + 2) * 3600
    orphan = export_dir / "sample-annotations-19700101-000000-deadbeef.csv"
    crashed = export_dir / ".sample-annotations-x.csv.1234.part"
    fresh = export_dir / "sample-annotations-being-written.csv"
    for path in (orphan, crashed, fresh):
        path.write_text("id\r\n")
    for path in (orphan, crashed):
        os.utime(path, (old, old))
    live = export_dir / alices_job.file_name
    os.utime(live, (old, old))  # old, but its job is live: kept

    job_runs.export_files_purge()
    assert not orphan.exists() and not crashed.exists()
    assert fresh.exists() and live.exists()


def test_a_job_whose_message_was_lost_is_sent_again(annotated, alice, api_client_as) -> None:
    client = api_client_as(alice)
    response = client.post(EXPORTS, {"treaty": "sample", "format": "csv"}, format="json")  # never enqueued
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert export_jobs_requeue_task.delay().get() == 0  # too recent: its message may still be waiting
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert export_jobs_requeue_task.delay().get() == 1
    job.refresh_from_db()
    assert job.status == State.DONE and job.row_count == 2


def test_export_tasks_go_to_the_export_queue_and_the_purge_runs_hourly() -> None:
    for name in (export_job_run_task.name, export_files_purge_task.name):
        assert celery_app.amqp.router.route({}, name)["queue"].name == "export"
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    assert schedule[export_files_purge_task.name] == 3600.0
    assert export_job_run_task.time_limit and export_job_run_task.soft_time_limit
    assert export_job_run_task.acks_late


# --- Bad input: 400 with a message, and nothing written ---------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"treaty": "nope", "format": "csv"}, "treaty", "There is no treaty “nope”."),
        ({"treaty": "", "format": "csv"}, "treaty", "This field may not be blank."),
        ({"format": "csv"}, "treaty", "This field is required."),
        ({"treaty": "sample", "format": "pdf"}, "format", "Use one of: csv, ndjson, jsonld."),
        (
            {"treaty": "sample", "format": "csv", "filters": {"colour": "red"}},
            "filters",
            "Unknown filter “colour”",
        ),
        ({"treaty": "sample", "format": "csv", "tag": "privacy"}, "tag", 'Filters go inside "filters"'),
        ({"treaty": "sample", "format": "csv", "filters": ["tag"]}, "filters", "Expected a dictionary"),
        (
            {"treaty": "sample", "format": "csv", "filters": {"tag": "nope"}},
            "filters",
            "no concern tag “nope”",
        ),
        (
            {"treaty": "sample", "format": "csv", "filters": {"status": "pending"}},
            "filters",
            "Only moderators",
        ),
        ({"treaty": "sample", "format": "csv", "filters": {"status": "lost"}}, "filters", "must be one of"),
        (
            {"treaty": "sample", "format": "csv", "filters": {"position": "maybe"}},
            "filters",
            "must be one of",
        ),
        ({"treaty": "sample", "format": "csv", "filters": {"version": "X/9"}}, "filters", "no version “X/9”"),
        (
            {"treaty": "sample", "format": "csv", "filters": {"organization": "nobody"}},
            "filters",
            "no organisation",
        ),
        (
            {"treaty": "sample", "format": "csv", "filters": {"updated_after": "yesterday"}},
            "filters",
            "ISO 8601 date-time with a time zone",
        ),
    ],
)
def test_bad_input_is_400_with_a_message_and_writes_nothing(
    annotated, alice, api_client_as, django_capture_on_commit_callbacks, export_dir, body, field, message
) -> None:
    response, callbacks = _create(api_client_as(alice), body, django_capture_on_commit_callbacks)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])
    assert not ExportJob.objects.exists()
    assert callbacks == []  # nothing queued
    assert not export_dir.exists()


def test_every_problem_is_named_at_once(annotated, alice, api_client_as) -> None:
    body = {"treaty": "nope", "format": "csv", "filters": {"colour": "red", "position": "maybe"}}
    errors = api_client_as(alice).post(EXPORTS, body, format="json").json()
    assert set(errors) == {"treaty", "filters"} and len(errors["filters"]) == 2


def test_a_moderator_may_export_unpublished_items_by_status(
    annotated, mod, api_client_as, django_capture_on_commit_callbacks
) -> None:
    body = {"treaty": "sample", "format": "ndjson", "filters": {"status": "rejected"}}
    response, _ = _create(api_client_as(mod), body, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert job.row_count == 1


def test_job_creation_is_throttled(annotated, alice, api_client_as, monkeypatch) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "exports": "2/hour"}
    )
    cache.clear()
    client = api_client_as(alice)
    codes = [
        client.post(EXPORTS, {"treaty": "sample", "format": "csv"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]
    assert ExportJob.objects.count() == 2
    # Polling a job is not counted against the limit.
    job = ExportJob.objects.first()
    assert all(client.get(f"/api/v1/exports/{job.pk}/").status_code == 200 for _ in range(3))

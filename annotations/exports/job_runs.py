"""Running export jobs (the worker's side) and their housekeeping. The file is written by the same
code as the streamed export (annotations.exports.streams.stream), so a job's file and the streamed
answer for the same viewer and filters hold the same bytes.

Nothing here publishes a task: annotations/exports/tasks.py calls in, and sends what is due.
"""

import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from annotations.exports import streams
from annotations.exports.rows import export_rows
from annotations.exports.webannotation import web_annotation
from annotations.exports.writers import ExportStream, WrittenExport
from annotations.models import ExportJob
from annotations.selectors import AnnotationFilters, annotations_matching

logger = logging.getLogger(__name__)

State = ExportJob.State
Format = ExportJob.Format

EXTENSIONS = {Format.CSV: "csv", Format.NDJSON: "ndjson", Format.JSONLD: "jsonl"}
# A job still queued after this long lost its message (the broker was down when it was created).
REQUEUE_AFTER = timedelta(hours=1)
# Files no job refers to (a deleted account's, a crashed write's .part) go after the TTL and this.
ORPHAN_GRACE = timedelta(hours=1)


def is_moderator(user: User) -> bool:
    return bool(user.is_active and user.is_moderator)


def export_path(job: ExportJob) -> Path:
    name = Path(job.file_name).name  # never a path out of the export directory
    return Path(settings.EXPORT_DIR) / name


# --- Running a job (the worker) -------------------------------------------------------------


def _annotation_filters(job: ExportJob) -> AnnotationFilters:
    stored = job.filters
    updated_after = parse_datetime(stored["updated_after"]) if stored.get("updated_after") else None
    return AnnotationFilters(
        treaty=job.treaty.slug,
        version=stored.get("version"),
        language=stored.get("language"),
        article=stored.get("article"),
        provision=stored.get("provision"),
        tag=stored.get("tag"),
        organization=stored.get("organization"),
        status=stored.get("status"),
        position=stored.get("position"),
        updated_after=updated_after,
        # Never the requester's own unpublished items: an export is a publication.
        mine=False,
    )


def stream_web_annotations(rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]:
    """One complete W3C Web Annotation (with its @context) per line."""
    for row in rows:
        yield json.dumps(web_annotation(row, with_status=with_status), ensure_ascii=False) + "\n"


def _export(job: ExportJob, *, with_status: bool) -> ExportStream:
    viewer = job.requester if with_status else None
    annotations = annotations_matching(viewer, _annotation_filters(job))
    if job.format == Format.JSONLD:
        rows = export_rows(annotations)
        return WrittenExport(rows, stream_web_annotations, with_status=with_status)
    return streams.stream(annotations, job.format, with_status=with_status)


def _write(job: ExportJob, *, with_status: bool) -> int:
    """Write the job's file whole, or not at all: into a .part file renamed over the old one, so a
    re-run (a redelivered message) rewrites the same file and a reader never sees half of one."""
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    body = _export(job, with_status=with_status)
    try:
        with partial.open("wb") as out:
            for piece in body:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return body.row_count


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file and mark it done (or failed). Idempotent: running it again rewrites the
    same file from the database. A job that no longer exists or has expired is left alone."""
    job = ExportJob.objects.select_related("requester", "treaty").filter(pk=job_id).first()
    if job is None or job.status == State.EXPIRED:
        return None
    # Who the requester is now decides what the file holds: a moderator gets every status.
    with_status = is_moderator(job.requester)
    ExportJob.objects.filter(pk=job.pk).update(
        status=State.RUNNING, started_at=timezone.now(), includes_unpublished=with_status, error=""
    )
    try:
        row_count = _write(job, with_status=with_status)
    except SoftTimeLimitExceeded:
        _fail(job, "It took longer than the time allowed; narrow it down with filters (e.g. version, tag).")
        return job
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _fail(job, "The file could not be written (a server error, logged for the administrators).")
        return job
    finished = timezone.now()
    # Conditional: if the purge expired the job meanwhile, the file just written goes too.
    done = ExportJob.objects.filter(pk=job.pk, status=State.RUNNING).update(
        status=State.DONE,
        row_count=row_count,
        finished_at=finished,
        expires_at=finished + timedelta(hours=settings.EXPORT_TTL_HOURS),
    )
    if not done:
        export_path(job).unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, reason: str) -> None:
    ExportJob.objects.filter(pk=job.pk).exclude(status=State.EXPIRED).update(
        status=State.FAILED, error=reason, finished_at=timezone.now()
    )


# --- Housekeeping (beat) --------------------------------------------------------------------


def export_files_purge(*, now: datetime | None = None) -> int:
    """Delete the files of expired jobs and mark those jobs expired; then any file no live job
    refers to, once it is older than the TTL. Returns the number of jobs expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=State.DONE, expires_at__lte=now).only("pk", "file_name"):
        # Marked first: if the file cannot be deleted now, the orphan sweep below gets it later.
        if ExportJob.objects.filter(pk=job.pk, status=State.DONE).update(status=State.EXPIRED):
            export_path(job).unlink(missing_ok=True)
            expired += 1
    directory = Path(settings.EXPORT_DIR)
    if directory.is_dir():
        live = set(
            ExportJob.objects.filter(status__in=[State.QUEUED, State.RUNNING, State.DONE]).values_list(
                "file_name", flat=True
            )
        )
        cutoff = (now - timedelta(hours=settings.EXPORT_TTL_HOURS) - ORPHAN_GRACE).timestamp()
        for path in directory.iterdir():
            if path.is_file() and path.name not in live and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
    return expired


def export_jobs_lost(*, now: datetime | None = None) -> list[int]:
    """The jobs still queued long after they were made: their message was lost (the broker was
    down when they were created)."""
    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    return list(
        ExportJob.objects.filter(status=State.QUEUED, created_at__lte=cutoff).values_list("pk", flat=True)
    )

"""Large annotation exports as jobs (DESIGN §7): asked for over the API, written by the worker
into a file under settings.EXPORT_DIR, downloaded later by the requester (or a moderator), purged
when they expire.

The file is written by the same code as the streamed export (annotations.export.stream), so a
job's file and the streamed answer for the same viewer and filters hold the same bytes.
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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Organization, User
from annotations import export
from annotations.models import Annotation, ConcernTag, ExportJob, Status
from annotations.selectors import AnnotationFilters, annotations_matching
from config.enqueue import enqueue_after_commit, send_task
from treaty.models import DraftVersion, Treaty

logger = logging.getLogger(__name__)

State = ExportJob.State
Format = ExportJob.Format

# The filters of the annotation list and the streamed export, minus `treaty` (a field of its own).
FILTER_NAMES = (
    "version",
    "language",
    "article",
    "provision",
    "tag",
    "organization",
    "status",
    "position",
    "updated_after",
)
EXTENSIONS = {Format.CSV: "csv", Format.NDJSON: "ndjson", Format.JSONLD: "jsonl"}
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.NDJSON: "application/x-ndjson; charset=utf-8",
    Format.JSONLD: "application/x-ndjson; charset=utf-8",
}
# A job still queued after this long lost its message (the broker was down when it was created).
REQUEUE_AFTER = timedelta(hours=1)
# Files no job refers to (a deleted account's, a crashed write's .part) go after the TTL and this.
ORPHAN_GRACE = timedelta(hours=1)


class ExportNotReady(Exception):
    """The job has no file yet (queued or running), or it failed."""


class ExportGone(Exception):
    """The job's file was purged (or is missing): the export has to be asked for again."""


def _is_moderator(user: User) -> bool:
    return bool(user.is_active and user.is_moderator)


# --- Creating a job -------------------------------------------------------------------------


def _checked_filters(raw: dict[str, Any], treaty: Treaty | None, requester: User) -> dict[str, str]:
    """The filters as stored on the job: known names, string values, each one checked.
    Raises ValidationError naming every bad filter (under the key "filters")."""
    problems: list[str] = []
    filters: dict[str, str] = {}
    for name, value in raw.items():
        if name not in FILTER_NAMES:
            problems.append(f"Unknown filter “{name}”. Filters are: {', '.join(FILTER_NAMES)}.")
        elif isinstance(value, bool) or not isinstance(value, str | int):
            problems.append(f"Give the filter “{name}” as a string.")
        elif str(value).strip():
            filters[name] = str(value).strip()
    if "status" in filters:
        if filters["status"] not in Status.values:
            problems.append(f"The status filter must be one of: {', '.join(Status.values)}.")
        elif filters["status"] != Status.APPROVED and not _is_moderator(requester):
            problems.append(
                "Only moderators can export unpublished annotations (status other than approved)."
            )
    if "position" in filters and filters["position"] not in Annotation.Position.values:
        problems.append(f"The position filter must be one of: {', '.join(Annotation.Position.values)}.")
    if "updated_after" in filters:
        moment = parse_datetime(filters["updated_after"])
        if moment is None or moment.tzinfo is None:
            problems.append(
                "Give updated_after as an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z."
            )
    if "tag" in filters and not ConcernTag.objects.filter(slug=filters["tag"]).exists():
        problems.append(f"There is no concern tag “{filters['tag']}”.")
    if "organization" in filters and not Organization.objects.filter(slug=filters["organization"]).exists():
        problems.append(f"There is no organisation “{filters['organization']}”.")
    if treaty is not None and ("version" in filters or "language" in filters):
        versions = DraftVersion.objects.filter(treaty=treaty)
        if "version" in filters:
            versions = versions.filter(label=filters["version"])
        if "language" in filters:
            versions = versions.filter(language=filters["language"])
        if not versions.exists():
            wanted = " ".join(filters[k] for k in ("version", "language") if k in filters)
            problems.append(f"The treaty “{treaty.slug}” has no version “{wanted}”.")
    if problems:
        raise ValidationError({"filters": problems})
    return filters


def _file_name(treaty: Treaty, export_format: str) -> str:
    # Random, so that a file left over from another database (tests, a restore) is never mistaken
    # for this job's; the files are only ever served through the API, never by name.
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"{treaty.slug}-annotations-{stamp}-{secrets.token_hex(6)}.{EXTENSIONS[Format(export_format)]}"


def export_job_create(
    *, requester: User, treaty_slug: str, export_format: str, filters: dict[str, Any]
) -> ExportJob:
    """Check the request, record the job and queue its run once the job is committed.
    Raises ValidationError (field → messages) and writes nothing when anything is wrong."""
    errors: dict[str, list[str]] = {}
    treaty = Treaty.objects.filter(slug=treaty_slug).first() if treaty_slug else None
    if treaty is None:
        errors["treaty"] = [
            f"There is no treaty “{treaty_slug}”." if treaty_slug else "Name the treaty (its slug)."
        ]
    if export_format not in Format.values:
        errors["format"] = [f"Use one of: {', '.join(Format.values)}."]
    try:
        checked = _checked_filters(filters, treaty, requester)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert treaty is not None
    from annotations.tasks import export_job_run_task  # the tasks module imports this one

    with transaction.atomic():
        job = ExportJob.objects.create(
            requester=requester,
            treaty=treaty,
            format=export_format,
            filters=checked,
            file_name=_file_name(treaty, export_format),
        )
        enqueue_after_commit(export_job_run_task, job.pk)
    return job


# --- Reading a job --------------------------------------------------------------------------


def export_job_visible_to(job_id: int, user: User) -> ExportJob | None:
    """The job if this user asked for it or moderates; None otherwise (as if it did not exist)."""
    job = ExportJob.objects.select_related("treaty").filter(pk=job_id).first()
    if job is None or not (job.requester_id == user.pk or _is_moderator(user)):
        return None
    return job


def export_path(job: ExportJob) -> Path:
    name = Path(job.file_name).name  # never a path out of the export directory
    return Path(settings.EXPORT_DIR) / name


def export_job_is_expired(job: ExportJob, now: datetime | None = None) -> bool:
    if job.status == State.EXPIRED:
        return True
    return job.expires_at is not None and job.expires_at <= (now or timezone.now())


def export_job_file(job: ExportJob, user: User) -> Path:
    """The finished file, for this user. Raises PermissionDenied, ExportGone or ExportNotReady."""
    if job.includes_unpublished and not _is_moderator(user):
        # The requester was a moderator when the file was written, and is no longer one.
        raise PermissionDenied("This export holds unpublished annotations: only moderators may download it.")
    if export_job_is_expired(job):
        when = f" on {job.expires_at:%Y-%m-%d at %H:%M} UTC" if job.expires_at else ""
        raise ExportGone(
            f"This export expired{when} and its file was deleted. Create a new export job to get the data."
        )
    if job.status == State.FAILED:
        raise ExportNotReady(f"This export failed: {job.error} Create a new export job to try again.")
    if job.status != State.DONE:
        raise ExportNotReady(
            f"This export is not ready yet (status: {job.status}). Poll the job until it is done."
        )
    path = export_path(job)
    if not path.is_file():
        raise ExportGone("The file of this export is no longer on the server. Create a new export job.")
    return path


def download_name(job: ExportJob) -> str:
    return f"{job.treaty.slug}-annotations-export-{job.pk}.{EXTENSIONS[Format(job.format)]}"


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
        yield json.dumps(export.web_annotation(row, with_status=with_status), ensure_ascii=False) + "\n"


def _export(job: ExportJob, *, with_status: bool) -> export.ExportStream:
    viewer = job.requester if with_status else None
    annotations = annotations_matching(viewer, _annotation_filters(job))
    if job.format == Format.JSONLD:
        rows = export.export_rows(annotations)
        return export.WrittenExport(rows, stream_web_annotations, with_status=with_status)
    return export.stream(annotations, job.format, with_status=with_status)


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
    with_status = _is_moderator(job.requester)
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


def export_jobs_requeue(*, now: datetime | None = None) -> int:
    """Send again the jobs still queued long after they were made: their message was lost (the
    broker was down when they were created). Returns how many were sent."""
    from annotations.tasks import export_job_run_task

    cutoff = (now or timezone.now()) - REQUEUE_AFTER
    sent = 0
    for job_id in ExportJob.objects.filter(status=State.QUEUED, created_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        sent += send_task(export_job_run_task, job_id)
    return sent

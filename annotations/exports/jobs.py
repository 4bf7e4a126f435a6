"""Large annotation exports as jobs (DESIGN §7): asked for over the API, written by the worker
(annotations/exports/job_runs.py) into a file under settings.EXPORT_DIR, downloaded later by the
requester (or a moderator), purged when they expire.
"""

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from annotations.exports.job_runs import EXTENSIONS, Format, State, export_path, is_moderator
from annotations.exports.tasks import export_job_run_task
from annotations.models import Annotation, ConcernTag, ExportJob, Status
from config.enqueue import enqueue_after_commit
from treaty.models import DraftVersion, Treaty

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
CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.NDJSON: "application/x-ndjson; charset=utf-8",
    Format.JSONLD: "application/x-ndjson; charset=utf-8",
}


class ExportNotReady(Exception):
    """The job has no file yet (queued or running), or it failed."""


class ExportGone(Exception):
    """The job's file was purged (or is missing): the export has to be asked for again."""


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
        elif filters["status"] != Status.APPROVED and not is_moderator(requester):
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
    if job is None or not (job.requester_id == user.pk or is_moderator(user)):
        return None
    return job


def export_job_is_expired(job: ExportJob, now: datetime | None = None) -> bool:
    if job.status == State.EXPIRED:
        return True
    return job.expires_at is not None and job.expires_at <= (now or timezone.now())


def export_job_file(job: ExportJob, user: User) -> Path:
    """The finished file, for this user. Raises PermissionDenied, ExportGone or ExportNotReady."""
    if job.includes_unpublished and not is_moderator(user):
        # The requester was a moderator when the file was written, and is no longer one.
        raise PermissionDenied(
            _("This export holds unpublished annotations: only moderators may download it.")
        )
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

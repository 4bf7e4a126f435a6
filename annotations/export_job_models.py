"""Large annotation exports written to files by the worker (DESIGN §7).

Imported by annotations.models, so Django registers the model in the annotations app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """A large annotation export written to a file by the worker (DESIGN §7), downloaded later.

    The file lives under settings.EXPORT_DIR as `file_name` until `expires_at`; the hourly purge
    deletes it and marks the job expired. Only the requester or a moderator may download it.
    """

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        NDJSON = "ndjson", _("NDJSON (one flat JSON record per line)")
        # One complete W3C Web Annotation (with its @context) per line.
        JSONLD = "jsonld", _("W3C Web Annotations, one JSON-LD document per line")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired (file deleted)")

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    treaty = models.ForeignKey("treaty.Treaty", on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=10, choices=Format.choices)
    # The annotation list filters (annotations.selectors.AnnotationFilters), checked on creation.
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # Decided when the file is written: a moderator's file holds every status (with a status
    # column), so only moderators may download it.
    includes_unpublished = models.BooleanField(default=False)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The purge (done jobs past expires_at) and the requeue (queued jobs left behind).
            models.Index(fields=["status", "expires_at"], name="annotations_exportjob_status"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.format}, {self.status})"

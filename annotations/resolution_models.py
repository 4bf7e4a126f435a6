"""Resolved anchors of annotations in later drafts, and the runs that carry them (DESIGN §3, §4).

Imported by annotations.models, so Django registers them in the annotations app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treaty.models import DraftVersion, MappingRun, Provision


class AnchorResolution(models.Model):
    """Where one annotation target lies in a later draft version. The target itself never changes.

    Written by the carrying run (resolved_by NULL) and by a person in the review queue
    (`confirmed`, `repicked`, or `orphaned` with resolved_by set): a carrying run never overwrites
    a person's decision.
    """

    class State(models.TextChoices):
        EXACT = "exact", _("Exact: the same words, unchanged")
        MOVED = "moved", _("Moved: the same words, elsewhere")
        FUZZY = "fuzzy", _("Fuzzy: similar words found")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        ORPHANED = "orphaned", _("Orphaned: the words are gone")
        CONFIRMED = "confirmed", _("Confirmed by a person")
        REPICKED = "repicked", _("Words picked by a person")

    class Outcome(models.TextChoices):
        ADDRESSED = "addressed", _("Addressed")
        PARTLY_ADDRESSED = "partly_addressed", _("Partly addressed")
        NOT_ADDRESSED = "not_addressed", _("Not addressed")
        WORSE = "worse", _("Worse")
        REMOVED = "removed", _("Removed (the text is gone)")

    REVIEW_STATES = (State.NEEDS_REVIEW, State.ORPHANED)

    target = models.ForeignKey("annotations.Target", on_delete=models.CASCADE, related_name="resolutions")
    # Denormalised from the target, for the article page's one query per draft.
    annotation = models.ForeignKey(
        "annotations.Annotation", on_delete=models.CASCADE, related_name="resolutions"
    )
    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="+")
    # The draft version it was carried from: the target's own, or the previous draft's resolution.
    from_version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="+")
    provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, null=True, blank=True, related_name="resolutions"
    )
    article = models.ForeignKey(Provision, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    provision_key = models.CharField(max_length=120, blank=True)
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices)
    confidence = models.FloatField()
    # The best places found when the engine could not decide: [{provision_id, key, start, end,
    # exact, score}], shown in the review queue.
    candidates = models.JSONField(default=list, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="annotations_anchorres_unique"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="annotations_anchorres_confidence"
            ),
        ]
        indexes = [
            # The article page of a later draft: the annotations carried to its provisions.
            models.Index(fields=["version", "article"], name="annotations_anchorres_article"),
            # The review queue: needs_review and orphaned resolutions, oldest first.
            models.Index(
                fields=["state", "resolved_at"],
                condition=Q(state__in=["needs_review", "orphaned"]),
                name="annotations_anchorres_review",
            ),
        ]

    def __str__(self) -> str:
        return f"target {self.target_id} in version {self.version_id}: {self.state} ({self.confidence:.2f})"

    @property
    def by_person(self) -> bool:
        return self.resolved_by_id is not None


class CarryingRun(models.Model):
    """Carrying every target of a mapping run's earlier draft to its later one, in batches.

    `cursor` is the last target id carried: a worker that died mid-way resumes after it. `done`
    out of `total` is the progress figure moderators see. `fingerprint` names the mapping (both
    texts) it was carried on: a finished run on the same fingerprint only carries what is new.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    mapping_run = models.OneToOneField(MappingRun, on_delete=models.CASCADE, related_name="carrying_run")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    fingerprint = models.CharField(max_length=200, blank=True)
    cursor = models.BigIntegerField(default=0)
    # True: this execution carries every source; False: only those without a resolution yet.
    carries_all = models.BooleanField(default=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0, help_text=_("Resolutions written by the last execution"))
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # When the authors were told how their annotations carried (once per pair of drafts).
    notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"carrying {self.mapping_run_id}: {self.done}/{self.total} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

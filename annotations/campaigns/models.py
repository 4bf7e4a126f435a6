"""Groups of near-identical comments on one draft (DESIGN §5), and what keeps them current.

Registered by AnnotationsConfig.ready() under the `annotations` app label: the core's models
sit at the bottom of the package's layers and cannot import a capability, and these rows refer
to annotations by name only. A draft is the set of sibling language versions sharing a label;
`draft` is the first of them (annotations.campaigns.drafts), the scope of every group.
"""

from django.db import models
from django.utils import timezone


class CampaignGroup(models.Model):
    """Near-identical comments on one draft. Its representative is its earliest member; every
    member's similarity is measured against it."""

    draft = models.ForeignKey("treaty.DraftVersion", on_delete=models.CASCADE, related_name="+")
    # A burst of members from recently created accounts (annotations.campaigns.bursts).
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "annotations"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"group {self.pk} on draft {self.draft_id}"


class CampaignMember(models.Model):
    group = models.ForeignKey(CampaignGroup, on_delete=models.CASCADE, related_name="members")
    annotation = models.OneToOneField(
        "annotations.Annotation", on_delete=models.CASCADE, related_name="campaign_member"
    )
    # Estimated Jaccard similarity of the comment's shingles with the representative's (1.0: it).
    similarity = models.FloatField()

    class Meta:
        app_label = "annotations"
        ordering = ["annotation_id"]
        # A group's members in order (its page, its representative: the first).
        indexes = [models.Index(fields=["group", "annotation"], name="annotations_campmember_group")]

    def __str__(self) -> str:
        return f"annotation {self.annotation_id} in group {self.group_id}"


class CampaignSignature(models.Model):
    """The MinHash signature of an annotation's comment, kept so that a new comment is compared
    with the stored ones without reading their text. Empty when the comment never groups."""

    annotation = models.OneToOneField(
        "annotations.Annotation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="campaign_signature",
    )
    draft = models.ForeignKey("treaty.DraftVersion", on_delete=models.CASCADE, related_name="+")
    minhash = models.BinaryField(blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "annotations"

    def __str__(self) -> str:
        return f"signature of annotation {self.annotation_id}"


class CampaignBand(models.Model):
    """One LSH band key of a lead: an ungrouped annotation or a group's representative. Only
    leads are looked up, since a comment joins a group by its similarity to the representative."""

    annotation = models.ForeignKey("annotations.Annotation", on_delete=models.CASCADE, related_name="+")
    draft_id = models.BigIntegerField()
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        app_label = "annotations"
        indexes = [
            # A new comment's candidates: the leads of its draft sharing one of its band keys.
            models.Index(fields=["draft_id", "band", "key"], name="annotations_campband_key"),
        ]

    def __str__(self) -> str:
        return f"band {self.band} of annotation {self.annotation_id}"


class CampaignPending(models.Model):
    """An annotation whose grouping is out of date. Written in the transaction of the write that
    changed it and deleted in the one that groups it: a worker dying in between leaves it here
    for the next run or the periodic reconcile."""

    annotation = models.OneToOneField(
        "annotations.Annotation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "annotations"

    def __str__(self) -> str:
        return f"annotation {self.annotation_id} to group"

"""Concern tags, annotations and what hangs off them (DESIGN §3-§5)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Attribution, Organization
from annotations.public_ids import new_public_id
from treaty.models import DraftVersion, Provision

BODY_MAX_LENGTH = 10_000
PROPOSED_TEXT_MAX_LENGTH = 5_000
REPLY_MAX_LENGTH = 5_000


class ConcernTag(models.Model):
    """The curated taxonomy of concerns. Deactivated tags stay on old annotations and in exports."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField()
    color = models.CharField(max_length=7, help_text=_("#rrggbb, from a colour-blind-safe palette"))
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # In the other UN languages, written by staff in the admin ({"fr": "Vie privée"}); the English
    # above stays the reference (exports, the API, the tag stylesheet) and the fallback.
    name_translations = models.JSONField(default=dict, blank=True)
    description_translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_translations.get(translation.get_language() or "", "") or self.name

    @property
    def display_description(self) -> str:
        return self.description_translations.get(translation.get_language() or "", "") or self.description


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SPAM = "spam", _("Spam")


# Out of public view: deleted, or not approved. Spelled once, for the query and for the partial
# index it must match word for word (PostgreSQL uses a partial index only when the query's
# condition implies the index's).
OUT_OF_PUBLIC_VIEW = Q(deleted_at__isnull=False) | ~Q(status=Status.APPROVED)


class Target(models.Model):
    """What a commenter actually read: a provision of a version, optionally words inside it.

    Immutable once made. Offsets count Unicode code points of the provision text, `end` exclusive.
    A later draft gets resolved anchors beside it; this row is never rewritten.
    """

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="targets")
    provision_key = models.CharField(max_length=120)
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True) | Q(start__lt=models.F("end")),
                name="annotations_target_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provision_key}[{self.start}:{self.end}]" if self.exact else self.provision_key

    @property
    def is_quote(self) -> bool:
        return bool(self.exact)


class Annotation(models.Model):
    class Severity(models.IntegerChoices):
        NOTE = 1, _("Note")
        CONCERN = 2, _("Concern")
        SERIOUS = 3, _("Serious")

    class Position(models.TextChoices):
        CONCERN = "concern", _("Concern")
        OPPOSE = "oppose", _("Oppose")
        AMEND = "amend", _("Amend")
        DELETE = "delete", _("Delete")
        CLARIFY = "clarify", _("Clarify")
        SUPPORT = "support", _("Support")

    Status = Status

    # Random, not a sequence: an id must not tell in which order annotations were written
    # (annotations.public_ids; create with insert_with_public_id).
    id = models.BigIntegerField(primary_key=True, default=new_public_id, editable=False)
    # SET_NULL: a deleted account's kept annotations carry no trace of who wrote them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="annotations"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="annotations"
    )
    target = models.OneToOneField(Target, on_delete=models.PROTECT, related_name="annotation")
    # Denormalised from the target for the queries that count and list: never edited.
    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="annotations")
    provision = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="annotations")
    article = models.ForeignKey(Provision, on_delete=models.PROTECT, related_name="article_annotations")
    tags = models.ManyToManyField(ConcernTag, related_name="annotations")
    severity = models.PositiveSmallIntegerField(
        choices=Severity.choices, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    position = models.CharField(max_length=10, choices=Position.choices)
    body = models.TextField(max_length=BODY_MAX_LENGTH, blank=True, help_text=_("Light Markdown, as written"))
    # The language of the comment (BCP 47), not of the text it is on (that is version.language).
    comment_language = models.CharField(
        max_length=35, default="und", help_text=_("BCP 47 tag of the comment")
    )
    proposed_text = models.TextField(max_length=PROPOSED_TEXT_MAX_LENGTH, blank=True)
    attribution = models.CharField(max_length=20, choices=Attribution.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    featured = models.BooleanField(default=False)
    moderator_note = models.TextField(blank=True, help_text=_("Public note shown under the annotation"))
    rejection_reason = models.TextField(blank=True, help_text=_("Shown to the author only"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # Heat and public lists: approved, live annotations of one article of a version.
            models.Index(fields=["version", "article", "status"], name="annotations_ann_article"),
            # The annotation panel of an article page: everything on its provisions.
            models.Index(fields=["provision", "status"], name="annotations_ann_provision"),
            # The moderation queue: oldest pending first.
            models.Index(fields=["status", "created_at"], name="annotations_ann_status"),
            # Incremental sync (?updated_after=).
            models.Index(fields=["updated_at"], name="annotations_ann_updated"),
            # Removals (annotations/removed/), newest first: a few among a million public rows.
            models.Index(fields=["-id"], condition=OUT_OF_PUBLIC_VIEW, name="annotations_ann_out_of_view"),
        ]

    def __str__(self) -> str:
        return f"annotation {self.pk} on {self.target}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def comment_language_name(self) -> str:
        """The comment's language named in itself ("Français"), else its tag."""
        from treaty.languages import language_autonym

        return language_autonym(self.comment_language)


class AnnotationRevision(models.Model):
    """The state of an annotation before an edit: the history moderators see."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(blank=True)
    proposed_text = models.TextField(blank=True)
    severity = models.PositiveSmallIntegerField()
    position = models.CharField(max_length=10)
    attribution = models.CharField(max_length=20)
    tag_slugs = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, help_text=_("When this state was replaced"))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"revision of annotation {self.annotation_id} ({self.created_at:%Y-%m-%d %H:%M})"


class Reply(models.Model):
    # Random, as an annotation's (annotations.public_ids).
    id = models.BigIntegerField(primary_key=True, default=new_public_id, editable=False)
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="replies")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attribution = models.CharField(max_length=20, choices=Attribution.choices)
    body = models.TextField(max_length=REPLY_MAX_LENGTH)
    comment_language = models.CharField(max_length=35, default="und", help_text=_("BCP 47 tag of the reply"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    rejection_reason = models.TextField(blank=True)
    moderator_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="annotations_reply_status")]

    def __str__(self) -> str:
        return f"reply {self.pk} to {self.annotation_id}"


class Endorsement(models.Model):
    """An organisation co-signs another organisation's annotation."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="endorsements")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="endorsements")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "organization"], name="annotations_endorsement_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"endorsement of {self.annotation_id} by organisation {self.organization_id}"


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSIVE = "abusive", _("Abusive")
        OFF_TOPIC = "off_topic", _("Off topic")
        MISLEADING = "misleading", _("Misleading")
        OTHER = "other", _("Other")
        DUPLICATE = "duplicate", _("Duplicate (automatic)")

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(annotation__isnull=False, reply__isnull=True)
                | Q(annotation__isnull=True, reply__isnull=False),
                name="annotations_flag_one_item",
            ),
            # One flag per user per item.
            models.UniqueConstraint(
                fields=["user", "annotation"],
                condition=Q(annotation__isnull=False),
                name="annotations_flag_unique_annotation",
            ),
            models.UniqueConstraint(
                fields=["user", "reply"],
                condition=Q(reply__isnull=False),
                name="annotations_flag_unique_reply",
            ),
        ]

    def __str__(self) -> str:
        item = f"annotation {self.annotation_id}" if self.annotation_id else f"reply {self.reply_id}"
        return f"{self.reason} flag on {item}"


class ModerationEvent(models.Model):
    """Append-only log of every moderation change (DESIGN §5). Rows are never updated or deleted:
    on PostgreSQL a trigger refuses it (migration 0004)."""

    class Action(models.TextChoices):
        APPROVE = "approve"
        REJECT = "reject"
        SPAM = "spam"
        FEATURE = "feature"
        UNFEATURE = "unfeature"
        NOTE = "note"
        # Automatic: enough flags, or a repeated body, sent the item back to the queue.
        FLAGGED = "flagged"
        DUPLICATE = "duplicate"
        # The author edited an approved item under pre-moderation.
        EDITED = "edited"
        # A draft's commenting and moderation policy changed (the event names the draft, no item).
        POLICY = "policy"
        # Carried anchors reviewed, and outcomes marked, on a later draft (issue 15).
        REANCHOR_CONFIRM = "reanchor_confirm"
        REANCHOR_REPICK = "reanchor_repick"
        REANCHOR_ORPHAN = "reanchor_orphan"
        OUTCOME = "outcome"

    annotation = models.ForeignKey(
        Annotation, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_events"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_events"
    )
    version = models.ForeignKey(
        "treaty.DraftVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="policy_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=10, choices=Status.choices)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one subject: an annotation, a reply, or a draft (a policy change).
            models.CheckConstraint(
                condition=Q(annotation__isnull=False, reply__isnull=True, version__isnull=True)
                | Q(annotation__isnull=True, reply__isnull=False, version__isnull=True)
                | Q(annotation__isnull=True, reply__isnull=True, version__isnull=False),
                name="annotations_modevent_one_item",
            ),
        ]
        indexes = [
            # The audit log, filtered by moderator and/or action, newest first.
            models.Index(fields=["actor", "created_at"], name="annotations_modevent_actor"),
            models.Index(fields=["action", "created_at"], name="annotations_modevent_action"),
        ]

    def __str__(self) -> str:
        item = f"annotation {self.annotation_id}" if self.annotation_id else f"reply {self.reply_id}"
        return f"{self.action} {item}: {self.from_status} → {self.to_status}"


class Heat(models.Model):
    """Aggregated approved annotations for one cell of a heatmap (DESIGN §6), kept by the worker.

    A row counts one (article, provision, concern tag) of a version within one segment of
    authors: everyone (""), one organisation type ("type:ngo") or one country ("country:KE").
    `provision` NULL is the article's roll-up, `tag` NULL all tags together, `article` NULL the
    whole version. Distinct organisations do not add up across provisions or tags, so every
    level is counted from the annotations, never summed from finer rows.
    """

    # Derived rows, kept by the recompute from annotations whose own keys the database checks: no
    # foreign-key constraint (its deferred check per inserted row cost more than the aggregation,
    # bench/heat.py) and no index beyond the two below. Deleting a version, provision or tag still
    # removes its rows (Django's on_delete, which needs no constraint). On PostgreSQL `segment`
    # compares bytewise (COLLATE "C", migration 0009): in the database's locale every index entry
    # and every comparison of a recompute went through strcoll.
    version = models.ForeignKey(
        DraftVersion, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    article = models.ForeignKey(
        Provision, on_delete=models.CASCADE, null=True, related_name="+", db_constraint=False, db_index=False
    )
    provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, null=True, related_name="+", db_constraint=False, db_index=False
    )
    tag = models.ForeignKey(
        ConcernTag, on_delete=models.CASCADE, null=True, related_name="+", db_constraint=False, db_index=False
    )
    segment = models.CharField(max_length=40, blank=True)
    annotations = models.PositiveIntegerField()
    organizations = models.PositiveIntegerField()
    endorsements = models.PositiveIntegerField()
    score = models.PositiveIntegerField()
    # Approved annotations per position (Annotation.Position).
    pos_concern = models.PositiveIntegerField(default=0)
    pos_oppose = models.PositiveIntegerField(default=0)
    pos_amend = models.PositiveIntegerField(default=0)
    pos_delete = models.PositiveIntegerField(default=0)
    pos_clarify = models.PositiveIntegerField(default=0)
    pos_support = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # An article's rows (its page, its recompute), or a version's totals (article NULL).
            models.Index(fields=["version", "article", "segment"], name="annotations_heat_article_rows"),
            # The treaty heatmap: one segment of a version, every article's roll-up. Partial: a
            # recompute writes a few provision rows per roll-up row, and none of them here.
            models.Index(
                fields=["version", "segment"],
                condition=Q(provision__isnull=True),
                name="annotations_heat_unit_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"heat {self.version_id}/{self.article_id}/{self.provision_id}/{self.tag_id}/{self.segment}"


class HeatSums(models.Model):
    """The approved annotations of one provision (0: the whole article), concern tag (0: all tags)
    and `who` (the organisation, else the author, else the annotation: annotations.heat.queries),
    summed: what a heat recompute aggregates on PostgreSQL instead of the annotations themselves.

    PostgreSQL keeps these rows, in the transaction of every write to an annotation, with
    statement-level triggers that add each write's difference (migration 0010): no queue, no
    worker, nothing to lose. A recompute then reads one row per (provision, tag, who), a third of
    an article's annotation rows, and no longer aggregates them first; the article's own cells
    read its provision-0 rows, a tenth of those. `rebuild_heatmaps --recount` counts them again
    from the annotations. SQLite, which recomputes from the annotations, leaves the table empty.
    Plain integers, no foreign keys: the rows go with their annotations.
    """

    pk = models.CompositePrimaryKey("version_id", "article_id", "provision_id", "tag_id", "who")
    version_id = models.BigIntegerField()
    article_id = models.BigIntegerField()
    provision_id = models.BigIntegerField(help_text=_("0: the whole article"))
    tag_id = models.IntegerField(help_text=_("0: all tags"))
    who = models.BigIntegerField()
    n = models.IntegerField()
    endorsements = models.IntegerField()
    score = models.IntegerField()
    pos_concern = models.IntegerField()
    pos_oppose = models.IntegerField()
    pos_amend = models.IntegerField()
    pos_delete = models.IntegerField()
    pos_clarify = models.IntegerField()
    pos_support = models.IntegerField()

    class Meta:
        db_table = "annotations_heat_sums"

    def __str__(self) -> str:
        return f"heat sums {self.version_id}/{self.provision_id}/{self.tag_id}/{self.who}"


class HeatDirty(models.Model):
    """An article whose heat is out of date (article NULL: the version totals).

    Written in the same transaction as the change that caused it, so nothing is lost when the
    broker is down: the periodic reconcile task finds it.
    """

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Provision, on_delete=models.CASCADE, null=True, related_name="+")
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "article"],
                condition=Q(article__isnull=False),
                name="annotations_heatdirty_article",
            ),
            models.UniqueConstraint(
                fields=["version"], condition=Q(article__isnull=True), name="annotations_heatdirty_version"
            ),
        ]

    def __str__(self) -> str:
        return f"dirty {self.version_id}/{self.article_id}"


# Carried anchors (DESIGN §3, §4), in a module of their own (this one is near its size limit).
# Export jobs (DESIGN §7), likewise in a module of their own.
from annotations.export_job_models import ExportJob as ExportJob  # noqa: E402
from annotations.resolution_models import AnchorResolution as AnchorResolution  # noqa: E402
from annotations.resolution_models import CarryingRun as CarryingRun  # noqa: E402

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "yi", "dv", "ug", "ckb"})


class Treaty(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "treaties"

    def __str__(self) -> str:
        return self.short_title or self.title


class DraftVersion(models.Model):
    """One text of a treaty: a draft (label such as A/AC.291/L.15) in one language.

    Sibling versions share the label and the provision keys, so annotations on the Arabic and
    the English text of a paragraph count for the same paragraph.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        ADOPTED = "adopted", gettext_lazy("Adopted")
        SUPERSEDED = "superseded", gettext_lazy("Superseded")

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=100)
    language = models.CharField(max_length=35, default="en", help_text=gettext_lazy("BCP 47 language tag"))
    title = models.CharField(
        max_length=300, blank=True, help_text=gettext_lazy("The title as printed in this text")
    )
    date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_current = models.BooleanField(default=False)
    # The label of the draft this one revises (DESIGN §3 "Drafts over time"); sibling languages of
    # one draft share it. A label, not a row: the predecessor may exist in other languages only.
    follows = models.CharField(max_length=100, blank=True)
    source_note = models.TextField(blank=True, help_text=gettext_lazy("Front matter of the imported file"))
    source_format = models.CharField(max_length=20, blank=True)
    # SHA-256 of the imported provisions: re-importing the same text is recognised as a no-op.
    content_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    # How this text's provision keys differ from its sibling languages' when it was imported with
    # --allow-key-mismatch ({"against": "en", "missing": [...], "extra": [...]}); {} when they agree.
    key_mismatch = models.JSONField(default=dict, blank=True)

    # Commenting and moderation policy (DESIGN §5).
    class Moderation(models.TextChoices):
        PRE = "pre", gettext_lazy("Pre-moderation: new annotations wait for a moderator")
        POST = "post", gettext_lazy("Post-moderation: new annotations are published at once")

    open_for_comment = models.BooleanField(default=True)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.POST)
    verified_skip_queue = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Under pre-moderation, publish verified organisations' annotations at once"),
    )
    # The last day of the public comment period, when one is announced (shown as days left).
    comment_deadline = models.DateField(null=True, blank=True)

    # Statistics, computed by the worker after an import (treaty.tasks).
    article_count = models.PositiveIntegerField(null=True, blank=True)
    provision_count = models.PositiveIntegerField(null=True, blank=True)
    word_count = models.PositiveIntegerField(null=True, blank=True)
    stats_computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["treaty", "-is_current", "label", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "label", "language"], name="treaty_draftversion_unique_label_language"
            ),
            models.UniqueConstraint(
                fields=["treaty", "language"],
                condition=Q(is_current=True),
                name="treaty_draftversion_one_current_per_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treaty} {self.label} ({self.language})"

    @property
    def accepts_annotations(self) -> bool:
        return self.open_for_comment and self.status != self.Status.SUPERSEDED

    @property
    def direction(self) -> str:
        return "rtl" if self.language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"

    @property
    def language_name(self) -> str:
        """The language named in itself ("العربية"), for language badges."""
        from treaty.languages import language_autonym

        return language_autonym(self.language)

    @property
    def search_config(self) -> str:
        from treaty.search_configs import search_config_for

        return search_config_for(self.language)


class Provision(models.Model):
    """One printed block of a draft version, stored verbatim (NFC)."""

    class Kind(models.TextChoices):
        PREAMBLE = "preamble"
        RECITAL = "recital"
        CHAPTER = "chapter"
        SECTION = "section"
        TITLE = "title"
        ARTICLE = "article"
        PARAGRAPH = "paragraph"
        SUBPARAGRAPH = "subparagraph"
        ITEM = "item"
        TEXT = "text"
        ANNEX = "annex"

    HEADING_KINDS = frozenset({Kind.CHAPTER, Kind.SECTION, Kind.TITLE, Kind.ANNEX})

    version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="provisions")
    key = models.CharField(max_length=120, help_text=gettext_lazy("Stable key, e.g. art-6.1.a (DESIGN §3)"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(
        max_length=20, blank=True, help_text=gettext_lazy("Normalised number, e.g. 6, 1, a, ii")
    )
    marker = models.CharField(
        max_length=40, blank=True, help_text=gettext_lazy("The number as printed, e.g. a) or (أ)")
    )
    label = models.CharField(
        max_length=200, help_text=gettext_lazy("Printed label, e.g. Article 6(1)(a)(ii)")
    )
    heading = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    order = models.PositiveIntegerField(help_text=gettext_lazy("Position in the document"))
    depth = models.PositiveSmallIntegerField(default=0)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # The unit a provision is read and aggregated in: its article, or the preamble / final clause.
    article = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="article_provisions"
    )
    source_line = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="treaty_provision_unique_key"),
            models.UniqueConstraint(fields=["version", "order"], name="treaty_provision_unique_order"),
        ]
        indexes = [
            # The table of contents: a version's articles and headings, in order.
            models.Index(fields=["version", "kind", "number"], name="treaty_provision_kind_number"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.version_id})"

    @property
    def is_heading(self) -> bool:
        return self.kind in self.HEADING_KINDS


class MappingRun(models.Model):
    """The computation of the provision mapping from one draft version to a later one.

    One row per (from, to) pair; the mapping task recomputes it from both texts, so re-running it
    is harmless. The fingerprints say which texts the stored mapping was computed from.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    from_version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="+")
    to_version = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="mapping_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    from_sha256 = models.CharField(max_length=64, blank=True)
    to_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # {relation: count} over provisions
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_version", "to_version"], name="treaty_mappingrun_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_version_id} -> {self.to_version_id} ({self.status})"


class ProvisionMapping(models.Model):
    """How one provision of a draft became (part of) a provision of a later draft (DESIGN §3).

    `added` rows have no `from_provision`, `deleted` rows no `to_provision`; a split provision has
    one row per part, a merged one one row per source. The word-level diff is stored, so a compare
    page is a read, not a recomputation.
    """

    class Relation(models.TextChoices):
        SAME = "same"
        MODIFIED = "modified"
        MOVED = "moved"
        SPLIT = "split"
        MERGED = "merged"
        ADDED = "added"
        DELETED = "deleted"

    run = models.ForeignKey(MappingRun, on_delete=models.CASCADE, related_name="mappings")
    from_provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_provision = models.ForeignKey(
        Provision, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Denormalised so that a compare response needs no join: keys and the articles they sit in.
    from_key = models.CharField(max_length=120, blank=True)
    to_key = models.CharField(max_length=120, blank=True)
    from_article = models.CharField(
        max_length=20, blank=True, help_text=gettext_lazy("Article number, or pre/final")
    )
    to_article = models.CharField(max_length=20, blank=True)
    relation = models.CharField(max_length=10, choices=Relation.choices)
    similarity = models.FloatField()
    diff = models.JSONField(default=list, blank=True)  # [[op, text], ...], op "=", "-" or "+"
    order = models.PositiveIntegerField(
        help_text=gettext_lazy("Reading order: the later draft's, deletions in place")
    )

    class Meta:
        ordering = ["run", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(similarity__gte=0) & Q(similarity__lte=1),
                name="treaty_provisionmapping_similarity_range",
            ),
        ]
        indexes = [
            # The compare page of one article: a run's rows for an article number on either side.
            models.Index(fields=["run", "to_article"], name="treaty_provmap_to_article"),
            models.Index(fields=["run", "from_article"], name="treaty_provmap_from_article"),
        ]

    def __str__(self) -> str:
        return f"{self.from_key or '-'} -> {self.to_key or '-'} ({self.relation})"


class PublicGeneration(models.Model):
    """What anonymous readers of a treaty see, as a token that changes with it (issue 18 §2).

    Every change a public page or API answer shows (a published annotation, a moderation decision,
    a reply, a heat recompute, a new draft) gives the treaty's row a new random token
    (treaty.generations); cached anonymous pages are keyed by it (treaty.page_cache), so a change
    makes every cached page of the treaty unreachable at once. A random token rather than a
    counter: a row lost with a database restored from a backup, or rolled back in a test, must
    never bring back a token some cached page was stored under.

    One row per treaty, no foreign key (a bump must never wait on a lock of the treaty's row).
    """

    treaty_id = models.BigIntegerField(primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"treaty {self.treaty_id}: {self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

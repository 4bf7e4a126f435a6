"""Writes to treaties, draft versions and provisions."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from config.enqueue import enqueue_after_commit
from treaty.drafts.lineage import CurrentRefused, LineageRefused, draft_make_current, lineage_check
from treaty.drafts.mapping_runs import mapping_run_done, mapping_run_start
from treaty.generations import public_generation_bump_on_commit
from treaty.importers.tree import Document, Node
from treaty.models import DraftVersion, MappingRun, Provision, Treaty
from treaty.sibling_keys import sibling_key_difference
from treaty.tasks import provision_mapping_task, version_statistics_refresh_task

# Provisions that are read (and aggregated) as one unit with everything inside them.
UNIT_KINDS = frozenset({Provision.Kind.ARTICLE, Provision.Kind.ANNEX})


class ImportRefused(Exception):
    """The import would overwrite something it must not; nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    version: DraftVersion
    created: bool  # a new draft version
    replaced: bool  # an existing version's text was replaced (--replace)
    provision_count: int
    article_count: int

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.replaced)


@transaction.atomic
def version_import(
    *,
    treaty_slug: str,
    label: str,
    document: Document,
    source_format: str,
    title: str = "",
    replace: bool = False,
    follows: str = "",
    date: datetime.date | None = None,
    current: bool = False,
    allow_key_mismatch: bool = False,
) -> ImportResult:
    """Store an imported document as the draft version `label` of a treaty, in one transaction.

    Importing the same text again changes nothing; different text under an existing label is
    refused unless `replace` is given and nothing refers to the old provisions.

    `follows` places the draft after an earlier one (checked first: nothing is written when it
    is refused) and maps it to that draft in the background; `current` makes it the draft open
    for comment and supersedes the one it follows, refused if that mapping failed.

    A text whose provision keys differ from its sibling languages' is refused with the differing
    keys, unless `allow_key_mismatch`: then the difference is recorded on the version.
    """
    difference = sibling_key_difference(
        treaty_slug=treaty_slug,
        label=label,
        language=document.language,
        keys=[node.key for node in document.walk()],
    )
    if difference is not None and not allow_key_mismatch:
        raise ImportRefused(
            f"the provision keys of this {document.language} text differ from the {difference.against}"
            f" text of {label!r}: {difference.describe()} (pass --allow-key-mismatch to import it anyway"
            " and record the difference)"
        )
    if follows:
        try:
            lineage_check(treaty_slug=treaty_slug, label=label, follows=follows)
        except LineageRefused as error:
            raise ImportRefused(str(error)) from error
    else:
        # A sibling language of a draft already in the line shares its predecessor.
        follows = (
            DraftVersion.objects.filter(treaty__slug=treaty_slug, label=label)
            .exclude(follows="")
            .values_list("follows", flat=True)
            .first()
            or ""
        )
    treaty, treaty_created = Treaty.objects.select_for_update().get_or_create(
        slug=treaty_slug, defaults={"title": title or document.title or treaty_slug}
    )
    if title and not treaty_created and treaty.title != title:
        treaty.title = title
        treaty.save(update_fields=["title", "updated_at"])
    fingerprint = document.content_sha256()
    version = DraftVersion.objects.filter(treaty=treaty, label=label, language=document.language).first()
    article_count = len(document.articles())
    if version is not None:
        if version.content_sha256 == fingerprint:
            _lineage_update(version, follows=follows, date=date)
            _map_and_promote(version, current=current)
            return ImportResult(version, False, False, version.provisions.count(), article_count)
        if not replace:
            raise ImportRefused(
                f"version {label!r} ({document.language}) of {treaty_slug!r} already holds a different text;"
                " pass --replace to replace it"
            )
        if referrers := _referrers(version):
            raise ImportRefused(f"version {label!r} cannot be replaced: {referrers} refer to its provisions")
        version.provisions.all().delete()
    else:
        version = DraftVersion(treaty=treaty, label=label, language=document.language)
        # The first text in a language becomes the current one; later drafts are promoted by hand.
        version.is_current = not DraftVersion.objects.filter(
            treaty=treaty, language=document.language, is_current=True
        ).exists()
    version.title = document.title[:300]
    version.source_note = "\n".join(document.front_matter)
    version.source_format = source_format
    version.content_sha256 = fingerprint
    version.imported_at = timezone.now()
    version.follows = follows
    version.key_mismatch = difference.as_record() if difference is not None else {}
    if date is not None:
        version.date = date
    created = version.pk is None
    version.save()
    provision_count = _store_provisions(version, document)
    enqueue_after_commit(version_statistics_refresh_task, version.pk)
    _map_and_promote(version, current=current)
    # A new draft, or a text imported again: the treaty's pages show it (treaty.page_cache).
    public_generation_bump_on_commit(treaty_id=version.treaty_id)
    return ImportResult(version, created, not created, provision_count, article_count)


def _lineage_update(version: DraftVersion, *, follows: str, date: datetime.date | None) -> None:
    changed = []
    if follows and version.follows != follows:
        version.follows = follows
        changed.append("follows")
    if date is not None and version.date != date:
        version.date = date
        changed.append("date")
    if changed:
        version.save(update_fields=changed)


def _map_and_promote(version: DraftVersion, *, current: bool) -> None:
    """Promote the draft if asked (which maps it first, refused if its mapping failed), and queue
    the mapping from the draft it follows (same language) if it is not done yet."""
    if current:
        try:
            draft_make_current(version=version)
        except CurrentRefused as error:
            raise ImportRefused(str(error)) from error
    if version.follows:
        earlier = DraftVersion.objects.filter(
            treaty=version.treaty, label=version.follows, language=version.language
        ).first()
        if earlier is not None:
            run = mapping_run_start(from_version=earlier, to_version=version)
            if run.status != MappingRun.Status.DONE:
                enqueue_after_commit(provision_mapping_task, run.pk)
            else:
                mapping_run_done(run_id=run.pk)


def _store_provisions(version: DraftVersion, document: Document) -> int:
    """Insert the tree in three statements, whatever its size: rows, then parent/article links."""
    rows: list[tuple[Node, Node | None, Node | None]] = []

    def collect(node: Node, parent: Node | None, article: Node | None) -> None:
        if (
            node.kind == Provision.Kind.ARTICLE
            or node.key in ("pre", "final")
            or node.kind == Provision.Kind.ANNEX
        ):
            article = node
        rows.append((node, parent, article))
        for child in node.children:
            collect(child, node, article)

    for top in document.nodes:
        collect(top, None, None)

    depth: dict[int, int] = {}
    provisions = []
    for order, (node, parent, article) in enumerate(rows, start=1):
        # Depth counts from the reading unit (an article is 0, its paragraphs 1), so that a
        # paragraph is indented alike whether or not its article sits in a chapter.
        is_unit_root = parent is None or node is article
        depth[id(node)] = 0 if is_unit_root else depth[id(parent)] + 1
        provisions.append(
            Provision(
                version=version,
                key=node.key,
                kind=node.kind,
                number=node.number,
                marker=node.marker,
                label=node.label,
                heading=node.heading,
                text=node.text,
                order=order,
                depth=depth[id(node)],
                source_line=node.line,
            )
        )
    Provision.objects.bulk_create(provisions, batch_size=500)
    by_node = {id(node): provision for (node, _, _), provision in zip(rows, provisions, strict=True)}
    for (_node, parent, article), provision in zip(rows, provisions, strict=True):
        provision.parent_id = by_node[id(parent)].pk if parent is not None else None
        provision.article_id = by_node[id(article)].pk if article is not None else None
    Provision.objects.bulk_update(provisions, ["parent", "article"], batch_size=500)
    return len(provisions)


def _referrers(version: DraftVersion) -> str:
    """Describe what, outside the treaty app, points at this version or its provisions (e.g. annotations)."""
    found = []
    for model, instance_filter in ((DraftVersion, {"pk": version.pk}), (Provision, {"version": version})):
        for relation in model._meta.related_objects:
            related_model = relation.related_model
            if related_model._meta.app_label == "treaty":
                continue
            lookup = {f"{relation.field.name}__in": model.objects.filter(**instance_filter)}
            count = related_model._default_manager.filter(**lookup).count()
            if count:
                found.append(f"{count} {related_model._meta.verbose_name_plural}")
    return ", ".join(found)

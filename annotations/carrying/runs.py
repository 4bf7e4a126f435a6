"""Carrying the targets of one draft version to the next, in batches (DESIGN §4).

A carrying run belongs to a finished mapping run (from → to, one language). Its sources are the
targets written on the earlier draft and the resolutions carried to it from drafts before it
(so an annotation follows the text across every later draft). Each batch is one transaction that
writes its resolutions and moves the run's cursor: a worker that dies mid-way loses at most the
batch it was in, and the next execution resumes after the cursor.

Idempotent: a resolution that would come out the same is not written again, and one that a
person decided (resolved_by set) is never overwritten. A finished run on the same mapping only
carries the sources that have no resolution yet, so a re-run that changes nothing reads little.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from annotations.carrying.engine import Counterpart, Placement, Quote, carry
from annotations.models import AnchorResolution, Annotation, CarryingRun, Target
from treaty.models import MappingRun, Provision, ProvisionMapping

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
# Bump when the carrying rules change: every finished run then carries everything again.
ENGINE_REVISION = "1"
CARRIED_STATUSES = (Annotation.Status.APPROVED, Annotation.Status.PENDING)
_COMPARED = (
    "annotation", "from_version", "provision", "article", "provision_key", "exact",
    "prefix", "suffix", "start", "end", "state", "confidence", "candidates",
)  # fmt: skip
_COMPARED_ATTRIBUTES = tuple(
    name + "_id" if name in ("annotation", "from_version", "provision", "article") else name
    for name in _COMPARED
)


class CarryingNotReady(Exception):
    """The mapping this run needs is not finished."""


@dataclass(frozen=True)
class Source:
    """One target as it stands in the earlier draft (its own text, or where it was carried)."""

    target_id: int
    annotation_id: int
    provision_id: int
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None


def fingerprint(mapping_run: MappingRun) -> str:
    return f"{ENGINE_REVISION}:{mapping_run.from_sha256}:{mapping_run.to_sha256}"


def carrying_run_execute(*, mapping_run_id: int, batch_size: int = BATCH_SIZE) -> CarryingRun:
    """Carry the sources of the mapping run's earlier draft that need it; returns the finished run.

    A failure is recorded on the run (status `failed`, the reason) and raised; the next execution
    resumes after the last batch that was written."""
    mapping_run = MappingRun.objects.select_related("from_version", "to_version").get(pk=mapping_run_id)
    if mapping_run.status != MappingRun.Status.DONE:
        raise CarryingNotReady(f"mapping run {mapping_run_id} is {mapping_run.status}, not done")
    run = _begin(mapping_run)
    started = time.monotonic()
    try:
        mapping = _Mapping(mapping_run)
        while True:
            with transaction.atomic():
                # The row lock orders two executions of one run: each reads the cursor the other
                # one moved, so no source is carried by both at once.
                locked = CarryingRun.objects.select_for_update().get(pk=run.pk)
                sources = _sources(
                    mapping_run, after=locked.cursor, limit=batch_size, only_missing=not locked.carries_all
                )
                if not sources:
                    locked.status = CarryingRun.Status.DONE
                    locked.done = locked.total
                    locked.cursor = 0
                    locked.finished_at = timezone.now()
                    locked.seconds = round(time.monotonic() - started, 3)
                    locked.save()
                    return locked
                written = _write(mapping_run, mapping, sources)
                locked.cursor = sources[-1].target_id
                locked.done = min(locked.total, locked.done + len(sources))
                locked.changed += written
                locked.save(update_fields=["cursor", "done", "changed"])
    except Exception as error:
        logger.exception("carrying run %s failed", run.pk)
        CarryingRun.objects.filter(pk=run.pk).update(
            status=CarryingRun.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise


def _begin(mapping_run: MappingRun) -> CarryingRun:
    with transaction.atomic():
        run, _ = CarryingRun.objects.select_for_update().get_or_create(mapping_run=mapping_run)
        wanted = fingerprint(mapping_run)
        same_mapping = run.fingerprint == wanted
        interrupted = run.status in (CarryingRun.Status.RUNNING, CarryingRun.Status.FAILED)
        if not (same_mapping and interrupted):
            # Carried on this very mapping before: only sources without a resolution need it.
            run.carries_all = not (same_mapping and run.status == CarryingRun.Status.DONE)
            run.total = _sources_query(mapping_run, only_missing=not run.carries_all).count()
            run.done = run.cursor = run.changed = 0
            run.fingerprint = wanted
            run.started_at = timezone.now()
            run.finished_at = None
        run.status = CarryingRun.Status.RUNNING
        run.error = ""
        run.save()
        return run


def _sources_query(mapping_run: MappingRun, *, only_missing: bool) -> QuerySet[Target]:
    """The targets to carry from the earlier draft: written on it, or carried to it (not orphaned)."""
    carried_here = AnchorResolution.objects.filter(
        target=OuterRef("pk"), version=mapping_run.from_version_id, provision__isnull=False
    )
    query = Target.objects.filter(
        Q(version=mapping_run.from_version_id) | Q(Exists(carried_here)),
        annotation__status__in=CARRIED_STATUSES,
        annotation__deleted_at__isnull=True,
    )
    if only_missing:
        query = query.exclude(
            Exists(AnchorResolution.objects.filter(target=OuterRef("pk"), version=mapping_run.to_version_id))
        )
    return query


def _sources(mapping_run: MappingRun, *, after: int, limit: int, only_missing: bool) -> list[Source]:
    # Two index-friendly queries (written on the draft; carried to it) rather than one with an OR,
    # which the database answers by scanning every target again for each batch.
    live = {"annotation__status__in": CARRIED_STATUSES, "annotation__deleted_at__isnull": True}
    on_draft = Target.objects.filter(version=mapping_run.from_version_id, pk__gt=after, **live)
    carried_to_draft = AnchorResolution.objects.filter(
        version=mapping_run.from_version_id,
        provision__isnull=False,
        target_id__gt=after,
        **{f"target__{name}": value for name, value in live.items()},
    )
    if only_missing:
        done_here = AnchorResolution.objects.filter(version=mapping_run.to_version_id)
        on_draft = on_draft.exclude(Exists(done_here.filter(target=OuterRef("pk"))))
        carried_to_draft = carried_to_draft.exclude(Exists(done_here.filter(target=OuterRef("target_id"))))
    ids = sorted(
        {
            *on_draft.order_by("pk").values_list("pk", flat=True)[:limit],
            *carried_to_draft.order_by("target_id").values_list("target_id", flat=True)[:limit],
        }
    )[:limit]
    if not ids:
        return []
    sources: dict[int, Source] = {}
    written = Target.objects.filter(pk__in=ids, version=mapping_run.from_version_id).values_list(
        "pk", "annotation__id", "provision_id", "exact", "prefix", "suffix", "start", "end"
    )
    for row in written:
        sources[row[0]] = Source(*row)
    carried = AnchorResolution.objects.filter(
        target_id__in=ids, version=mapping_run.from_version_id, provision__isnull=False
    ).values_list("target_id", "annotation_id", "provision_id", "exact", "prefix", "suffix", "start", "end")
    for row in carried:
        sources.setdefault(row[0], Source(*row))  # type: ignore[arg-type]
    return [sources[pk] for pk in ids if pk in sources]


class _Mapping:
    """The mapping run's rows and both drafts' texts, read once per execution."""

    def __init__(self, mapping_run: MappingRun) -> None:
        self.counterparts: dict[int, list[Counterpart]] = {}
        rows = ProvisionMapping.objects.filter(run=mapping_run, from_provision__isnull=False).values_list(
            "from_provision_id", "to_provision_id", "to_key", "relation", "similarity"
        )
        versions = [mapping_run.from_version_id, mapping_run.to_version_id]
        provisions = Provision.objects.filter(version__in=versions).values_list(
            "pk", "key", "text", "article_id"
        )
        self.texts: dict[int, str] = {}
        self.keys: dict[int, str] = {}
        self.articles: dict[int, int | None] = {}
        for pk, key, text, article_id in provisions:
            self.texts[pk], self.keys[pk], self.articles[pk] = text, key, article_id
        for from_id, to_id, to_key, relation, similarity in rows:
            counterparts = self.counterparts.setdefault(from_id, [])
            if to_id is not None:
                counterparts.append(Counterpart(to_id, to_key, self.texts[to_id], relation, similarity))

    def place(self, source: Source) -> Placement:
        quote = Quote(
            text=self.texts.get(source.provision_id, ""),
            key=self.keys.get(source.provision_id, ""),
            exact=source.exact,
            prefix=source.prefix,
            suffix=source.suffix,
            start=source.start,
            end=source.end,
        )
        return carry(quote, self.counterparts.get(source.provision_id, []))


def _write(mapping_run: MappingRun, mapping: _Mapping, sources: list[Source]) -> int:
    """Create or update the batch's resolutions; returns how many rows were written."""
    existing = {
        r.target_id: r
        for r in AnchorResolution.objects.filter(
            version=mapping_run.to_version_id, target_id__in=[s.target_id for s in sources]
        )
    }
    now = timezone.now()
    created: list[AnchorResolution] = []
    updated: list[AnchorResolution] = []
    for source in sources:
        placement = mapping.place(source)
        wanted = AnchorResolution(
            target_id=source.target_id,
            annotation_id=source.annotation_id,
            version_id=mapping_run.to_version_id,
            from_version_id=mapping_run.from_version_id,
            provision_id=placement.provision_id,
            article_id=mapping.articles.get(placement.provision_id) if placement.provision_id else None,
            provision_key=placement.key,
            exact=placement.exact,
            prefix=placement.prefix,
            suffix=placement.suffix,
            start=placement.start,
            end=placement.end,
            state=placement.state,
            confidence=round(placement.confidence, 4),
            candidates=[asdict(c) for c in placement.candidates],
            resolved_at=now,
        )
        old = existing.get(source.target_id)
        if old is None:
            created.append(wanted)
        elif old.resolved_by_id is None and any(
            getattr(old, name) != getattr(wanted, name) for name in _COMPARED_ATTRIBUTES
        ):
            wanted.pk = old.pk
            updated.append(wanted)
    AnchorResolution.objects.bulk_create(created, batch_size=1000)
    if updated:
        AnchorResolution.objects.bulk_update(updated, [*_COMPARED, "resolved_at"], batch_size=500)
    return len(created) + len(updated)

"""Computing and storing the provision mapping between two drafts (one `MappingRun` per pair).

Idempotent and resumable: the mapping is recomputed from both texts and its rows replaced in one
transaction, so a run that died half-way left nothing behind but its status, and running it again
(or twice at once: the row lock orders them) gives the same rows. A run whose fingerprints match
the two texts is not recomputed.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from treaty.drafts.matching import ADDED, DELETED, SAME, Item, Mapping, map_drafts, normalise
from treaty.drafts.wordiff import word_diff
from treaty.generations import public_generation_bump_on_commit
from treaty.models import DraftVersion, MappingRun, Provision, ProvisionMapping

logger = logging.getLogger(__name__)
Kind = Provision.Kind


class MappingFailed(Exception):
    pass


# What follows a finished mapping, by mapping run id: the annotations app registers carrying its
# annotations to the new draft (treaty code never imports annotations: .importlinter).
MAPPING_DONE_HANDLERS: list[Callable[[int], None]] = []


def mapping_run_done(*, run_id: int) -> None:
    for handler in MAPPING_DONE_HANDLERS:
        handler(run_id)


def mapping_run_ensure(*, from_version: DraftVersion, to_version: DraftVersion) -> MappingRun:
    """The finished mapping from one draft version to another, computed now if it is missing or stale."""
    run, _ = MappingRun.objects.get_or_create(from_version=from_version, to_version=to_version)
    if _is_fresh(run, from_version, to_version):
        return run
    return mapping_run_compute(run_id=run.pk)


def _is_fresh(run: MappingRun, from_version: DraftVersion, to_version: DraftVersion) -> bool:
    return (
        run.status == MappingRun.Status.DONE
        and run.from_sha256 == from_version.content_sha256
        and run.to_sha256 == to_version.content_sha256
    )


def mapping_run_compute(*, run_id: int) -> MappingRun:
    """(Re)compute one run. A failure is recorded on the run (status `failed`, the reason) and raised."""
    with transaction.atomic():
        run = (
            MappingRun.objects.select_for_update().select_related("from_version", "to_version").get(pk=run_id)
        )
        if _is_fresh(run, run.from_version, run.to_version):
            return run  # a duplicate task, or one that another worker already finished
        started = time.monotonic()
        failed: Exception | None = None
        try:
            old, new = _items(run.from_version), _items(run.to_version)
            mapping = map_drafts(old, new)
            rows = _rows(run, mapping)
            run.mappings.all().delete()
            ProvisionMapping.objects.bulk_create(rows, batch_size=1000)
        except Exception as error:
            failed = error
        else:
            run.status = MappingRun.Status.DONE
            run.error = ""
            run.summary = {
                "relations": dict(Counter(row.relation for row in rows)),
                "units": [
                    {"from": unit.old, "to": unit.new, "similarity": unit.similarity}
                    for unit in mapping.units
                ],
            }
            run.from_sha256 = run.from_version.content_sha256
            run.to_sha256 = run.to_version.content_sha256
            run.finished_at = timezone.now()
            run.seconds = round(time.monotonic() - started, 3)
            run.save()
            # Comparisons and the drafts' line read the mapping (treaty.page_cache).
            public_generation_bump_on_commit(treaty_id=run.to_version.treaty_id)
            return run
    # Recorded outside the failed transaction, so the failure survives its rollback.
    logger.exception("mapping run %s failed", run_id, exc_info=failed)
    MappingRun.objects.filter(pk=run_id).update(
        status=MappingRun.Status.FAILED,
        error=f"{type(failed).__name__}: {failed}"[:2000],
        finished_at=timezone.now(),
    )
    raise MappingFailed(str(failed)) from failed


def mapping_run_start(*, from_version: DraftVersion, to_version: DraftVersion) -> MappingRun:
    """Record that a mapping is wanted (the task computes it after commit)."""
    run, created = MappingRun.objects.get_or_create(from_version=from_version, to_version=to_version)
    if not created and not _is_fresh(run, from_version, to_version):
        run.status = MappingRun.Status.PENDING
        run.error = ""
        run.started_at = timezone.now()
        run.save(update_fields=["status", "error", "started_at"])
    return run


def _items(version: DraftVersion) -> list[Item]:
    rows = (
        Provision.objects.filter(version=version)
        .order_by("order")
        .values_list(
            "id",
            "key",
            "heading",
            "text",
            "order",
            "article__kind",
            "article__number",
            "article__key",
        )
    )
    items = []
    for pk, key, heading, text, order, unit_kind, unit_number, unit_key in rows:
        # An article is its number; the preamble, the final clause, an annex its key; a heading is
        # a unit of its own.
        unit = unit_number if unit_kind == Kind.ARTICLE else unit_key or key
        items.append(Item(pk, key, unit, order, normalise(f"{heading} {text}")))
    return items


def _rows(run: MappingRun, mapping: Mapping) -> list[ProvisionMapping]:
    texts = dict(
        Provision.objects.filter(version__in=[run.from_version_id, run.to_version_id]).values_list(
            "id", "text"
        )
    )
    headings = dict(
        Provision.objects.filter(version__in=[run.from_version_id, run.to_version_id], text="").values_list(
            "id", "heading"
        )
    )

    def shown(item: Item | None) -> str:
        return "" if item is None else texts[item.id] or headings.get(item.id, "")

    # Reading order: the later draft's; a deleted provision right after what preceded it.
    new_position = {m.old.id: m.new.order for m in mapping.matches if m.old and m.new}
    last_position = 0.0
    positions: dict[int, float] = {}
    for item in sorted((m.old for m in mapping.matches if m.old), key=lambda i: i.order):
        if item.id in new_position:
            last_position = new_position[item.id]
        positions[item.id] = last_position
    keyed = []
    for match in mapping.matches:
        if match.new is not None:
            position = match.new.order + (0.25 if match.old is not None and match.relation != SAME else 0)
        else:
            assert match.old is not None
            position = positions[match.old.id] + 0.5
        keyed.append((position, match.old.order if match.old else 0, match))
    rows = []
    for order, (_, _, match) in enumerate(sorted(keyed, key=lambda t: (t[0], t[1])), start=1):
        old_text, new_text = shown(match.old), shown(match.new)
        if match.relation == ADDED:
            diff = [["+", new_text]] if new_text else []
        elif match.relation == DELETED:
            diff = [["-", old_text]] if old_text else []
        else:
            diff = word_diff(old_text, new_text)
        rows.append(
            ProvisionMapping(
                run=run,
                from_provision_id=match.old.id if match.old else None,
                to_provision_id=match.new.id if match.new else None,
                from_key=match.old.key if match.old else "",
                to_key=match.new.key if match.new else "",
                from_article=match.old.unit if match.old else "",
                to_article=match.new.unit if match.new else "",
                relation=match.relation,
                similarity=min(1.0, max(0.0, match.similarity)),
                diff=diff,
                order=order,
            )
        )
    return rows

"""Grouping every annotation again at once (`manage.py rebuild_groups`, bench/campaigns.py).

The same signatures and the same threshold as the incremental grouping, batched with numpy: the
signatures of every live comment in one array (256 bytes a comment); for each LSH band the
comments sorted by (draft, key), every comment of a bucket paired with the bucket's earliest;
the pairs whose estimated similarity reaches THRESHOLD joined into connected components
(scipy). A component of two or more is a group whose representative is its earliest member.
Deterministic, so a second rebuild gives the same groups, and a group keeps its id when its
representative is the same. Everything is rewritten in one transaction.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from annotations.campaigns.drafts import draft_of_version, draft_treaty_shingles
from annotations.campaigns.models import (
    CampaignBand,
    CampaignGroup,
    CampaignMember,
    CampaignPending,
    CampaignSignature,
)
from annotations.campaigns.normalise import comment_shingles
from annotations.campaigns.signatures import (
    BANDS,
    NUM_PERM,
    THRESHOLD,
    band_key_matrix,
    signature_bytes,
    signature_of,
)
from annotations.models import Annotation
from treaty.models import DraftVersion

Progress = Callable[[str, int, int], None]
_READ_CHUNK = 5_000
# Rows compared or keyed per numpy step: a step's temporaries (two signature copies, or the
# uint64 widening of the band keys) stay near 50 MB whatever the number of comments.
_PAIR_CHUNK = 100_000


@dataclass(frozen=True)
class RebuildResult:
    annotations: int
    groupable: int
    groups: int
    members: int


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def groups_rebuild(*, on_progress: Progress = _no_progress) -> RebuildResult:
    started = timezone.now()
    live = Annotation.objects.filter(deleted_at__isnull=True)
    total = live.count()
    ids = np.zeros(total, dtype=np.int64)
    drafts = np.zeros(total, dtype=np.int64)
    signatures = np.zeros((total, NUM_PERM), dtype=np.uint32)
    groupable = np.zeros(total, dtype=bool)
    count = 0
    # In the order they were written (ids are random: annotations.public_ids), so that a lower
    # index is an earlier comment.
    rows = live.order_by("created_at", "id").values_list("id", "version_id", "body")
    for annotation_id, version_id, body in rows.iterator(chunk_size=_READ_CHUNK):
        if count == total:  # written since the count: the incremental task groups it
            break
        draft_id = draft_of_version(version_id)
        shingles = comment_shingles(body, treaty=draft_treaty_shingles(draft_id))
        ids[count], drafts[count] = annotation_id, draft_id
        if shingles:
            signatures[count] = signature_of(shingles)
            groupable[count] = True
        count += 1
        if count % _READ_CHUNK == 0:
            on_progress("signatures", count, total)
    ids, drafts, signatures, groupable = ids[:count], drafts[:count], signatures[:count], groupable[:count]
    on_progress("signatures", count, total)
    labels = _components(drafts, signatures, groupable, on_progress)
    with transaction.atomic():
        # The incremental task waits on these rows while the groups are rewritten.
        list(
            DraftVersion.objects.select_for_update()
            .filter(pk__in=np.unique(drafts).tolist())
            .values_list("pk")
        )
        result = _store(ids, drafts, signatures, groupable, labels, on_progress)
        # Marks older than this rebuild are settled by it; later ones are still to group.
        CampaignPending.objects.filter(marked_at__lt=started).delete()
    return result


def _components(
    drafts: np.ndarray, signatures: np.ndarray, groupable: np.ndarray, on_progress: Progress
) -> np.ndarray:
    """A component label per comment (-1: in no group)."""
    index = np.flatnonzero(groupable)
    keys = _band_keys_chunked(signatures, index)
    pairs: list[np.ndarray] = []
    for band in range(BANDS):
        # lexsort: by draft, then key, then position (stable), so a bucket's first is its earliest.
        order = np.lexsort((keys[:, band], drafts[index]))
        sorted_keys, sorted_drafts = keys[order, band], drafts[index][order]
        starts = np.ones(len(order), dtype=bool)
        starts[1:] = (sorted_keys[1:] != sorted_keys[:-1]) | (sorted_drafts[1:] != sorted_drafts[:-1])
        first = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
        left, right = first[~starts], order[~starts]
        for chunk in range(0, len(left), _PAIR_CHUNK):
            a, b = index[left[chunk : chunk + _PAIR_CHUNK]], index[right[chunk : chunk + _PAIR_CHUNK]]
            similar = (signatures[a] == signatures[b]).sum(axis=1) >= THRESHOLD * NUM_PERM
            pairs.append(np.stack((a[similar], b[similar])).astype(np.int32))
        on_progress("candidates", band + 1, BANDS)
    del keys
    # Duplicate pairs (found in several bands) are harmless to connected_components.
    edges = np.concatenate(pairs, axis=1) if pairs else np.zeros((2, 0), dtype=np.int32)
    del pairs
    size = len(drafts)
    graph = coo_matrix((np.ones(edges.shape[1], dtype=np.int8), (edges[0], edges[1])), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    members_per_label = np.bincount(labels)
    return np.where(members_per_label[labels] >= 2, labels, -1)


def _band_keys_chunked(signatures: np.ndarray, rows: np.ndarray) -> np.ndarray:
    keys = np.empty((len(rows), BANDS), dtype=np.int64)
    for start in range(0, len(rows), _PAIR_CHUNK):
        part = rows[start : start + _PAIR_CHUNK]
        keys[start : start + len(part)] = band_key_matrix(signatures[part])
    return keys


def _store(
    ids: np.ndarray,
    drafts: np.ndarray,
    signatures: np.ndarray,
    groupable: np.ndarray,
    labels: np.ndarray,
    on_progress: Progress,
) -> RebuildResult:
    now = timezone.now()
    # A group keeps its id (its links, its flag) when its representative is the same.
    previous = {
        representative: (group_id, flagged_at) for group_id, representative, flagged_at in _previous_groups()
    }
    _clear()
    grouped = np.flatnonzero(labels >= 0)
    # Representatives: the earliest (lowest index, as rows are read in time order) of each label.
    order = grouped[np.lexsort((grouped, labels[grouped]))]
    label_sorted = labels[order]
    first_of_label = np.ones(len(order), dtype=bool)
    first_of_label[1:] = label_sorted[1:] != label_sorted[:-1]
    representatives = order[first_of_label]
    representative_of = np.full(len(ids), -1, dtype=np.int64)
    representative_of[order] = representatives[np.cumsum(first_of_label) - 1]
    groups = []
    for position in representatives.tolist():
        kept = previous.get(int(ids[position]))
        groups.append(
            CampaignGroup(
                id=kept[0] if kept else None,
                draft_id=int(drafts[position]),
                flagged_at=kept[1] if kept else None,
                created_at=now,
                updated_at=now,
            )
        )
    reused = [group for group in groups if group.id is not None]
    fresh = [group for group in groups if group.id is None]
    CampaignGroup.objects.bulk_create(reused, batch_size=2000)
    CampaignGroup.objects.bulk_create(fresh, batch_size=2000)
    group_of_representative = {
        position: group.pk for position, group in zip(representatives.tolist(), groups, strict=True)
    }
    on_progress("store", 1, 4)
    _insert(
        CampaignSignature,
        ("annotation_id", "draft_id", "minhash", "computed_at"),
        (
            (int(ids[i]), int(drafts[i]), signature_bytes(signatures[i]) if groupable[i] else b"", now)
            for i in range(len(ids))
        ),
    )
    on_progress("store", 2, 4)
    similar = (
        np.concatenate(
            [
                (signatures[part] == signatures[representative_of[part]]).sum(axis=1) / NUM_PERM
                for part in np.array_split(grouped, max(1, len(grouped) // _PAIR_CHUNK))
            ]
        )
        if len(grouped)
        else np.zeros(0)
    )
    _insert(
        CampaignMember,
        ("group_id", "annotation_id", "similarity"),
        (
            (group_of_representative[int(representative_of[i])], int(ids[i]), float(score))
            for i, score in zip(grouped.tolist(), similar.tolist(), strict=True)
        ),
    )
    on_progress("store", 3, 4)
    leads = np.flatnonzero(groupable & ((labels < 0) | (representative_of == np.arange(len(ids)))))
    keys = _band_keys_chunked(signatures, leads)
    _insert(
        CampaignBand,
        ("annotation_id", "draft_id", "band", "key"),
        (
            (int(ids[lead]), int(drafts[lead]), band, int(key))
            for lead, lead_keys in zip(leads.tolist(), keys.tolist(), strict=True)
            for band, key in enumerate(lead_keys)
        ),
    )
    _advance_group_sequence()
    on_progress("store", 4, 4)
    return RebuildResult(len(ids), int(groupable.sum()), len(groups), len(grouped))


def _previous_groups() -> list[tuple[int, int, datetime | None]]:
    return [
        (row["id"], row["representative"], row["flagged_at"])
        for row in CampaignGroup.objects.annotate(
            # The earliest written member, as grouping.py chooses it (ids are random).
            representative=Subquery(
                CampaignMember.objects.filter(group=OuterRef("pk"))
                .order_by("annotation__created_at", "annotation_id")
                .values("annotation_id")[:1]
            )
        ).values("id", "representative", "flagged_at")
        if row["representative"] is not None
    ]


def _clear() -> None:
    tables = [
        model._meta.db_table for model in (CampaignBand, CampaignMember, CampaignSignature, CampaignGroup)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of rows written earlier in this transaction would make
            # TRUNCATE refuse ("pending trigger events"): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our own table names)


def _insert(model: type, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """Many rows at once: PostgreSQL's COPY, else executemany in batches."""
    table = model._meta.db_table  # type: ignore[attr-defined]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            return
        statement = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5_000:
                cursor.executemany(statement, batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)


def _advance_group_sequence() -> None:
    """Groups inserted with their old ids: PostgreSQL's sequence must stay past them."""
    if connection.vendor != "postgresql":
        return
    table = CampaignGroup._meta.db_table
    with connection.cursor() as cursor:
        highest = f"GREATEST((SELECT MAX(id) FROM {table}), 1)"  # noqa: S608 (our own table)
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})")

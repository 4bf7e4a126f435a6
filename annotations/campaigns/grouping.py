"""Grouping one annotation incrementally: the Celery task's unit of work (DESIGN §5).

A comment joins the group of the most similar lead of its draft (a group's representative, or
an annotation in no group yet) whose estimated similarity reaches THRESHOLD; the candidates are
the leads sharing an LSH band key with it, found by one indexed query. Each regrouping first
takes the annotation out of its group, so running it twice leaves the same rows. The draft's
row is locked for the while: two comments of one draft are grouped one after the other, never
into two groups made at once.
"""

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotations.campaigns.bursts import group_flag_if_burst
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
    THRESHOLD,
    band_keys,
    signature_bytes,
    signature_from_bytes,
    signature_of,
    similarity,
)
from annotations.models import Annotation
from treaty.models import DraftVersion


@dataclass(frozen=True)
class Placement:
    annotation_id: int
    group_id: int | None
    similarity: float | None


def annotation_signature(annotation: Annotation, draft_id: int) -> np.ndarray | None:
    """The comment's MinHash signature; None when it never groups (empty, too short, a quote)."""
    shingles = comment_shingles(annotation.body, treaty=draft_treaty_shingles(draft_id))
    return signature_of(shingles) if shingles else None


@transaction.atomic
def annotation_regroup(annotation_id: int) -> Placement:
    """Put an annotation where its current text belongs, and clear its pending mark."""
    annotation = (
        Annotation.objects.filter(pk=annotation_id).only("id", "body", "version_id", "deleted_at").first()
    )
    if annotation is None:  # gone: its rows went with it (CASCADE)
        return Placement(annotation_id, None, None)
    draft_id = draft_of_version(annotation.version_id)
    # One grouping at a time per draft (PostgreSQL; SQLite writes one at a time anyway).
    DraftVersion.objects.select_for_update().filter(pk=draft_id).exists()
    _leave_group(annotation_id)
    CampaignBand.objects.filter(annotation_id=annotation_id).delete()
    CampaignPending.objects.filter(annotation_id=annotation_id).delete()
    signature = None if annotation.deleted_at else annotation_signature(annotation, draft_id)
    CampaignSignature.objects.update_or_create(
        annotation_id=annotation_id,
        defaults={
            "draft_id": draft_id,
            "minhash": b"" if signature is None else signature_bytes(signature),
            "computed_at": timezone.now(),
        },
    )
    if signature is None:
        return Placement(annotation_id, None, None)
    keys = band_keys(signature)
    lead, lead_similarity = _best_lead(draft_id, annotation_id, signature, keys)
    if lead is None:
        _write_bands(annotation_id, draft_id, keys)
        return Placement(annotation_id, None, None)
    membership = CampaignMember.objects.filter(annotation_id=lead).first()
    if membership is None:
        group = CampaignGroup.objects.create(draft_id=draft_id)
        CampaignMember.objects.create(group=group, annotation_id=lead, similarity=1.0)
    else:
        group = CampaignGroup.objects.get(pk=membership.group_id)
    CampaignMember.objects.create(group=group, annotation_id=annotation_id, similarity=lead_similarity)
    _settle(group, previous_representative=lead)
    group_flag_if_burst(group)
    return Placement(
        annotation_id, group.pk, CampaignMember.objects.get(annotation_id=annotation_id).similarity
    )


def _best_lead(
    draft_id: int, annotation_id: int, signature: np.ndarray, keys: list[int]
) -> tuple[int | None, float]:
    """The most similar lead at or above THRESHOLD (the earliest on a tie), and its similarity."""
    match = Q()
    for band, key in enumerate(keys):
        match |= Q(band=band, key=key)
    leads = set(
        CampaignBand.objects.filter(match, draft_id=draft_id)
        .exclude(annotation_id=annotation_id)
        .values_list("annotation_id", flat=True)
    )
    best: tuple[float, int] | None = None
    for lead_id, raw in CampaignSignature.objects.filter(annotation_id__in=leads).values_list(
        "annotation_id", "minhash"
    ):
        score = similarity(signature, signature_from_bytes(raw))
        if score >= THRESHOLD and (best is None or (score, -lead_id) > (best[0], -best[1])):
            best = (score, lead_id)
    return (None, 0.0) if best is None else (best[1], best[0])


def _write_bands(annotation_id: int, draft_id: int, keys: list[int]) -> None:
    CampaignBand.objects.bulk_create(
        CampaignBand(annotation_id=annotation_id, draft_id=draft_id, band=band, key=key)
        for band, key in enumerate(keys)
    )


def _leave_group(annotation_id: int) -> None:
    """Take an annotation out of its group; a group left with one member is dissolved."""
    membership = CampaignMember.objects.filter(annotation_id=annotation_id).select_related("group").first()
    if membership is None:
        return
    group = membership.group
    representative = _representative_id(group.pk)
    membership.delete()
    if CampaignMember.objects.filter(group=group).count() < 2:
        remaining = list(CampaignMember.objects.filter(group=group).values_list("annotation_id", flat=True))
        group.delete()
        # The one left is a lead again: findable by the next comment like it.
        for lead_id in remaining:
            _restore_bands(lead_id)
        return
    _settle(group, previous_representative=representative)


def _representative_id(group_id: int) -> int:
    # The earliest written: ids are random (annotations.public_ids), so they say nothing of time.
    return int(
        CampaignMember.objects.filter(group_id=group_id)
        .order_by("annotation__created_at", "annotation_id")
        .values_list("annotation_id", flat=True)[0]
    )


def _settle(group: CampaignGroup, *, previous_representative: int) -> None:
    """After a change of members: only the representative (the earliest) keeps band keys, and
    if it changed every similarity is measured again against the new one."""
    representative = _representative_id(group.pk)
    group.updated_at = timezone.now()
    group.save(update_fields=["updated_at"])
    if (
        representative == previous_representative
        and CampaignBand.objects.filter(annotation_id=representative).exists()
    ):
        return
    members = list(CampaignMember.objects.filter(group=group).values_list("annotation_id", flat=True))
    CampaignBand.objects.filter(annotation_id__in=members).exclude(annotation_id=representative).delete()
    _restore_bands(representative)
    signatures = dict(
        CampaignSignature.objects.filter(annotation_id__in=members).values_list("annotation_id", "minhash")
    )
    first = signature_from_bytes(signatures[representative])
    for member_id in members:
        score = (
            1.0
            if member_id == representative
            else similarity(first, signature_from_bytes(signatures[member_id]))
        )
        CampaignMember.objects.filter(annotation_id=member_id).update(similarity=score)


def _restore_bands(annotation_id: int) -> None:
    if CampaignBand.objects.filter(annotation_id=annotation_id).exists():
        return
    stored = (
        CampaignSignature.objects.filter(annotation_id=annotation_id)
        .values_list("draft_id", "minhash")
        .first()
    )
    if stored and stored[1]:
        _write_bands(annotation_id, stored[0], band_keys(signature_from_bytes(stored[1])))

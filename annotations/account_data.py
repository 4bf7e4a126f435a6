"""What the accounts app's "delete my account" and "download my data" do with annotations."""

from typing import Any

from django.utils import timezone

from accounts.models import User
from annotations.models import Annotation, Endorsement, Flag, Reply


def contributions_on_account_delete(user: User, keep: bool) -> None:
    """Keep annotations and replies as a "former member's" (no author, no organisation), or delete them."""
    annotations = Annotation.objects.filter(author=user)
    replies = Reply.objects.filter(author=user)
    if keep:
        now = timezone.now()
        # The organisation would say who wrote it; the attribution is reset so nothing points back.
        annotations.update(author=None, organization=None, attribution="anonymous", updated_at=now)
        replies.update(author=None, organization=None, attribution="anonymous", updated_at=now)
    else:
        # Soft delete keeps threads readable (tombstones); the texts are erased.
        now = timezone.now()
        annotations.update(
            author=None, organization=None, body="", proposed_text="", deleted_at=now, updated_at=now
        )
        replies.update(author=None, organization=None, body="", deleted_at=now, updated_at=now)
    Flag.objects.filter(user=user).update(user=None)
    Endorsement.objects.filter(endorsed_by=user).update(endorsed_by=None)


def contributions_export(user: User) -> dict[str, Any]:
    annotations = Annotation.objects.filter(author=user).select_related(
        "target", "version", "version__treaty"
    )
    return {
        "annotations": [
            {
                "id": a.pk,
                "treaty": a.version.treaty.slug,
                "version": a.version.label,
                "provision": a.target.provision_key,
                "quote": a.target.exact,
                "tags": list(a.tags.values_list("slug", flat=True)),
                "severity": a.severity,
                "position": a.position,
                "body": a.body,
                "proposed_text": a.proposed_text,
                "attribution": a.attribution,
                "status": a.status,
                "created": a.created_at.isoformat(),
                "deleted": a.deleted_at is not None,
            }
            for a in annotations.prefetch_related("tags")
        ],
        "replies": [
            {"annotation": r.annotation_id, "body": r.body, "created": r.created_at.isoformat()}
            for r in Reply.objects.filter(author=user)
        ],
    }

"""The token of what anonymous readers of a treaty see (treaty.models.PublicGeneration), and the
bumps that change it (issue 18 §2: cached public pages).

Who calls what:
- a write, after it commits (`public_generation_bump_on_commit`): annotations, replies, endorsements,
  flags that send an item back, moderation decisions, drafts and their policy; a bump that fails
  (the database gone between the commit and the bump) is logged, and the heat recompute that the
  write's dirty mark guarantees bumps again;
- a heat recompute, inside its own transaction (`public_generation_bump`): the new heat and the new
  token commit together, so no reader can see the token without the heat it stands for.

A reader takes the token before it reads anything else: a page rendered after a change committed
but before its bump is stored under the old token, which no later reader asks for.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from treaty.models import DraftVersion, PublicGeneration

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    token: str
    changed_at: datetime


def public_generation_bump(*, treaty_id: int) -> None:
    """Give the treaty a new token now, in the caller's transaction."""
    now = timezone.now()
    token = secrets.token_hex(16)
    if not PublicGeneration.objects.filter(treaty_id=treaty_id).update(token=token, changed_at=now):
        PublicGeneration.objects.bulk_create(
            [PublicGeneration(treaty_id=treaty_id, token=token, changed_at=now)], ignore_conflicts=True
        )
        # Inserted by another bump meanwhile: ours must still change the token it inserted.
        PublicGeneration.objects.filter(treaty_id=treaty_id).update(token=token, changed_at=now)


def public_generation_bump_on_commit(*, treaty_id: int | None = None, version_id: int | None = None) -> None:
    """After the caller's transaction commits, give the treaty (or the version's) a new token. In a
    transaction of its own, after the commit: the row is every writer's of the treaty, so holding
    its lock until the end of each write would make the writes of a treaty wait on each other."""
    transaction.on_commit(partial(_bump_after_commit, treaty_id, version_id))


def _bump_after_commit(treaty_id: int | None, version_id: int | None) -> None:
    try:
        if treaty_id is None and version_id is not None:
            treaty_id = DraftVersion.objects.filter(pk=version_id).values_list("treaty_id", flat=True).first()
        if treaty_id is not None:
            public_generation_bump(treaty_id=treaty_id)
    except DatabaseError:
        # The write is committed: it must not answer 500 for this. Cached pages of the treaty show
        # the state before it until the next bump (the heat recompute its dirty mark schedules).
        logger.exception("public pages of treaty %s (version %s) not invalidated", treaty_id, version_id)


def treaty_generation(slug: str) -> Generation | None:
    """The current token of the treaty with this slug (None: no row, nothing may be cached).

    Plain SQL: it runs on every anonymous page view, cached or not, and compiling the ORM's
    query cost more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_TREATY_GENERATION_SQL, [slug])
        row = cursor.fetchone()
    return Generation(*row) if row else None


_TREATY_GENERATION_SQL = """
    SELECT g.token, g.changed_at FROM treaty_publicgeneration g
      JOIN treaty_treaty t ON t.id = g.treaty_id
     WHERE t.slug = %s
"""


def site_generation() -> Generation | None:
    """A token for pages over every treaty (the home page, lists across treaties): it changes when
    any treaty's does. A site holds a handful of treaties: their rows are read whole."""
    rows = list(
        PublicGeneration.objects.order_by("treaty_id").values_list("treaty_id", "token", "changed_at")
    )
    if not rows:
        return None
    digest = hashlib.sha256(repr([(pk, token) for pk, token, _ in rows]).encode()).hexdigest()[:32]
    return Generation(digest, max(changed_at for _, _, changed_at in rows))

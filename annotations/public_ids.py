"""Ids of annotations and replies: random integers, not a sequence (issue 17; docs/privacy.md).

A sequence would tell an observer in which order items were written, and posting just before and
after an anonymous annotation would bracket it: read beside an attributed annotation written a
moment earlier, the order could say who wrote it. The API keeps integer ids (DESIGN §7): only
their values are drawn at random. Ids given by the sequence before (all below PUBLIC_ID_MIN) stay,
so that published links keep working.
"""

import secrets

from django.db import IntegrityError, models, transaction

# Above any id a sequence gave before the change, so a drawn id never meets one of those.
PUBLIC_ID_MIN = 10**10
# JavaScript's numbers hold integers exactly up to 2**53: every JSON client reads the id intact.
PUBLIC_ID_MAX = 2**53 - 1
# One draw in about 10**9 meets a taken id when a million are in use: a few draws always suffice.
DRAWS = 5


def new_public_id() -> int:
    return PUBLIC_ID_MIN + secrets.randbelow(PUBLIC_ID_MAX - PUBLIC_ID_MIN + 1)


def insert_with_public_id(row: models.Model) -> None:
    """INSERT a new row whose id was drawn by new_public_id(), drawing again if it is taken."""
    manager = type(row)._default_manager
    for _ in range(DRAWS - 1):
        try:
            # A savepoint: the failed INSERT must not spoil the caller's transaction.
            with transaction.atomic():
                row.save(force_insert=True)
            return
        except IntegrityError:
            if not manager.filter(pk=row.pk).exists():
                raise  # another constraint: not ours to retry
            row.pk = new_public_id()
    row.save(force_insert=True)

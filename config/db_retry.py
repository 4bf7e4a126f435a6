"""Writes retried when the database aborts them for a conflict with another transaction (issue 18).

PostgreSQL ends one of two transactions that wait on each other (a deadlock, SQLSTATE 40P01) or
that cannot be serialised (40001); SQLite, whose writers queue for one lock, answers "database is
locked" when the wait outlasts its timeout. The transaction was rolled back as a whole, so running
it again is safe, and it usually succeeds at once: the other transaction has gone on. Until now
such a write answered 500 and was lost (0.6-0.9 % of annotation posts at 5-10 writes/s).

Only the outermost transaction can be retried: inside an enclosing atomic block the enclosing
transaction is aborted too, and the error goes up to whoever owns it.
"""

import functools
import logging
import random
import time
from collections.abc import Callable

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)

ATTEMPTS = 4
# Jittered, growing pauses: two writers that deadlocked must not meet again in step.
_FIRST_PAUSE_SECONDS = 0.02

# deadlock_detected, serialization_failure (PostgreSQL); lock_not_available is not retried: a
# NOWAIT lock is asked for by code that wants to know at once.
_RETRIED_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient_conflict(error: BaseException) -> bool:
    """True for an error that aborted the transaction only because of another one."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _RETRIED_SQLSTATES
    return "database is locked" in str(error)


def retry_on_conflict[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` (which opens its own transaction) again when the database aborted it for a
    deadlock or a serialisation failure: at most ATTEMPTS times, then the error is raised."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempt = 1
        while True:
            try:
                return function(*args, **kwargs)
            except OperationalError as error:
                if connection.in_atomic_block or attempt >= ATTEMPTS or not is_transient_conflict(error):
                    raise
                pause = _FIRST_PAUSE_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random())  # noqa: S311 (jitter, not a secret)
                logger.warning(
                    "%s: transaction aborted (%s), attempt %d of %d, again in %.0f ms",
                    function.__qualname__,
                    str(error).splitlines()[0] if str(error) else type(error).__name__,
                    attempt,
                    ATTEMPTS,
                    pause * 1000,
                )
                time.sleep(pause)
                attempt += 1

    return wrapper

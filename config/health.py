"""/healthz: can this web node reach its database and its broker?

Load balancers poll it, so it is cheap, never cached, answers within a few seconds even when a
dependency hangs, and says only "ok" or "unreachable" per dependency: the underlying error goes to
the log, not to an anonymous caller.

Only the database decides whether the node can serve (200 or 503). Without the broker (Redis) the
node still serves reads and writes (DESIGN §6: work is marked and caught up later; rate limits
fail open), so taking it out of the balancer would turn a degraded site into a dead one: the
answer is 200 with "status": "degraded", for monitoring to alert on.
"""

import logging
import os
import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:
        # A warning, not a traceback: the balancer asks every few seconds while the database is down.
        logger.warning("health check: database unreachable: %r", exc)
        return False


def broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            # No retry: a refused connection answers at once, a silent host within the
            # connect timeout (broker_connection_timeout); the balancer does the retrying.
            conn.ensure_connection(max_retries=0, timeout=2)
            if conn.transport.driver_type == "filesystem":
                # The filesystem transport "connects" to anything: the broker is its folders.
                options = conn.transport_options or {}
                for folder in (options.get("data_folder_in", ""), options.get("data_folder_out", "")):
                    if not (os.path.isdir(folder) and os.access(folder, os.R_OK | os.W_OK | os.X_OK)):
                        raise OSError(f"broker folder {folder} is missing or not writable")
            else:
                # Opening a channel makes the transport talk to the server (Redis: PING).
                conn.default_channel  # noqa: B018
        return True
    except Exception as exc:
        logger.warning("health check: broker unreachable: %r", exc)
        return False


@never_cache
@require_safe  # GET, and HEAD for balancers that only look at the status code
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks = {"database": database_reachable(), "broker": broker_reachable()}
    status = "ok" if all(checks.values()) else "degraded" if checks["database"] else "unavailable"
    body = {
        "status": status,
        **{name: "ok" if ok else "unreachable" for name, ok in checks.items()},
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if status == "unavailable" else 200)

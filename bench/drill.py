"""`make drill`: the fault drill of issue 18, on loopback, bounded in time.

Starts a production-like site of its own (DEBUG off; gunicorn with 3 workers; a private
PostgreSQL cluster initdb'd under a temporary folder on a free port; a Redis of its own on a free
port; a real Celery worker, supervised, and beat), creates writers with API tokens, and runs three
faults under concurrent writers (and a reader):

  redis     the Redis (broker and cache) stopped for 30 s, then started again, empty
  worker    the Celery worker killed with SIGKILL while a heat recompute runs, then restarted
            by the drill as a supervisor would (systemd Restart=always, a Procfile runner)
  postgres  the private PostgreSQL cluster restarted (pg_ctl restart -m fast)

For each it prints: writes acknowledged (201), acknowledged writes stored (found in the database
afterwards), failed writes (any other answer or no answer), failed reads, and the seconds from
the service's return until the heat equals a SQL recount of the approved annotations.

Never touches the machine's shared PostgreSQL or Redis.

    .venv/bin/python bench/drill.py [--faults redis,worker,postgres] [--redis-outage 30]
                                    [--writers 4] [--rate 5] [--converge-timeout 120]

Exit status 1 when an acknowledged write was lost or heat did not converge in time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import (
    REPO_ROOT,
    PrivatePostgres,
    PrivateRedis,
    Process,
    Supervised,
    celery_beat,
    celery_worker,
    free_port,
    gunicorn,
    manage,
    site_env,
    wait_for_port,
)

TREATY_FILE = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
SLUG = "budapest-convention"
PASSWORD = "drill password, not a secret"
DRILL_DEADLINE_SECONDS = 20 * 60  # the whole drill, setup included: it stops there whatever happens
SETTLE_AFTER_RETURN_SECONDS = 5  # writers go on this long after the service is back

# The recount: per article × concern tag and the version's total, the approved annotations and
# their severities, compared with the stored heat rows (all authors: segment "").
RECOUNT_SQL = """
WITH truth AS (
    SELECT a.article_id AS article, t.concerntag_id AS tag, count(*) AS n, sum(a.severity) AS score
    FROM annotations_annotation a
    JOIN annotations_annotation_tags t ON t.annotation_id = a.id
    WHERE a.version_id = %(version)s AND a.status = 'approved' AND a.deleted_at IS NULL
    GROUP BY a.article_id, t.concerntag_id
    UNION ALL
    SELECT 0, 0, count(*), coalesce(sum(a.severity), 0)
    FROM annotations_annotation a
    WHERE a.version_id = %(version)s AND a.status = 'approved' AND a.deleted_at IS NULL
), stored AS (
    SELECT coalesce(article_id, 0) AS article, coalesce(tag_id, 0) AS tag, annotations AS n, score
    FROM annotations_heat
    WHERE version_id = %(version)s AND provision_id IS NULL AND segment = ''
      AND ((article_id IS NOT NULL AND tag_id IS NOT NULL AND annotations > 0)
           OR (article_id IS NULL AND tag_id IS NULL))
)
SELECT truth.article, truth.tag, truth.n, truth.score, stored.article, stored.tag, stored.n, stored.score
FROM truth FULL OUTER JOIN stored ON truth.article = stored.article AND truth.tag = stored.tag
WHERE (truth.n IS DISTINCT FROM stored.n OR truth.score IS DISTINCT FROM stored.score)
  AND NOT (truth.n = 0 AND stored.n IS NULL)
"""


@dataclass
class Tally:
    acknowledged: list[int] = field(default_factory=list)
    failed: Counter[str] = field(default_factory=Counter)
    reads_ok: int = 0
    reads_failed: Counter[str] = field(default_factory=Counter)


class Load:
    """Writers (one API token each) and a reader, counting per phase."""

    def __init__(self, base: str, tokens: list[str], provisions: list[str], rate: float) -> None:
        self.base = base
        self.tokens = tokens
        self.provisions = provisions
        self.interval = len(tokens) / rate  # seconds between two posts of one writer
        self.phase = "setup"
        self.tallies: dict[str, Tally] = {}
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._write, args=(i,), daemon=True) for i in range(len(tokens))
        ]
        self.threads.append(threading.Thread(target=self._read, daemon=True))

    def tally(self) -> Tally:
        return self.tallies.setdefault(self.phase, Tally())

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _write(self, writer: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.tokens[writer]}"
        n = 0
        while not self.stopping.is_set():
            if not self.running.wait(0.2):
                continue
            started = time.monotonic()
            n += 1
            body = {
                "treaty": SLUG,
                "provision": self.provisions[(writer + n) % len(self.provisions)],
                "tags": [["privacy", "procedural-safeguards", "surveillance-powers"][n % 3]],
                "severity": 1 + n % 3,
                "position": "concern",
                "body": f"Drill placeholder comment {writer}-{n} at {time.time():.3f}.",
            }
            phase = self.phase
            try:
                response = session.post(f"{self.base}/api/v1/annotations/", json=body, timeout=15)
                outcome = response.status_code
            except requests.RequestException as error:
                outcome, response = type(error).__name__, None  # type: ignore[assignment]
            with self.lock:
                tally = self.tallies.setdefault(phase, Tally())
                if outcome == 201 and response is not None:
                    tally.acknowledged.append(int(response.json()["id"]))
                else:
                    tally.failed[str(outcome)] += 1
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))

    def _read(self) -> None:
        session = requests.Session()
        urls = [
            f"/api/v1/annotations/?treaty={SLUG}",
            f"/treaties/{SLUG}/articles/2/",
            f"/api/v1/treaties/{SLUG}/",
        ]
        n = 0
        while not self.stopping.is_set():
            if not self.running.wait(0.2):
                continue
            n += 1
            phase = self.phase
            try:
                outcome: int | str = session.get(self.base + urls[n % len(urls)], timeout=15).status_code
            except requests.RequestException as error:
                outcome = type(error).__name__
            with self.lock:
                tally = self.tallies.setdefault(phase, Tally())
                if outcome == 200:
                    tally.reads_ok += 1
                else:
                    tally.reads_failed[str(outcome)] += 1
            time.sleep(0.3)

    def stop(self) -> None:
        self.stopping.set()
        self.running.set()
        for thread in self.threads:
            thread.join(timeout=20)


class Drill:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.root = Path(tempfile.mkdtemp(prefix="marginalia-drill-"))
        self.root.chmod(0o755)
        self.logs = REPO_ROOT / "var" / "drill"
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):  # each drill's logs are its own
            old.unlink()
        self.started = time.monotonic()
        self.postgres = PrivatePostgres(self.root / "pg")
        self.redis = PrivateRedis(self.logs)
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.processes: list[Process] = []
        self.worker: Supervised | None = None
        self.results: list[dict[str, Any]] = []
        self.last_mismatches: list[tuple[Any, ...]] = []

    # --- set-up ---------------------------------------------------------------------------
    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {message}", flush=True)

    def set_up(self) -> None:
        self.say(f"private PostgreSQL cluster on port {self.postgres.port} (initdb under {self.root})")
        self.postgres.init()
        with psycopg.connect(self.postgres.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE marginalia_drill")
        self.say(f"private Redis on port {self.redis.port}")
        self.redis.start()
        var_dir = self.logs / "var"
        shutil.rmtree(var_dir, ignore_errors=True)
        var_dir.mkdir(parents=True)
        self.env = site_env(
            database_url=self.postgres.url("marginalia_drill"), redis_url=self.redis.url(0), var_dir=var_dir
        )
        self.say("migrate, collectstatic, import the bundled treaty, create writers")
        manage(self.env, "migrate", "--noinput")
        manage(self.env, "collectstatic", "--noinput")
        manage(
            self.env, "import_treaty", str(TREATY_FILE), "--slug", SLUG, "--version", "ETS No. 185",
            "--title", "Convention on Cybercrime",
        )  # fmt: skip
        emails = [f"drill-writer-{i}@example.org" for i in range(self.options.writers)]
        for i, email in enumerate(emails):
            manage(
                self.env,
                "add_user",
                email,
                "--password",
                PASSWORD,
                "--organization",
                f"Drill organisation {i}",
            )
        web = gunicorn(self.env, self.web_port, self.logs)
        web.start()
        self.processes.append(web)
        wait_for_port(self.web_port, 60, "gunicorn")
        self.worker = Supervised(celery_worker(self.env, self.logs), delay=1.0)
        self.worker.start()
        beat = celery_beat(self.env, self.logs, var_dir)
        beat.start()
        self.processes.append(beat)
        self.tokens = []
        for email in emails:
            response = requests.post(
                f"{self.base}/api/v1/auth/token/",
                json={"email": email, "password": PASSWORD, "name": "drill"},
                timeout=30,
            )
            response.raise_for_status()
            self.tokens.append(response.json()["token"])
        articles = [2, 3, 4, 5, 6, 7, 8, 9]
        self.provisions = [f"art-{n}" for n in articles]
        with self.db() as conn:
            self.version_id = conn.execute(
                "SELECT v.id FROM treaty_draftversion v JOIN treaty_treaty t ON t.id = v.treaty_id "
                "WHERE t.slug = %s",
                (SLUG,),
            ).fetchone()[0]  # type: ignore[index]

    def db(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.postgres.url("marginalia_drill"), autocommit=True, connect_timeout=3)

    # --- measuring ------------------------------------------------------------------------
    def heat_mismatches(self) -> int | None:
        """Cells whose stored heat differs from the recount (None: the database did not answer)."""
        try:
            with self.db() as conn:
                self.last_mismatches = conn.execute(RECOUNT_SQL, {"version": self.version_id}).fetchall()
                return len(self.last_mismatches)
        except psycopg.OperationalError:
            return None  # not answering (a restart): ask again

    def seconds_to_converge(self, since: float) -> float | None:
        deadline = time.monotonic() + self.options.converge_timeout
        while time.monotonic() < deadline and not self.over_time():
            if self.heat_mismatches() == 0:
                return time.monotonic() - since
            time.sleep(0.5)
        self.say(f"heat still differs from the recount in: {self.last_mismatches[:5]} (recount, stored)")
        return None

    def stored(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with self.db() as conn:
            row = conn.execute(
                "SELECT count(*) FROM annotations_annotation WHERE id = ANY(%s)", (ids,)
            ).fetchone()
        return int(row[0])  # type: ignore[index]

    def over_time(self) -> bool:
        return time.monotonic() - self.started > DRILL_DEADLINE_SECONDS

    # --- faults ---------------------------------------------------------------------------
    def fault_redis(self) -> float:
        self.say(f"Redis stopped for {self.options.redis_outage:.0f} s")
        self.redis.stop()
        time.sleep(self.options.redis_outage)
        self.redis.start()
        self.say("Redis started again (empty: no persistence, as after a crash)")
        return time.monotonic()

    def fault_worker(self) -> float:
        assert self.worker is not None
        self.say("waiting for a heat recompute in the worker, to SIGKILL it mid-way")
        caught = self._wait_for_worker_query(timeout=60)
        restarts = self.worker.restarts
        self.worker.kill()
        self.say(
            "worker killed with SIGKILL "
            + ("(during a recompute)" if caught else "(no recompute seen within 60 s)")
        )
        while self.worker.restarts == restarts and not self.over_time():
            time.sleep(0.1)
        self.say(f"worker restarted by the supervisor ({self.worker.restarts} restart(s) so far)")
        return time.monotonic()

    def _wait_for_worker_query(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.db() as conn:
            while time.monotonic() < deadline:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'marginalia-drill-worker' "
                    "AND state IN ('active', 'idle in transaction') AND query ILIKE '%%heat%%'"
                ).fetchone()
                if row and row[0]:
                    return True
                time.sleep(0.01)
        return False

    def fault_postgres(self) -> float:
        self.say("PostgreSQL restarting (pg_ctl restart -m fast, private cluster)")
        self.postgres.restart()
        self.say("PostgreSQL is back")
        return time.monotonic()

    # --- the run --------------------------------------------------------------------------
    def run(self) -> int:
        self.set_up()
        load = Load(self.base, self.tokens, self.provisions, self.options.rate)
        load.start()
        faults = {"redis": self.fault_redis, "worker": self.fault_worker, "postgres": self.fault_postgres}
        for name in self.options.faults:
            if self.over_time():
                self.say("drill deadline reached: stopping")
                break
            load.phase = name
            load.running.set()
            time.sleep(5)  # writers at work before the fault
            returned = faults[name]()
            time.sleep(SETTLE_AFTER_RETURN_SECONDS)
            load.running.clear()
            time.sleep(1)  # the last posts answer
            quiet = time.monotonic()
            converged = self.seconds_to_converge(returned)
            with load.lock:
                tally = load.tallies.get(name, Tally())
            self.results.append(
                {
                    "fault": name,
                    "acknowledged": len(tally.acknowledged),
                    "stored": self.stored(tally.acknowledged),
                    "failed": sum(tally.failed.values()),
                    "failed_kinds": dict(tally.failed),
                    "reads_ok": tally.reads_ok,
                    "reads_failed": sum(tally.reads_failed.values()),
                    "converged_s": converged,
                    "converged_after_last_write_s": None
                    if converged is None
                    else converged - (quiet - returned),
                }
            )
            self.say(f"{name}: {self.results[-1]}")
        load.stop()
        return self.report()

    def report(self) -> int:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        assert self.worker is not None
        print()
        print(
            f"Fault drill: {self.options.writers} writers at {self.options.rate:g} writes/s in total, "
            "one reader;"
        )
        print(
            "gunicorn 3 workers, PostgreSQL (private cluster), Redis, Celery worker + beat; "
            f"load average {load}"
        )
        print(
            f"{'fault':<10} {'acked':>6} {'stored':>6} {'lost':>5} {'failed':>6} {'reads ok':>8} "
            f"{'reads failed':>12}  heat = recount: after return (after last write)"
        )
        problems = []
        for r in self.results:
            lost = r["acknowledged"] - r["stored"]
            converged = (
                f"{r['converged_s']:.1f} s ({max(0.0, r['converged_after_last_write_s']):.1f} s)"
                if r["converged_s"] is not None
                else f"not within {self.options.converge_timeout:.0f} s"
            )
            print(
                f"{r['fault']:<10} {r['acknowledged']:>6} {r['stored']:>6} {lost:>5} {r['failed']:>6} "
                f"{r['reads_ok']:>8} {r['reads_failed']:>12}  {converged}"
                + (f"  (failures: {r['failed_kinds']})" if r["failed_kinds"] else "")
            )
            if lost:
                problems.append(f"{r['fault']}: {lost} acknowledged writes lost")
            if r["converged_s"] is None:
                problems.append(
                    f"{r['fault']}: heat did not equal the recount "
                    f"within {self.options.converge_timeout:.0f} s"
                )
        print(
            f"worker: {self.worker.restarts} restart(s) by the supervisor, "
            f"{self.worker.unexpected_exits} exit(s) not caused by the drill"
        )
        for problem in problems:
            print(f"  - {problem}")
        print(f"logs: {self.logs}")
        return 1 if problems else 0

    def tear_down(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        for process in reversed(self.processes):
            process.stop()
        self.redis.stop()
        self.postgres.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--faults", default="redis,worker,postgres", type=lambda s: s.split(","))
    parser.add_argument("--redis-outage", type=float, default=30.0, help="seconds Redis stays down")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=5.0, help="writes per second, all writers together")
    parser.add_argument("--converge-timeout", type=float, default=120.0)
    options = parser.parse_args()
    for why in (PrivatePostgres.available(), PrivateRedis.available()):
        if why:
            print(f"drill: cannot run: {why}", file=sys.stderr)
            return 2
    drill = Drill(options)
    try:
        return drill.run()
    finally:
        drill.tear_down()


if __name__ == "__main__":
    sys.exit(main())

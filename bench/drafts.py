"""Drafts over time on the four EU AI Act drafts, PostgreSQL (issue 15).

Targets: the provision mapping of the French Presidency text → general approach pair in at most
10 s; the compare API for the whole text at most 300 ms median once the mapping is computed, and
for one article at most 50 ms median.

`make bench` runs this after the other benches (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/drafts.py [--runs 30] [--database-url postgres://.../db]

Without --database-url it makes a fresh database on bench/run.py's server and drops it after.
With it, it uses that (existing) database: migrates it and replaces the bench treaty only.
A child process (this file with `--measure`, settings are read at start-up) migrates, imports the
four drafts through the real command (each `--follows` the one before, the last `--current`;
the mapping tasks run inline), then re-times each pair's mapping (median of 3 recomputations),
times the compare API in-process through Django's test client, and prints one JSON object on its
last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
AI_ACT = REPO_ROOT.parent / "shared" / "data" / "eu_ai_act"
DATABASE = "marginalia_bench_drafts"
SLUG = "eu-ai-act-bench"
MIN_RUNS = 30
MAX_MAPPING_S = 10.0
MAX_COMPARE_MS = 300.0
MAX_ARTICLE_MS = 50.0
# (label, file prefix, date, extra arguments): the line of drafts, oldest first.
DRAFTS = [
    ("COM(2021) 206", "01_", "2021-04-21", []),
    ("SI compromise 2021-11-29", "02_", "2021-11-29", []),
    ("FR consolidated 2022-06-15", "03_", "2022-06-15", ["--allow-gaps"]),  # Article 24 struck, not printed
    ("ST 15698/22", "04_", "2022-12-06", ["--current"]),
]
ARTICLE = "5"  # one article of the general approach, for the single-article compare


# --- The orchestrating side (no Django here: settings are per database, in a child process) -----


def run(runs: int = MIN_RUNS, only: str | None = None, database_url: str | None = None) -> list[str]:
    """Measure on PostgreSQL, print the figures, return the targets missed."""
    if only == "sqlite":
        return []
    from run import POSTGRES_SERVER, VAR_DIR  # bench/run.py: the same server and scratch folder

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    runs = max(runs, MIN_RUNS)
    if database_url:
        return _print_report(_measure_in_child(database_url, runs, VAR_DIR))
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"\nDrafts on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({error})")
        return []
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
        try:
            return _print_report(_measure_in_child(f"{POSTGRES_SERVER}/{DATABASE}", runs, VAR_DIR))
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _measure_in_child(database_url: str, runs: int, var_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",  # DEBUG off, throwaway secret key
        "DEBUG": "0",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "BENCH_RUNS": str(runs),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # the cache and broker stay on files under var/bench
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {"errors": [f"failed (exit {completed.returncode})", completed.stderr[-4000:]]}
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _print_report(report: dict[str, Any]) -> list[str]:
    print()
    title = f"Drafts over time: the four EU AI Act drafts, PostgreSQL ({report.get('runs', '?')} timed runs)"
    print(title)
    print("=" * len(title))
    failures: list[str] = []
    for error in report.get("errors", []):
        print(f"ERROR: {error}")
        failures.append(f"drafts: {str(error).splitlines()[0] if error else 'error'}")
    for name, seconds, provisions in report.get("imports", []):
        print(f"import {name:<28} {seconds:>6.2f} s  {provisions:>5} provisions")
    print()
    print(f"{'mapping':<58} {'median s':>8} {'runs':>5}  relations")
    for pair in report.get("mappings", []):
        verdict = ""
        if pair["target"]:
            ok = pair["median_s"] <= MAX_MAPPING_S
            verdict = f"  {'ok' if ok else 'MISSED'} (<= {MAX_MAPPING_S:g} s)"
            if not ok:
                failures.append(f"mapping {pair['pair']}: median {pair['median_s']} s > {MAX_MAPPING_S:g} s")
        relations = ", ".join(f"{k} {v}" for k, v in sorted(pair["relations"].items()))
        print(f"{pair['pair']:<58} {pair['median_s']:>8.2f} {pair['runs']:>5}  {relations}{verdict}")
    print()
    print(
        f"{'compare API':<44} {'status':>6} {'queries':>7} {'KB':>6} {'min ms':>7} {'median':>7} {'p95':>7}"
    )
    for m in report.get("compare", []):
        target = MAX_COMPARE_MS if m["what"] == "whole text" else MAX_ARTICLE_MS
        ok = m["status"] == 200 and m["median_ms"] <= target
        if not ok:
            failures.append(
                f"compare {m['what']}: status {m['status']}, median {m['median_ms']} ms > {target:g}"
            )
        print(
            f"{m['what'] + ' ' + m['pair']:<44} {m['status']:>6} {m['queries']:>7} {m['kb']:>6} "
            f"{m['min_ms']:>7.1f} {m['median_ms']:>7.1f} {m['p95_ms']:>7.1f}  "
            f"{'ok' if ok else 'MISSED'} (<= {target:g} ms)"
        )
    return failures


# --- The measuring side (Django, one database) ----------------------------------------------------


def measure() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import io

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.celery import app as celery_app
    from treaty.drafts.mapping_runs import mapping_run_compute
    from treaty.models import DraftVersion, MappingRun, Treaty

    assert not settings.DEBUG, "benchmarks need DEBUG off"
    runs = int(os.environ.get("BENCH_RUNS", str(MIN_RUNS)))
    # No worker here: the mapping and statistics tasks run inline, after each import's commit.
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    Treaty.objects.filter(slug=SLUG).delete()
    report: dict[str, Any] = {"runs": runs, "imports": [], "mappings": [], "compare": [], "errors": []}
    previous = ""
    for label, prefix, date, extra in DRAFTS:
        path = next(AI_ACT.glob(f"{prefix}*.md"))
        follows = ["--follows", previous] if previous else []
        started = time.perf_counter()
        call_command(
            "import_treaty", str(path), "--slug", SLUG, "--version", label, "--title", "EU AI Act (bench)",
            "--date", date, *follows, *extra, stdout=io.StringIO(),
        )  # fmt: skip
        seconds = time.perf_counter() - started
        count = DraftVersion.objects.get(treaty__slug=SLUG, label=label).provisions.count()
        report["imports"].append((label, round(seconds, 2), count))
        previous = label
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    for (old_label, *_), (new_label, *_) in itertools.pairwise(DRAFTS):
        run = MappingRun.objects.get(
            from_version__treaty__slug=SLUG, from_version__label=old_label, to_version__label=new_label
        )
        times = []
        for _ in range(3):
            MappingRun.objects.filter(pk=run.pk).update(status=MappingRun.Status.PENDING, to_sha256="")
            started = time.perf_counter()
            mapping_run_compute(run_id=run.pk)
            times.append(time.perf_counter() - started)
        run.refresh_from_db()
        report["mappings"].append(
            {
                "pair": f"{old_label} -> {new_label}",
                "median_s": round(statistics.median(times), 2),
                "runs": len(times),
                "relations": run.summary.get("relations", {}),
                "target": new_label == DRAFTS[-1][0],
            }
        )

    client = Client()
    old_label, new_label = DRAFTS[-2][0], DRAFTS[-1][0]
    base = f"/api/v1/treaties/{SLUG}/compare/"
    for what, query in (
        ("whole text", {"from": old_label, "to": new_label}),
        (f"article {ARTICLE}", {"from": old_label, "to": new_label, "article": ARTICLE}),
    ):
        for _ in range(3):  # warm-up
            response = client.get(base, query)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(base, query)
        # Count now: the captured list is a slice of connection.queries_log, which the next request clears.
        query_count = len(queries)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(base, query)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        report["compare"].append(
            {
                "what": what,
                "pair": f"{old_label} -> {new_label}",
                "status": response.status_code,
                "queries": query_count,
                "kb": round(len(response.content) / 1024),
                "min_ms": round(times[0], 1),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
        )
    print(json.dumps(report))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"timed requests per page (>= {MIN_RUNS})")
    parser.add_argument(
        "--database-url", help="an existing PostgreSQL database to use instead of a fresh one"
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure()
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    failures = run(options.runs, database_url=options.database_url)
    print()
    for failure in failures:
        print(f"  - {failure}")
    print("Drafts: all targets met." if not failures else f"Drafts: {len(failures)} problem(s).")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

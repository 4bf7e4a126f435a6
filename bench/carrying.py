"""Carrying annotations across the four EU AI Act drafts, PostgreSQL (issue 15 §3, Performance).

Targets: carrying 100,000 annotations seeded on the French Presidency text to the general
approach in at most 60 s; a re-run that changes nothing in at most 10 s; the general approach's
article page with 2,000 carried annotations at most 150 ms median, its query count the same as
with none. Also reported: for each consecutive pair of the four drafts, with 1,000 annotations
on random quotes of the earlier draft, how many carried exact, moved, fuzzy, needs_review and
orphaned.

`make bench` runs this after the other benches (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/carrying.py [--runs 30] [--database-url postgres://.../db]

Like bench/drafts.py: a fresh database on bench/run.py's server (dropped after) unless
--database-url names one; a child process (`--measure`) imports the four drafts through the real
command (tasks inline), seeds annotations in bulk (targets on random word-aligned quotes), times
carrying_run_execute and the article page in-process, and prints one JSON object last.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import drafts  # bench/drafts.py, beside this file: the same four drafts and their labels

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE = "marginalia_bench_carrying"
SLUG = drafts.SLUG
MIN_RUNS = 30
SEEDED = 100_000
ON_ARTICLE = 2_000  # of the seeded annotations, on the article whose page is timed
PER_PAIR = 1_000
ARTICLE = "5"
MAX_CARRY_S = 60.0
MAX_RERUN_S = 10.0
MAX_PAGE_MS = 150.0
STATES = ("exact", "moved", "fuzzy", "needs_review", "orphaned")
_WORD = re.compile(r"\w+", re.UNICODE)


def run(runs: int = MIN_RUNS, only: str | None = None, database_url: str | None = None) -> list[str]:
    """Measure on PostgreSQL, print the figures, return the targets missed."""
    if only == "sqlite":
        return []
    from run import POSTGRES_SERVER, VAR_DIR

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    runs = max(runs, MIN_RUNS)
    if database_url:
        return _print_report(_measure_in_child(database_url, runs, VAR_DIR))
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"\nCarrying on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({error})")
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
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DEBUG": "0",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "BENCH_RUNS": str(runs),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
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
    title = "Carrying annotations across the EU AI Act drafts, PostgreSQL"
    print(title)
    print("=" * len(title))
    failures: list[str] = []
    for error in report.get("errors", []):
        print(f"ERROR: {error}")
        failures.append(f"carrying: {str(error).splitlines()[0] if error else 'error'}")
    print(f"{'pair (1,000 random quotes on the earlier draft)':<58} " + " ".join(f"{s:>12}" for s in STATES))
    for pair in report.get("pairs", []):
        print(f"{pair['pair']:<58} " + " ".join(f"{pair['states'].get(s, 0):>12}" for s in STATES))
    for what, key, target in (
        (f"carry {SEEDED:,} annotations {report.get('big_pair', '')}", "carry_s", MAX_CARRY_S),
        ("carry them again (nothing changes)", "rerun_s", MAX_RERUN_S),
    ):
        if key in report:
            ok = report[key] <= target
            if not ok:
                failures.append(f"{what}: {report[key]} s > {target:g} s")
            print(f"{what:<58} {report[key]:>8.2f} s  {'ok' if ok else 'MISSED'} (<= {target:g} s)")
    if "big_states" in report:
        print(f"{'  their states':<58} " + ", ".join(f"{k} {v}" for k, v in report["big_states"].items()))
    page = report.get("page")
    if page:
        ok = (
            page["status"] == 200
            and page["median_ms"] <= MAX_PAGE_MS
            and page["queries"] == page["queries_none"]
        )
        if not ok:
            failures.append(f"article page with {page['carried']} carried: {page}")
        print(
            f"article {ARTICLE} page, {page['carried']:,} carried: median {page['median_ms']} ms,"
            f" p95 {page['p95_ms']} ms, {page['queries']} queries (with none carried: {page['queries_none']})"
            f"  {'ok' if ok else 'MISSED'} (<= {MAX_PAGE_MS:g} ms, constant queries)"
        )
    return failures


# --- The measuring side ---------------------------------------------------------------------------


def _seed(
    version: Any, author: Any, count: int, rng: random.Random, *, only_article: str | None = None
) -> int:
    """`count` approved annotations on random word-aligned quotes (2-8 words) of `version`."""
    from annotations.models import Annotation, Target
    from treaty.models import Provision

    provisions = Provision.objects.filter(version=version).exclude(text="").select_related("article")
    if only_article:
        provisions = provisions.filter(article__number=only_article, article__kind="article")
    choices = [p for p in provisions if p.article_id and len(_WORD.findall(p.text)) >= 2]
    targets, rows = [], []
    for _ in range(count):
        provision = rng.choice(choices)
        words = [m.span() for m in _WORD.finditer(provision.text)]
        length = rng.randint(2, min(8, len(words)))
        first = rng.randrange(0, len(words) - length + 1)
        start, end = words[first][0], words[first + length - 1][1]
        text = provision.text
        targets.append(
            Target(
                version=version, provision=provision, provision_key=provision.key, exact=text[start:end],
                prefix=text[max(0, start - 32) : start], suffix=text[end : end + 32], start=start, end=end,
            )
        )  # fmt: skip
        rows.append(provision)
    Target.objects.bulk_create(targets, batch_size=5000)
    Annotation.objects.bulk_create(
        [
            Annotation(
                author=author,
                target=target,
                version=version,
                provision=provision,
                article_id=provision.article_id,
                severity=2,
                position="concern",
                body="Bench placeholder.",
                attribution="person",
                status="approved",
            )
            for target, provision in zip(targets, rows, strict=True)
        ],
        batch_size=5000,
    )
    return count


def _states(mapping_run: Any) -> dict[str, int]:
    from django.db.models import Count

    from annotations.models import AnchorResolution

    rows = (
        AnchorResolution.objects.filter(
            version=mapping_run.to_version_id, target__version=mapping_run.from_version_id
        )
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {state: n for state, n in rows}


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

    from accounts.models import User
    from annotations.carrying.runs import carrying_run_execute
    from annotations.models import CarryingRun
    from config.celery import app as celery_app
    from treaty.models import DraftVersion, MappingRun, Treaty

    assert not settings.DEBUG, "benchmarks need DEBUG off"
    runs = int(os.environ.get("BENCH_RUNS", str(MIN_RUNS)))
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    Treaty.objects.filter(slug=SLUG).delete()
    report: dict[str, Any] = {"runs": runs, "pairs": [], "errors": []}
    previous = ""
    for label, prefix, date, extra in drafts.DRAFTS:
        path = next(drafts.AI_ACT.glob(f"{prefix}*.md"))
        follows = ["--follows", previous] if previous else []
        call_command(
            "import_treaty", str(path), "--slug", SLUG, "--version", label, "--title", "EU AI Act (bench)",
            "--date", date, *follows, *extra, stdout=io.StringIO(),
        )  # fmt: skip
        previous = label
    author = User.objects.create_user("bench-carrying@example.org", display_name="Bench")
    rng = random.Random(15)
    versions = [DraftVersion.objects.get(treaty__slug=SLUG, label=label) for label, *_ in drafts.DRAFTS]
    mapping_runs = [
        MappingRun.objects.get(from_version=a, to_version=b) for a, b in itertools.pairwise(versions)
    ]
    for version in versions[:-1]:
        _seed(version, author, PER_PAIR, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for mapping_run in mapping_runs:
        carrying_run_execute(mapping_run_id=mapping_run.pk)
        report["pairs"].append(
            {"pair": f"{mapping_run.from_version.label} -> {mapping_run.to_version.label}",
             "states": _states(mapping_run)}
        )  # fmt: skip

    # The big pair: the French text -> the general approach, 100,000 annotations on the French text.
    big, earlier, later = mapping_runs[-1], versions[-2], versions[-1]
    report["big_pair"] = f"{earlier.label} -> {later.label}"
    client = Client()
    page = f"/treaties/{SLUG}/articles/{ARTICLE}/"
    client.get(page)
    with CaptureQueriesContext(connection) as none_carried:
        client.get(page)
    queries_none = len(none_carried)
    _seed(earlier, author, ON_ARTICLE, rng, only_article=ARTICLE)
    _seed(earlier, author, SEEDED - PER_PAIR - ON_ARTICLE, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    CarryingRun.objects.filter(mapping_run=big).update(fingerprint="")  # carry everything again
    started = time.perf_counter()
    carried = carrying_run_execute(mapping_run_id=big.pk)
    report["carry_s"] = round(time.perf_counter() - started, 2)
    report["carry_total"] = carried.total
    report["big_states"] = _states(big)
    started = time.perf_counter()
    carrying_run_execute(mapping_run_id=big.pk)
    report["rerun_s"] = round(time.perf_counter() - started, 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    for _ in range(3):
        response = client.get(page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    query_count = len(queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(page)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    from annotations.models import AnchorResolution

    report["page"] = {
        "status": response.status_code,
        "carried": AnchorResolution.objects.filter(version=later, article__number=ARTICLE)
        .exclude(state="orphaned")
        .count(),
        "queries": query_count,
        "queries_none": queries_none,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
    }
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
    failures = run(options.runs, database_url=options.database_url)
    print()
    print(f"{len(failures)} problem(s)" if failures else "All carrying targets met.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: server time and query counts of the reading pages on SQLite and PostgreSQL.

For each database this sets up a fresh, empty database, then runs bench/pages.py in its own
process with DATABASE_URL pointing there (settings are read at start-up), and prints one table.
PostgreSQL is skipped, with a line saying so, only when the server cannot be reached.

    .venv/bin/python bench/run.py [--runs 60] [--only sqlite|postgresql]
    .venv/bin/python bench/run.py --profile PATH [PATH ...]   (pyinstrument if installed, else cProfile)

Exit status 1 when a target is missed or a page fails, so a regression is noticed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import article_annotations  # bench/article_annotations.py, beside this file
import campaigns  # bench/campaigns.py, beside this file
import carrying  # bench/carrying.py, beside this file
import drafts  # bench/drafts.py, beside this file
import exports  # bench/exports.py, beside this file
import heat as heat_bench  # bench/heat.py, beside this file
import languages  # bench/languages.py, beside this file
import moderation_queue  # bench/moderation_queue.py, beside this file

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var" / "bench"  # apart from var/ (dev) and var/test (the test suite)
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "marginalia_bench"

SLUGS = {"budapest": "budapest-convention", "synthetic": "synthetic-10x"}

MAX_QUERIES = 10  # per page
MAX_ARTICLE_MEDIAN_MS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=60, help="timed requests per page, after warm-up (>= 50)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--profile", nargs="+", metavar="PATH", help="profile these pages instead of timing them"
    )
    options = parser.parse_args()
    VAR_DIR.mkdir(parents=True, exist_ok=True)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load} (timings are only comparable on a quiet machine)")
    print("Each database: fresh, migrated, treaties imported, then ANALYZE (as autovacuum would leave it).")
    reports = []
    profile = " ".join(options.profile or [])
    if options.only in (None, "sqlite"):
        reports.append(run_sqlite(options.runs, profile))
    if options.only in (None, "postgresql"):
        reports.append(run_postgresql(options.runs, profile))
    if profile:
        return 0

    failures = []
    for report in reports:
        if report is not None:
            failures += print_report(report)
    # An article page carrying 2,000 annotations, and the annotation list API (bench/article_annotations.py).
    failures += article_annotations.run(options.runs, options.only)
    # The moderation queue with 10,000 pending annotations (bench/moderation_queue.py).
    failures += moderation_queue.run(options.runs, options.only)
    # Heat with 1,000,000 annotations, PostgreSQL only (bench/heat.py).
    if options.only in (None, "postgresql"):
        failures += heat_bench.run()
    # Streamed CSV and NDJSON exports of 1,000,000 annotations, PostgreSQL only (bench/exports.py).
    failures += exports.run(options.only)
    # The four EU AI Act drafts: mapping and compare API, PostgreSQL only (bench/drafts.py).
    failures += drafts.run(options.runs, options.only)
    # The article page in Arabic and Chinese against English (bench/languages.py).
    failures += languages.run(options.runs, options.only)
    # Carrying 100,000 annotations to the next draft, and its article page (bench/carrying.py).
    failures += carrying.run(options.runs, options.only)
    # Grouping 1,000,000 comments into campaigns, PostgreSQL only (bench/campaigns.py; --size there).
    if options.only in (None, "postgresql"):
        failures += campaigns.run()
    print()
    if failures:
        print(f"{len(failures)} problem(s):")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(
        f"All targets met: <= {MAX_QUERIES} queries per page, article median <= {MAX_ARTICLE_MEDIAN_MS:g} ms;"
        f" article with {article_annotations.ANNOTATIONS:,} annotations"
        f" <= {article_annotations.MAX_MEDIAN_MS:g} ms;"
        f" moderation queue: constant queries, median <= {moderation_queue.MAX_MEDIAN_MS:g} ms;"
        f" exports: >= {exports.MIN_ROWS_PER_SECOND:,} rows/s, <= {exports.MAX_PEAK_MB:g} MB;"
        f" drafts: mapping <= {drafts.MAX_MAPPING_S:g} s, compare <= {drafts.MAX_COMPARE_MS:g} ms"
        f" (one article <= {drafts.MAX_ARTICLE_MS:g} ms);"
        f" carrying {carrying.SEEDED:,} annotations <= {carrying.MAX_CARRY_S:g} s"
        f" (again <= {carrying.MAX_RERUN_S:g} s),"
        f" article with {carrying.ON_ARTICLE:,} carried <= {carrying.MAX_PAGE_MS:g} ms."
    )
    return 0


def run_sqlite(runs: int, profile: str) -> dict[str, object] | None:
    database = VAR_DIR / "bench.sqlite3"
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        path.unlink(missing_ok=True)
    try:
        return run_pages(f"sqlite:///{database}", runs, profile)
    finally:
        database.unlink(missing_ok=True)


def run_postgresql(runs: int, profile: str) -> dict[str, object] | None:
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({str(error).strip()})")
        return None
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
        try:
            return run_pages(f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}", runs, profile)
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


def run_pages(database_url: str, runs: int, profile: str = "") -> dict[str, object] | None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",  # DEBUG off, throwaway secret key
        "DEBUG": "0",
        "VAR_DIR": str(VAR_DIR),
        "DATABASE_URL": database_url,
        "BENCH_RUNS": str(max(runs, 50)),
        "LOG_LEVEL": "WARNING",
        "BENCH_PROFILE": profile,
    }
    env.pop("REDIS_URL", None)  # the cache and broker stay on files under var/bench
    if profile:  # the profile is for reading, straight to the terminal
        subprocess.run(
            [sys.executable, str(REPO_ROOT / "bench" / "pages.py")], env=env, cwd=REPO_ROOT, check=False
        )
        return None
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "bench" / "pages.py")],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        print(f"{database_url}: bench/pages.py failed (exit {completed.returncode})")
        print(completed.stderr[-4000:])
        return {"vendor": database_url.split(":")[0], "measures": [], "errors": ["bench/pages.py failed"]}
    report: dict[str, object] = json.loads(lines[-1])
    return report


def print_report(report: dict[str, object]) -> list[str]:
    vendor = str(report["vendor"])
    failures: list[str] = []
    measures: list[dict[str, object]] = report["measures"]  # type: ignore[assignment]
    print()
    title = f"{vendor} ({report.get('database')}), {report.get('runs')} timed runs per page after warm-up"
    print(title)
    print("=" * len(title))
    imports: dict[str, float] = report.get("imports") or {}  # type: ignore[assignment]
    provisions: dict[str, int] = report.get("provisions") or {}  # type: ignore[assignment]
    print(
        "imports: "
        + ", ".join(
            f"{name} {seconds} s ({provisions.get(SLUGS[name], '?')} provisions)"
            for name, seconds in imports.items()
        )
    )
    errors: list[str] = report.get("errors") or []  # type: ignore[assignment]
    for error in errors:
        print(f"ERROR: {error}")
        failures.append(f"{vendor}: {str(error).splitlines()[0]}")

    columns = ("status", 6), ("queries", 7), ("min ms", 7), ("median ms", 9), ("p95 ms", 8)
    header = (
        f"{'treaty':<10} {'page':<26} " + " ".join(f"{name:>{width}}" for name, width in columns) + "  target"
    )
    print(header)
    print("-" * len(header))
    for m in measures:
        verdicts = []
        problems = []
        if m["status"] != 200:
            problems.append(f"status {m['status']}")
        if int(m["queries"]) > MAX_QUERIES:  # type: ignore[call-overload]
            problems.append(f"{m['queries']} queries > {MAX_QUERIES}")
        else:
            verdicts.append(f"queries <= {MAX_QUERIES}")
        if str(m["page"]).startswith("article"):
            if float(m["median_ms"]) > MAX_ARTICLE_MEDIAN_MS:  # type: ignore[arg-type]
                problems.append(f"median {m['median_ms']} ms > {MAX_ARTICLE_MEDIAN_MS:g} ms")
            else:
                verdicts.append(f"median <= {MAX_ARTICLE_MEDIAN_MS:g} ms")
        verdict = ("MISSED: " + "; ".join(problems)) if problems else "ok (" + ", ".join(verdicts) + ")"
        print(
            f"{m['treaty']:<10} {m['page']:<26} {m['status']:>6} {m['queries']:>7} "
            f"{m['min_ms']:>7.2f} {m['median_ms']:>9.2f} {m['p95_ms']:>8.2f}  {verdict}"
        )
        failures += [f"{vendor} {m['treaty']} {m['page']}: {problem}" for problem in problems]

    # Query counts must not grow with the treaty: compare like pages of the two treaties.
    by_page = {(m["treaty"], _kind(str(m["page"]))): m["queries"] for m in measures}
    kinds = sorted({kind for _treaty, kind in by_page})
    treaties = {treaty for treaty, _kind in by_page}
    if {"budapest", "synthetic"} <= treaties:
        print()
        size = provisions.get(SLUGS["synthetic"], "?")
        print(f"query counts, Budapest vs the synthetic treaty ({size} provisions):")
        for kind in kinds:
            here, there = by_page.get(("budapest", kind)), by_page.get(("synthetic", kind))
            same = "same" if here == there else "DIFFERENT"
            print(f"  {kind:<26} {here!s:>4} vs {there!s:>4}  {same}")
            if here != there:
                failures.append(
                    f"{vendor} {kind}: {here} queries for Budapest, {there} for the synthetic treaty"
                )
    return failures


def _kind(page: str) -> str:
    # "article 48 (last)" and "article 480 (last)" are the same kind of page.
    return "article (last)" if page.endswith("(last)") else page


if __name__ == "__main__":
    sys.exit(main())

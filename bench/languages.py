"""The article page in Arabic and Chinese against English (issue 16): median server time and
weight (bytes of HTML) of the same article of one draft in three language versions, with the
same pooled annotations shown on each.

Target: Arabic and Chinese within 10 % of the English page's median time and weight.

`make bench` runs this after the others (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/languages.py [--runs 60] [--only sqlite|postgresql]

For each database a fresh one; a child process (`--measure`, settings read at start-up) migrates,
imports the placeholder texts tests/fixtures/languages/{en,ar,zh}.txt as one draft through the
real command, writes ANNOTATIONS annotations on article 2 spread over the three versions (so each
page shows all of them, pooled), rebuilds the heat, and times GET of article 2 in each language
through Django's test client. The texts are placeholders: the page is mostly chrome and panel,
which is what the languages could make differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ar", "zh")
ANNOTATIONS = 150
MIN_RUNS = 30
MAX_RATIO = 1.10
DATABASE = "marginalia_bench_languages"


def run(runs: int = MIN_RUNS, only: str | None = None) -> list[str]:
    """Measure on SQLite and PostgreSQL, print the figures, return the targets missed."""
    from moderation_queue import _remove_sqlite
    from run import POSTGRES_SERVER, VAR_DIR

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    runs = max(runs, MIN_RUNS)
    reports: list[dict[str, Any]] = []
    if only in (None, "sqlite"):
        database = VAR_DIR / "languages.sqlite3"
        _remove_sqlite(database)
        try:
            reports.append(_child(f"sqlite:///{database}", runs, VAR_DIR))
        finally:
            _remove_sqlite(database)
    if only in (None, "postgresql"):
        import psycopg

        try:
            admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as error:
            print(f"\nLanguages on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({error})")
        else:
            with admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {DATABASE}")
                try:
                    reports.append(_child(f"{POSTGRES_SERVER}/{DATABASE}", runs, VAR_DIR))
                finally:
                    admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    failures: list[str] = []
    for report in reports:
        failures += _print_report(report)
    return failures


def _child(database_url: str, runs: int, var_dir: Path) -> dict[str, Any]:
    """This file again with `--measure`, in its own process: settings are read at start-up."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.update({"VAR_DIR": str(var_dir), "DATABASE_URL": database_url, "BENCH_RUNS": str(runs)})
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
        vendor = database_url.split(":")[0]
        return {"vendor": vendor, "measures": [], "errors": [f"failed: {completed.stderr[-3000:]}"]}
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _print_report(report: dict[str, Any]) -> list[str]:
    vendor = report["vendor"]
    runs = report.get("runs")
    title = f"Article page per language, {vendor} ({runs} timed runs, {ANNOTATIONS} pooled annotations)"
    print()
    print(title)
    print("=" * len(title))
    failures = [f"languages {vendor}: {error.splitlines()[0]}" for error in report.get("errors", [])]
    for error in report.get("errors", []):
        print(f"ERROR: {error}")
    if "load" in report:
        print(f"machine: load average {', '.join(map(str, report['load']))}")
    measures = {m["language"]: m for m in report.get("measures", [])}
    english = measures.get("en")
    header = f"{'language':<9} {'status':>6} {'median ms':>9} {'bytes':>8} {'time':>6} {'weight':>6}  target"
    print(header)
    print("-" * len(header))
    for language, m in measures.items():
        time_ratio = m["median_ms"] / english["median_ms"] if english else 1.0
        weight_ratio = m["bytes"] / english["bytes"] if english else 1.0
        problems = []
        if m["status"] != 200:
            problems.append(f"status {m['status']}")
        if language != "en" and time_ratio > MAX_RATIO:
            problems.append(f"median {time_ratio:.2f}x English")
        if language != "en" and weight_ratio > MAX_RATIO:
            problems.append(f"weight {weight_ratio:.2f}x English")
        verdict = "MISSED: " + "; ".join(problems) if problems else "ok (within 10 % of English)"
        print(
            f"{language:<9} {m['status']:>6} {m['median_ms']:>9.2f} {m['bytes']:>8}"
            f" {time_ratio:>5.2f}x {weight_ratio:>5.2f}x  {verdict}"
        )
        failures += [f"languages {vendor} {language}: {problem}" for problem in problems]
    return failures


def measure() -> None:
    import io

    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from annotations.heat.aggregation import heat_rebuild
    from annotations.models import ConcernTag
    from annotations.services import annotation_create
    from config.celery import app as celery_app
    from tests.factories import MembershipFactory
    from treaty.models import DraftVersion

    assert not settings.DEBUG, "benchmarks need DEBUG off (templates cached, no query log)"
    runs = int(os.environ.get("BENCH_RUNS", str(MIN_RUNS)))
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    for language in LANGUAGES:
        text = REPO_ROOT / "tests" / "fixtures" / "languages" / f"{language}.txt"
        call_command("import_treaty", str(text), "--slug", "sample", "--version", "L.1", stdout=io.StringIO())
    versions = {v.language: v for v in DraftVersion.objects.filter(treaty__slug="sample")}
    tag, _ = ConcernTag.objects.get_or_create(
        slug="bench", defaults={"name": "Bench", "description": "Bench tag", "color": "#336699"}
    )
    keys = ["art-2", "art-2.a", "art-2.b", "art-2.b.i", "art-2.b.ii", "art-2.c"]
    # Fifteen members of fifteen organisations, each writing on all three language versions.
    authors = [MembershipFactory().user for _ in range(15)]
    for index in range(ANNOTATIONS):
        annotation_create(
            author=authors[index % len(authors)],
            version=versions[LANGUAGES[index % len(LANGUAGES)]],
            provision_key=keys[index % len(keys)],
            tags=[tag.slug],
            severity=1 + index % 3,
            position="concern",
            body=f"Placeholder comment {index}.",
            comment_language=LANGUAGES[index % len(LANGUAGES)],
        )
    heat_rebuild(versions=list(versions.values()))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    # Round robin over the languages, so that a change in the machine's load meanwhile (it is
    # shared) falls on each alike rather than on whichever was measured last.
    paths = {language: f"/treaties/sample/articles/2/?version=L.1&lang={language}" for language in LANGUAGES}
    timings: dict[str, list[float]] = {language: [] for language in LANGUAGES}
    responses = {}
    for _ in range(5):
        for path in paths.values():
            client.get(path)
    for _ in range(runs):
        for language, path in paths.items():
            began = time.perf_counter()
            responses[language] = client.get(path)
            timings[language].append((time.perf_counter() - began) * 1000)
    measures = [
        {
            "language": language,
            "status": responses[language].status_code,
            "median_ms": round(statistics.median(timings[language]), 2),
            "bytes": len(responses[language].content),
        }
        for language in LANGUAGES
    ]
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "runs": runs,
                "load": [round(x, 2) for x in os.getloadavg()],
                "measures": measures,
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=MIN_RUNS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure()
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.exit(1 if run(options.runs, options.only) else 0)

"""An article page carrying 2,000 approved annotations, and the annotation list API (issue 4).

Targets: the article page in a constant number of queries and at most 150 ms median server time;
the annotation list API in pages of 100 in a constant number of queries.

    .venv/bin/python bench/article_annotations.py [--runs 30] [--only sqlite|postgresql]

Like bench/moderation_queue.py (whose database handling it reuses), each database is fresh and
measured in a child process: migrate, import Budapest, bulk-create 2,000 approved annotations
over Article 6's provisions (not the API), ANALYZE, then time the pages with Django's test client.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import moderation_queue  # bench/moderation_queue.py: child-process and database handling

REPO_ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = 2_000
MAX_MEDIAN_MS = 150.0
ARTICLE = "/treaties/budapest-convention/articles/6/"


def run(runs: int = 30, only: str | None = None) -> list[str]:
    from run import POSTGRES_SERVER, VAR_DIR

    reports: list[dict[str, Any]] = []
    script = str(Path(__file__).resolve())
    if only in (None, "sqlite"):
        database = VAR_DIR / "article.sqlite3"
        moderation_queue._remove_sqlite(database)
        try:
            reports.append(_child(script, f"sqlite:///{database}", runs, VAR_DIR))
        finally:
            moderation_queue._remove_sqlite(database)
    if only in (None, "postgresql"):
        import psycopg

        try:
            admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as error:
            print(f"\nArticle page with annotations on PostgreSQL: SKIPPED ({error})")
        else:
            with admin:
                admin.execute("DROP DATABASE IF EXISTS marginalia_bench_article WITH (FORCE)")
                admin.execute("CREATE DATABASE marginalia_bench_article")
                try:
                    reports.append(
                        _child(script, f"{POSTGRES_SERVER}/marginalia_bench_article", runs, VAR_DIR)
                    )
                finally:
                    admin.execute("DROP DATABASE IF EXISTS marginalia_bench_article WITH (FORCE)")
    failures: list[str] = []
    for report in reports:
        vendor, load = report["vendor"], report.get("load")
        print(f"\nArticle 6 with {ANNOTATIONS} approved annotations, {vendor} (load {load})")
        for error in report.get("errors", []):
            print(f"ERROR: {error}")
            failures.append(f"article page {report['vendor']}: error")
        for m in report.get("measures", []):
            problems = []
            if m["status"] != 200:
                problems.append(f"status {m['status']}")
            if m["page"].startswith("article") and m["median_ms"] > MAX_MEDIAN_MS:
                problems.append(f"median {m['median_ms']} ms > {MAX_MEDIAN_MS:g} ms")
            verdict = "MISSED: " + "; ".join(problems) if problems else "ok"
            print(
                f"  {m['page']:<40} queries {m['queries']:>3}  median {m['median_ms']:>8.2f} ms  "
                f"p95 {m['p95_ms']:>8.2f} ms  {verdict}"
            )
            failures += [f"article page {report['vendor']} {m['page']}: {p}" for p in problems]
        counts = report.get("query_counts", {})
        for page, (few, many) in counts.items():
            same = "same" if few == many else "DIFFERENT"
            print(f"  queries with 2 vs {ANNOTATIONS} annotations, {page}: {few} / {many} ({same})")
            if few != many:
                failures.append(f"article page {report['vendor']} {page}: queries {few} vs {many}")
    return failures


def _child(script: str, database_url: str, runs: int, var_dir: Path) -> dict[str, Any]:
    import subprocess

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
    done = subprocess.run(
        [sys.executable, script, "--measure"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"vendor": database_url.split(":")[0], "errors": [done.stderr[-3000:]]}
    return json.loads(lines[-1])


def measure() -> None:
    import io

    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "import_treaty",
        str(REPO_ROOT / "treaty/data/budapest_convention_ets185.md"),
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        stdout=io.StringIO(),
    )
    runs = int(os.environ.get("BENCH_RUNS", "30"))
    client = Client()
    pages = {
        "article page (anonymous)": ARTICLE,
        "annotation list API, page of 100": "/api/v1/annotations/?treaty=budapest-convention&page_size=100",
    }
    seed(2)
    few = {}
    for page, path in pages.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        few[page] = len(queries)
    seed(ANNOTATIONS - 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measures, counts = [], {}
    for page, path in pages.items():
        for _ in range(5):
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        # Read now: every later request empties the connection's query log.
        queries_now = len(queries)
        counts[page] = (few[page], queries_now)
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
        ordered = sorted(timings)
        measures.append(
            {
                "page": page,
                "status": response.status_code,
                "queries": queries_now,
                "median_ms": round(statistics.median(timings), 2),
                "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            }
        )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "load": [round(v, 2) for v in os.getloadavg()],
                "measures": measures,
                "query_counts": counts,
            }
        )
    )


def seed(count: int) -> None:
    """`count` approved annotations over Article 6's provisions, by bulk insert (not the API)."""
    from django.utils import timezone

    from accounts.models import Membership, Organization, User
    from annotations.models import Annotation, ConcernTag, Target
    from treaty.models import DraftVersion, Provision

    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    article = Provision.objects.get(version=version, key="art-6")
    provisions = [p for p in Provision.objects.filter(article=article).order_by("order") if p.text]
    tags = list(ConcernTag.objects.filter(is_active=True))
    now = timezone.now()
    start = User.objects.count()
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bench org {start}-{n}", slug=f"bench-org-{start}-{n}", type="ngo")
        for n in range(10)
    )
    authors = [
        User.objects.create_user(
            email=f"bench-{start}-{n}@example.org",
            password=None,
            display_name=f"Author {n}",
            email_verified_at=now,
        )
        for n in range(20)
    ]
    Membership.objects.bulk_create(
        Membership(user=a, organization=organizations[n % 10], status="active") for n, a in enumerate(authors)
    )
    targets = []
    for n in range(count):
        provision = provisions[n % len(provisions)]
        target = Target(version=version, provision=provision, provision_key=provision.key)
        if n % 2 and len(provision.text) > 40:
            s = (n * 7) % (len(provision.text) - 20)
            target.exact, target.start, target.end = provision.text[s : s + 15], s, s + 15
        targets.append(target)
    targets = Target.objects.bulk_create(targets, batch_size=1000)
    annotations = Annotation.objects.bulk_create(
        (
            Annotation(
                author=authors[n % 20],
                organization=organizations[n % 10],
                target=t,
                version=version,
                provision=t.provision,
                article=article,
                severity=1 + n % 3,
                position=Annotation.Position.values[n % 6],
                body=f"Benchmark comment {n} (generated).",
                attribution=("person", "organization", "anonymous")[n % 3],
                status="approved",
                created_at=now,
                updated_at=now,
            )
            for n, t in enumerate(targets)
        ),
        batch_size=1000,
    )
    through = Annotation.tags.through
    through.objects.bulk_create(
        (
            through(annotation_id=a.pk, concerntag_id=tags[n % len(tags)].pk)
            for n, a in enumerate(annotations)
        ),
        batch_size=2000,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure()
        sys.exit(0)
    problems = run(options.runs, options.only)
    print("Article page: all targets met." if not problems else f"Article page: {len(problems)} problem(s).")
    sys.exit(1 if problems else 0)

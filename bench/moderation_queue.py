"""The moderation queue with 10,000 pending annotations: server time and query counts (issue 5).

Target: the queue pages in a constant number of queries (the first page and a deep one cost the
same), with a median server time of at most 100 ms, through the API (`/api/v1/moderation/queue/`)
and the console page (`/moderation/`).

`make bench` runs this after the reading pages (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/moderation_queue.py [--runs 30] [--only sqlite|postgresql]

For each database it makes a fresh one, then starts this file again with `--measure` in its own
process (settings are read at start-up) with DATABASE_URL pointing there. That process migrates,
imports the Budapest Convention through the real command, seeds 10,000 pending annotations with
bulk_create (1-2 concern tags each, half of them quoting words, one in twenty flagged), runs
ANALYZE, then times each page in-process through Django's test client, logged in as a moderator,
and prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PENDING = 10_000
DEEP = 20  # cursors followed to reach the deep page
MIN_RUNS = 30
MAX_MEDIAN_MS = 100.0
DATABASE = "marginalia_bench_queue"


# --- The orchestrating side (no Django here: settings are per database, in a child process) -----


def run(runs: int = MIN_RUNS, only: str | None = None) -> list[str]:
    """Measure on SQLite and PostgreSQL, print the figures, return the targets missed."""
    from run import POSTGRES_SERVER, VAR_DIR  # bench/run.py: the same server and scratch folder

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    runs = max(runs, MIN_RUNS)
    reports: list[dict[str, Any]] = []
    if only in (None, "sqlite"):
        database = VAR_DIR / "queue.sqlite3"
        _remove_sqlite(database)
        try:
            reports.append(_measure_in_child(f"sqlite:///{database}", runs, VAR_DIR))
        finally:
            _remove_sqlite(database)
    if only in (None, "postgresql"):
        import psycopg

        try:
            admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as error:
            print(f"\nModeration queue on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({error})")
        else:
            with admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
                admin.execute(f"CREATE DATABASE {DATABASE}")
                try:
                    reports.append(_measure_in_child(f"{POSTGRES_SERVER}/{DATABASE}", runs, VAR_DIR))
                finally:
                    admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    failures: list[str] = []
    for report in reports:
        failures += _print_report(report)
    return failures


def _remove_sqlite(database: Path) -> None:
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        path.unlink(missing_ok=True)


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
    vendor = database_url.split(":")[0]
    if completed.returncode != 0 or not lines:
        return {
            "vendor": vendor,
            "measures": [],
            "errors": [f"failed (exit {completed.returncode})", completed.stderr[-4000:]],
        }
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _print_report(report: dict[str, Any]) -> list[str]:
    vendor = report["vendor"]
    pending, runs, seconds = report.get("pending", "?"), report.get("runs", "?"), report.get("seed_s", "?")
    title = (
        f"Moderation queue, {pending} pending annotations, {vendor} "
        f"({runs} timed runs per page after warm-up; seeded in {seconds} s)"
    )
    print()
    print(title)
    print("=" * len(title))
    failures = [
        f"moderation queue {vendor}: {error.splitlines()[0] if error else error}"
        for error in report.get("errors", [])
    ]
    for error in report.get("errors", []):
        print(f"ERROR: {error}")
    if "cpu_ms" in report:
        print(
            f"machine: load average {', '.join(map(str, report['load']))}; "
            f"sum(range(10**6)) took {report['cpu_ms']} ms (pure Python, a yardstick for these timings)"
        )
    header = f"{'page':<38} {'status':>6} {'items':>5} {'queries':>7} {'median ms':>9} {'p95 ms':>8}  target"
    print(header)
    print("-" * len(header))
    measures: list[dict[str, Any]] = report.get("measures", [])
    for m in measures:
        problems = []
        if m["status"] != 200:
            problems.append(f"status {m['status']}")
        if m["median_ms"] > MAX_MEDIAN_MS:
            problems.append(f"median {m['median_ms']} ms > {MAX_MEDIAN_MS:g} ms")
        verdict = "MISSED: " + "; ".join(problems) if problems else f"ok (median <= {MAX_MEDIAN_MS:g} ms)"
        print(
            f"{m['page']:<38} {m['status']:>6} {m['items']:>5} {m['queries']:>7} "
            f"{m['median_ms']:>9.2f} {m['p95_ms']:>8.2f}  {verdict}"
        )
        failures += [f"moderation queue {vendor} {m['page']}: {problem}" for problem in problems]
    # Constant: the deep page costs the same number of queries as the first.
    for surface in ("api", "console"):
        counts = {m["page"].split(",")[0]: m["queries"] for m in measures if m["surface"] == surface}
        if len(counts) == 2:
            first, deep = counts.values()
            same = "same" if first == deep else "DIFFERENT"
            print(f"  {surface}: {first} queries on the first page, {deep} on page {DEEP + 1}: {same}")
            if first != deep:
                failures.append(
                    f"moderation queue {vendor} {surface}: {first} queries on page 1, {deep} deep"
                )
    return failures


# --- The measuring side (a child process with DATABASE_URL set) ---------------------------------


def measure() -> None:
    import io
    import statistics
    import time
    from urllib.parse import urlsplit

    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.celery import app as celery_app

    assert not settings.DEBUG, "benchmarks need DEBUG off (templates cached, no query log)"
    runs = int(os.environ.get("BENCH_RUNS", str(MIN_RUNS)))
    warmup = 5
    celery_app.conf.task_always_eager = True  # no worker here: the import's follow-up work runs inline
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "import_treaty",
        str(REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"),
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        "--title",
        "Convention on Cybercrime",
        stdout=io.StringIO(),
    )
    started = time.perf_counter()
    moderator = seed(PENDING)
    seed_seconds = round(time.perf_counter() - started, 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(moderator)

    def api_next(response: Any) -> str:
        following = response.json()["next"]
        parts = urlsplit(following)
        return f"{parts.path}?{parts.query}"

    def console_next(response: Any) -> str:
        import re
        from html import unescape

        match = re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())
        assert match, "the console page has no next link"
        return unescape(match.group(1))

    def api_items(response: Any) -> int:
        return len(response.json()["results"])

    def console_items(response: Any) -> int:
        return response.content.decode().count('<article class="mod-item')

    measures = []
    for surface, first, follow, count in (
        ("api", "/api/v1/moderation/queue/", api_next, api_items),
        ("console", "/moderation/", console_next, console_items),
    ):
        path = first
        for _ in range(DEEP):
            path = follow(client.get(path))
        for page, target in (
            (f"{surface} first page", first),
            (f"{surface} page {DEEP + 1}, after {DEEP} cursors", path),
        ):
            for _ in range(warmup):
                response = client.get(target)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            query_count = len(queries)
            timings = []
            for _ in range(runs):
                began = time.perf_counter()
                response = client.get(target)
                assert response.content
                timings.append((time.perf_counter() - began) * 1000)
            ordered = sorted(timings)
            measures.append(
                {
                    "surface": surface,
                    "page": page,
                    "path": target[:80],
                    "status": response.status_code,
                    "items": count(response),
                    "queries": query_count,
                    "median_ms": round(statistics.median(timings), 2),
                    "p95_ms": round(ordered[max(0, -(-95 * len(ordered) // 100) - 1)], 2),
                }
            )
    # A yardstick for the machine's speed at the time: pure Python, no I/O.
    loops = []
    for _ in range(9):
        began = time.perf_counter()
        sum(range(1_000_000))
        loops.append((time.perf_counter() - began) * 1000)
    print(
        json.dumps(
            {
                "cpu_ms": round(statistics.median(loops), 1),
                "load": [round(value, 2) for value in os.getloadavg()],
                "vendor": connection.vendor,
                "pending": PENDING,
                "runs": runs,
                "seed_s": seed_seconds,
                "measures": measures,
                "errors": [],
            }
        )
    )


def seed(pending: int) -> Any:
    """`pending` annotations waiting for a moderator, written with bulk_create (not the API)."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import MODERATORS_GROUP, Membership, Organization, User
    from annotations.models import Annotation, ConcernTag, Flag, Status, Target
    from treaty.models import DraftVersion, Provision

    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    # Every provision one can annotate: the preamble and the closing formula included.
    provisions = list(
        Provision.objects.filter(version=version, article__isnull=False).exclude(text="").order_by("order")
    )
    tags = list(ConcernTag.objects.filter(is_active=True))
    now = timezone.now()
    moderator = User.objects.create_user(
        email="bench-moderator@example.org", password=None, display_name="Bench Mod"
    )
    moderator.email_verified_at = now
    moderator.save(update_fields=["email_verified_at"])
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Bench organisation {n}",
            slug=f"bench-organisation-{n}",
            type="ngo",
            verified_at=now if n % 2 else None,
        )
        for n in range(20)
    )
    authors = [
        User.objects.create_user(
            email=f"bench-author-{n}@example.org", password=None, display_name=f"Author {n}"
        )
        for n in range(50)
    ]
    Membership.objects.bulk_create(
        Membership(user=author, organization=organizations[n % 20], status=Membership.Status.ACTIVE)
        for n, author in enumerate(authors)
    )
    targets = []
    for n in range(pending):
        provision = provisions[n % len(provisions)]
        target = Target(version=version, provision=provision, provision_key=provision.key)
        if n % 2 and len(provision.text) > 30:
            # A quote: a few words from the middle of the paragraph, offsets in code points.
            start = len(provision.text) // 3
            end = start + 20
            target.exact, target.start, target.end = provision.text[start:end], start, end
        targets.append(target)
    targets = Target.objects.bulk_create(targets, batch_size=1000)
    annotations = Annotation.objects.bulk_create(
        (
            Annotation(
                author=authors[n % 50],
                organization=organizations[n % 20],
                target=target,
                version=version,
                provision=target.provision,
                article=target.provision.article,
                severity=1 + n % 3,
                position=Annotation.Position.values[n % 6],
                body=f"Benchmark comment {n}: generated text, not a real comment.",
                attribution=("person", "organization", "anonymous")[n % 3],
                status=Status.PENDING,
                created_at=now - timedelta(seconds=pending - n),
                updated_at=now,
            )
            for n, target in enumerate(targets)
        ),
        batch_size=1000,
    )
    through = Annotation.tags.through
    through.objects.bulk_create(
        (
            through(annotation_id=annotation.pk, concerntag_id=tag.pk)
            for n, annotation in enumerate(annotations)
            for tag in {tags[n % len(tags)], tags[(n * 7) % len(tags)]}
        ),
        batch_size=2000,
    )
    Flag.objects.bulk_create(
        Flag(annotation=annotation, user=authors[(n + 1) % 50], reason="misleading", note="Benchmark flag")
        for n, annotation in enumerate(annotations)
        if n % 20 == 0
    )
    return moderator


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help=f"timed requests per page (>= {MIN_RUNS})")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        measure()
        return 0
    failures = run(options.runs, options.only)
    print()
    for failure in failures:
        print(f"  - {failure}")
    print(
        "Moderation queue: all targets met."
        if not failures
        else f"Moderation queue: {len(failures)} problem(s)."
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

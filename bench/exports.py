"""Streamed annotation exports with 1,000,000 annotations, on PostgreSQL (issue 7).

Targets, per format (CSV and NDJSON), through the real view
(`/api/v1/treaties/{slug}/annotations/export/?format=…`, Django's test client, the streamed
content consumed chunk by chunk): at least 50,000 rows per second, and a peak memory of the process
of at most 250 MB.

On PostgreSQL the export is formatted by the database (annotations/exports/pg_copy.py): one
`COPY (SELECT …) TO STDOUT` whose rows are, byte for byte, what the Python writers in
annotations/exports/writers.py write (the reference, and the path on SQLite); Python only joins the rows into
64 kB pieces. Beside each format, the ratio to a plain `COPY (SELECT <the same columns> …) TO STDOUT`
(CSV, PostgreSQL's own formatting: no formula quoting, timestamps as PostgreSQL writes them), timed
in the same run, says what the exact formatting, the view (its ETag queries included) and Django
add to what the database alone can stream.

Memory is the process's resident-set high-water mark, `getrusage(RUSAGE_SELF).ru_maxrss`, read in a
fresh process per export (Django and the app imported, then one export): what a web worker serving
that export would need, start-up included.

`make bench` runs this after the other benchmarks (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/exports.py [--rows 1000000] [--profile csv|ndjson]

It makes a fresh database, seeds it in a child process (migrate, the Budapest Convention through
the real import command, then the annotations with COPY: 1-3 concern tags each, a third quoting
words, most with an organisation, a fifth anonymous, some endorsed or replied to), runs ANALYZE,
times COPY, then each export in its own process, and drops the database. Only PostgreSQL: the
figures are for production; without a server it prints a line saying so and skips.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000_000
# Per run: two runs at once (two people on one machine) must not drop each other's database.
DATABASE = f"marginalia_bench_exports_{os.getpid()}"
SLUG = "budapest-convention"
FORMATS = ("csv", "ndjson")
MIN_ROWS_PER_SECOND = 50_000
MAX_PEAK_MB = 250.0


# --- The orchestrating side (no Django here: settings are per database, in child processes) ------


def run(only: str | None = None, rows: int = ROWS, profile: str | None = None) -> list[str]:
    """Seed, measure, print the figures, drop the database; return the targets missed."""
    from run import POSTGRES_SERVER, VAR_DIR  # bench/run.py: the same server and scratch folder

    if only == "sqlite":
        return []
    print()
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"Exports on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({str(error).strip()})")
        return []
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Exports: seeding {rows:,} annotations on PostgreSQL (load average {load}; "
        f"sum(range(1000)) takes {machine_speed_us():.1f} µs here)"
    )
    database_url = f"{POSTGRES_SERVER}/{DATABASE}"
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
        try:
            seeded = _child(database_url, VAR_DIR, "--seed", str(rows))
            if seeded.get("errors"):
                return _report_errors(seeded)
            copy = _time_copy(database_url, seeded["site_url"])
            if profile:
                _child(database_url, VAR_DIR, "--export", profile, "--profiled", capture=False)
                return []
            exports = [_child(database_url, VAR_DIR, "--export", kind) for kind in FORMATS]
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    return _print_report(seeded, copy, exports)


def _child(database_url: str, var_dir: Path, *arguments: str, capture: bool = True) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",  # DEBUG off, throwaway secret key
        "DEBUG": "0",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        # Exports are throttled per address; the bench is one address asking many times an hour.
        "THROTTLE_EXPORTS": "1000/minute",
    }
    env.pop("REDIS_URL", None)  # the cache and broker stay on files under var/bench
    command = [sys.executable, str(Path(__file__).resolve()), *arguments]
    if not capture:
        subprocess.run(command, env=env, cwd=REPO_ROOT, check=False)
        return {}
    completed = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {"errors": [f"{' '.join(arguments)}: exit {completed.returncode}", completed.stderr[-4000:]]}
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def _time_copy(database_url: str, site_url: str) -> dict[str, Any]:
    """The same rows and columns as the public CSV export, in PostgreSQL's own CSV formatting."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection, connection.cursor() as cursor:
        sql = f"COPY ({copy_select(site_url)}) TO STDOUT WITH (FORMAT csv, HEADER)"
        started = time.perf_counter()
        size = 0
        lines = 0
        with cursor.copy(sql) as copy:  # type: ignore[arg-type]
            for block in copy:
                size += len(block)
                lines += bytes(block).count(b"\n")
        seconds = time.perf_counter() - started
    return {"rows": lines - 1, "seconds": round(seconds, 2), "bytes": size}


def copy_select(site_url: str) -> str:
    # The public CSV's columns (annotations.exports.rows.PUBLIC_COLUMNS) in SQL, written for speed (the
    # tags and counts aggregated once and joined, rather than a subquery per row): the baseline is
    # the best the database can do, not a straw man.
    site = site_url.replace("'", "''")
    return f"""
        WITH tag_lists AS (
                SELECT at.annotation_id, string_agg(c.slug, ' ' ORDER BY c."order") AS tags
                  FROM annotations_annotation_tags at
                  JOIN annotations_concerntag c ON c.id = at.concerntag_id
                 GROUP BY at.annotation_id),
             endorsed AS (
                SELECT annotation_id, count(*) AS n FROM annotations_endorsement GROUP BY annotation_id),
             replied AS (
                SELECT annotation_id, count(*) AS n FROM annotations_reply
                 WHERE deleted_at IS NULL AND status = 'approved' GROUP BY annotation_id)
        SELECT a.id,
               '{site}/treaties/' || t.slug || '/articles/' || art.number || '/#annotation-' || a.id,
               t.slug, v.label, v.language, tg.provision_key, p.label, tg.exact, coalesce(tl.tags, ''),
               a.severity, a.position, a.body, a.proposed_text,
               CASE WHEN a.attribution = 'anonymous' THEN '' ELSE coalesce(o.name, '') END,
               a.attribution, a.featured, coalesce(e.n, 0), coalesce(r.n, 0), a.created_at, a.updated_at
          FROM annotations_annotation a
          JOIN treaty_draftversion v ON v.id = a.version_id
          JOIN treaty_treaty t ON t.id = v.treaty_id
          JOIN annotations_target tg ON tg.id = a.target_id
          JOIN treaty_provision p ON p.id = a.provision_id
          JOIN treaty_provision art ON art.id = a.article_id
          LEFT JOIN accounts_organization o ON o.id = a.organization_id
          LEFT JOIN tag_lists tl ON tl.annotation_id = a.id
          LEFT JOIN endorsed e ON e.annotation_id = a.id
          LEFT JOIN replied r ON r.annotation_id = a.id
         WHERE a.deleted_at IS NULL AND a.status = 'approved' AND t.slug = '{SLUG}'
         ORDER BY a.id
    """


def machine_speed_us() -> float:
    """Microseconds for a fixed piece of pure Python (best of 5; lower is faster): rows per second
    depend on the machine and its load, so the report gives this beside them."""
    import timeit

    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def _report_errors(report: dict[str, Any]) -> list[str]:
    for error in report.get("errors", []):
        print(f"ERROR: {error}")
    return [f"exports: {str(error).splitlines()[0]}" for error in report.get("errors", [])[:1]]


def _print_report(seeded: dict[str, Any], copy: dict[str, Any], exports: list[dict[str, Any]]) -> list[str]:
    title = (
        f"Exports, {seeded['annotations']:,} approved annotations on PostgreSQL "
        f"(seeded with COPY in {seeded['seed_s']} s; one fresh process per export)"
    )
    print(title)
    print("=" * len(title))
    copy_rate = copy["rows"] / copy["seconds"] if copy["seconds"] else 0.0
    print(
        f"COPY (SELECT the same columns) TO STDOUT, CSV: {copy['rows']:,} rows in {copy['seconds']} s, "
        f"{copy_rate:,.0f} rows/s, {copy['bytes'] / 1e6:.0f} MB"
    )
    header = (
        f"{'format':<7} {'rows':>9} {'seconds':>8} {'CPU s':>6} {'rows/s':>9} {'MB out':>7} "
        f"{'peak RSS MB':>11} {'before MB':>9} {'vs COPY':>8}  target"
    )
    print(header)
    print("-" * len(header))
    failures: list[str] = []
    for report in exports:
        if report.get("errors"):
            failures += _report_errors(report)
            continue
        problems = []
        rate = report["rows"] / report["seconds"]
        if report["status"] != 200:
            problems.append(f"status {report['status']}")
        if report["rows"] != seeded["annotations"]:
            problems.append(f"{report['rows']} rows, expected {seeded['annotations']}")
        if rate < MIN_ROWS_PER_SECOND:
            problems.append(f"{rate:,.0f} rows/s < {MIN_ROWS_PER_SECOND:,}")
        if report["peak_rss_mb"] > MAX_PEAK_MB:
            problems.append(f"peak {report['peak_rss_mb']} MB > {MAX_PEAK_MB:g} MB")
        ratio = report["seconds"] / copy["seconds"] if copy["seconds"] else float("nan")
        verdict = (
            "MISSED: " + "; ".join(problems)
            if problems
            else f"ok (>= {MIN_ROWS_PER_SECOND:,} rows/s, <= {MAX_PEAK_MB:g} MB)"
        )
        print(
            f"{report['format']:<7} {report['rows']:>9,} {report['seconds']:>8.2f} "
            f"{report['cpu_s']:>6.1f} {rate:>9,.0f} "
            f"{report['bytes'] / 1e6:>7.0f} {report['peak_rss_mb']:>11.1f} {report['rss_before_mb']:>9.1f} "
            f"{ratio:>7.1f}x  {verdict}"
        )
        failures += [f"export {report['format']}: {problem}" for problem in problems]
    print(
        "seconds: wall time of the request, streamed content consumed; CPU s: the process's own CPU time"
        " (the database server's is not in it); peak RSS: ru_maxrss of the process (start-up included);"
        " before: its RSS just before the request; vs COPY: export seconds / COPY seconds"
    )
    return failures


# --- The child processes (DATABASE_URL set) -----------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()


def seed_command(rows: int) -> None:
    import io

    _django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # no worker here: the import's follow-up work runs inline
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "import_treaty",
        str(REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"),
        "--slug",
        SLUG,
        "--version",
        "ETS No. 185",
        "--title",
        "Convention on Cybercrime",
        stdout=io.StringIO(),
    )
    started = time.perf_counter()
    seed(rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would leave it
    print(
        json.dumps(
            {
                "annotations": rows,
                "seed_s": round(time.perf_counter() - started, 1),
                "site_url": settings.SITE_URL,
            }
        )
    )


def seed(rows: int) -> None:
    """`rows` approved annotations over the Budapest Convention, written with COPY (not the API)."""
    from datetime import timedelta

    from django.db import connection, models
    from django.utils import timezone

    from accounts.models import Organization, User
    from annotations.models import Annotation, ConcernTag, Endorsement, Reply, Target
    from treaty.models import DraftVersion, Provision

    version = DraftVersion.objects.get(treaty__slug=SLUG)
    # Article provisions with text (as the moderation-queue bench): every permalink is an article's.
    provisions = list(
        Provision.objects.filter(version=version, article__isnull=False)
        .exclude(text="")
        .exclude(article__number="")
        .order_by("order")
    )
    tags = list(ConcernTag.objects.filter(is_active=True).order_by("order"))
    now = timezone.now()
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Bench organisation {n}",
            slug=f"bench-organisation-{n}",
            type="ngo",
            verified_at=now if n % 2 else None,
        )
        for n in range(50)
    )
    authors = User.objects.bulk_create(
        User(email=f"bench-author-{n}@example.org", display_name=f"Author {n}", password="!")
        for n in range(200)
    )
    # Per provision: the words a third of the annotations quote (offsets in code points).
    quotes: dict[int, tuple[str, str, str, int, int]] = {}
    for provision in provisions:
        text = provision.text
        if len(text) > 40:
            start = len(text) // 3
            end = start + 20
            quotes[provision.pk] = (
                text[start:end],
                text[max(0, start - 32) : start],
                text[end : end + 32],
                start,
                end,
            )

    def copy(model: type[models.Model], columns: list[str], values: Iterable[tuple[Any, ...]]) -> None:
        """COPY rows (tuples in the order of `columns`, field attnames); other fields get their
        default. Written as COPY text in large pieces: psycopg's write_row costs more than the data."""
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for f in model._meta.concrete_fields if f.attname not in columns]
        names = [by_attname[c].column for c in columns] + [f.column for f in rest]
        tail = "".join("\t" + _copy_text(f.get_default()) for f in rest) + "\n"
        table = model._meta.db_table
        sql = f"COPY {table} ({', '.join(connection.ops.quote_name(n) for n in names)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as stream:
            lines: list[str] = []
            for row in values:
                lines.append("\t".join(map(_copy_text, row)) + tail)
                if len(lines) == 20_000:
                    stream.write("".join(lines))
                    lines = []
            stream.write("".join(lines))
        with connection.cursor() as cursor:  # the ids were given: move the sequence past them
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))", [table]
            )

    version_id = version.pk
    author_ids = [a.pk for a in authors]
    organization_ids = [o.pk for o in organizations]
    tag_ids = [t.pk for t in tags]
    spots = [(p.pk, p.key, p.article_id, quotes.get(p.pk)) for p in provisions]

    def targets() -> Iterator[tuple[Any, ...]]:
        for n in range(1, rows + 1):
            provision_id, key, _article_id, quote = spots[n % len(spots)]
            if quote and n % 3 == 0:
                yield (n, version_id, provision_id, key, now, *quote)
            else:
                yield (n, version_id, provision_id, key, now, "", "", "", None, None)

    positions = Annotation.Position.values
    attributions = ("person", "organization", "organization", "person", "anonymous")

    def annotations() -> Iterator[tuple[Any, ...]]:
        for n in range(1, rows + 1):
            provision_id, _key, article_id, _quote = spots[n % len(spots)]
            moment = now - timedelta(seconds=rows - n)
            yield (
                n,
                author_ids[n % len(author_ids)],
                None if n % 8 == 0 else organization_ids[n % len(organization_ids)],
                n,  # its target
                version_id,
                provision_id,
                article_id,
                1 + n % 3,
                positions[n % len(positions)],
                f'Benchmark comment {n}: generated text, not a real comment; it says "why", too.',
                f"Proposed wording {n}." if n % 10 == 0 else "",
                attributions[n % len(attributions)],
                "approved",
                n % 100 == 0,
                moment,
                moment,
            )

    def annotation_tags() -> Iterator[tuple[Any, ...]]:
        through_id = 0
        for n in range(1, rows + 1):
            for k in range(1 + n % 3):  # 1-3 concern tags
                through_id += 1
                yield (through_id, n, tag_ids[(n + 5 * k) % len(tag_ids)])

    def endorsements() -> Iterator[tuple[Any, ...]]:
        for n in range(25, rows + 1, 25):
            yield (n // 25, n, organization_ids[(n + 1) % len(organization_ids)], now)

    def replies() -> Iterator[tuple[Any, ...]]:
        for n in range(40, rows + 1, 40):
            yield (
                n // 40,
                n,
                author_ids[(n + 3) % len(author_ids)],
                "person",
                "A benchmark reply.",
                "approved",
                now,
                now,
            )

    with connection.cursor() as cursor:
        # Bulk load: the rows are consistent by construction, so the per-row foreign-key triggers
        # are switched off for this session (as pg_restore does); indexes are kept up as usual.
        cursor.execute("SET session_replication_role = replica")
    try:
        copy(
            Target,
            [
                "id",
                "version_id",
                "provision_id",
                "provision_key",
                "created_at",
                "exact",
                "prefix",
                "suffix",
                "start",
                "end",
            ],
            targets(),
        )
        copy(
            Annotation,
            [
                "id",
                "author_id",
                "organization_id",
                "target_id",
                "version_id",
                "provision_id",
                "article_id",
                "severity",
                "position",
                "body",
                "proposed_text",
                "attribution",
                "status",
                "featured",
                "created_at",
                "updated_at",
            ],
            annotations(),
        )
        copy(Annotation.tags.through, ["id", "annotation_id", "concerntag_id"], annotation_tags())
        copy(Endorsement, ["id", "annotation_id", "organization_id", "created_at"], endorsements())
        copy(
            Reply,
            ["id", "annotation_id", "author_id", "attribution", "body", "status", "created_at", "updated_at"],
            replies(),
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value: Any) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def export_command(kind: str, profile: bool) -> None:
    import resource

    _django()
    from django.db import connection
    from django.test import Client

    from accounts.models import Organization  # noqa: F401  (the app's models loaded, as in a worker)

    client = Client()
    rss_before = _rss_mb()
    cpu_before = time.process_time()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    response = client.get(f"/api/v1/treaties/{SLUG}/annotations/export/?format={kind}")
    size = 0
    newlines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        newlines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_before
    if profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    connection.close()
    rows = newlines - 1 if kind == "csv" else newlines  # the CSV has a header line
    print(
        json.dumps(
            {
                "format": kind,
                "status": response.status_code,
                "rows": rows,
                "bytes": size,
                "seconds": round(seconds, 2),
                "cpu_s": round(cpu_seconds, 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "rss_before_mb": round(rss_before, 1),
            }
        )
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=ROWS, help="annotations to seed")
    parser.add_argument("--profile", choices=FORMATS, help="profile one export (cProfile) instead")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--profiled", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.seed:
        seed_command(options.seed)
        return 0
    if options.export:
        export_command(options.export, profile=options.profiled)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/run.py, for the shared settings
    started = time.perf_counter()
    failures = run(rows=options.rows, profile=options.profile)
    print()
    for failure in failures:
        print(f"  - {failure}")
    print(
        f"Exports: {'all targets met' if not failures else f'{len(failures)} problem(s)'}"
        f" ({time.perf_counter() - started:.0f} s in all)."
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

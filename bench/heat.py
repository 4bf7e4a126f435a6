"""Heat with 1,000,000 approved annotations on PostgreSQL (issue 6, "Performance").

Targets, measured in one run:
  (a) one large article's recompute (`article_heat_refresh`), median of 5   <= 200 ms
  (b) a full rebuild (`heat_rebuild`)                                          <= 20 s
      and within 2x of a hand-written SQL GROUP BY over the same rows, timed in the same run;
      on PostgreSQL the rebuild reads the per-(provision, tag, who) sums the database keeps
      (HeatSums); `rebuild_heatmaps --recount`, which counts them again first, is timed too
  (c) the heatmap API (`/api/v1/treaties/budapest-convention/heatmap/`)
      median server time                                                       <= 30 ms
      in a constant number of queries (the same as with no annotations at all)
  (d) how many recomputes 1,000 writes to one article schedule: `annotation_create` 1,000 times
      in a loop, each in its own transaction with its on-commit callbacks, against the real
      cache (Redis when one answers on 127.0.0.1:6379, else the file cache); every task the
      scheduling sends is counted (and not published: no worker runs here). A handful is the target.

`make bench` runs this after the reading pages (bench/run.py calls `run()`); alone:

    .venv/bin/python bench/heat.py

It makes a fresh database `marginalia_bench_heat`, starts this file again with `--measure` in its
own process (settings are read at start-up) with DATABASE_URL pointing there, prints what that
process prints as it goes, and drops the database at the end. The child migrates, imports the
Budapest Convention through the real command, and seeds with plain SQL (generate_series, not the
API): ~300 organisations of every type in 40 countries with 1-3 members each, 200 individuals,
1,000,000 approved annotations (1-3 concern tags, severities, positions, a tenth anonymous), 5%
of them endorsed; then VACUUM ANALYZE. Random choices use a fixed seed. PostgreSQL only: when the server
cannot be reached this prints one line saying so and measures nothing.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATABASE = "marginalia_bench_heat"
ANNOTATIONS = int(os.environ.get("BENCH_HEAT_ANNOTATIONS", "1000000"))
WRITES = 1_000
TARGETS = {
    "article_ms": 200.0,
    "rebuild_s": 20.0,
    "rebuild_ratio": 2.0,
    "api_ms": 30.0,
}
RESULT = "RESULT "  # the child's last line: its figures as JSON

# --- The orchestrating side (no Django here: settings are per database, in a child process) -----


def run() -> list[str]:
    """Measure on PostgreSQL, print the figures as they come, return the targets missed."""
    import psycopg
    from run import POSTGRES_SERVER, VAR_DIR  # bench/run.py: the same server and scratch folder

    print()
    title = f"Heat with {ANNOTATIONS:,} approved annotations (PostgreSQL)"
    print(title)
    print("=" * len(title), flush=True)
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"Heat on PostgreSQL: SKIPPED, {POSTGRES_SERVER} is unreachable ({str(error).strip()})")
        return []
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
        try:
            report = _measure_in_child(f"{POSTGRES_SERVER}/{DATABASE}", VAR_DIR)
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            print(f"(database {DATABASE} dropped; the heat bench took {time.perf_counter() - started:.0f} s)")
    return _verdicts(report)


def _measure_in_child(database_url: str, var_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",  # DEBUG off, throwaway secret key
        "DEBUG": "0",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    # The broker stays on files under var/bench: nothing from here may reach a shared Redis queue.
    env.pop("REDIS_URL", None)
    report: dict[str, Any] = {"errors": []}
    with subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--measure"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None and child.stderr is not None
        for line in child.stdout:
            if line.startswith(RESULT):
                report = json.loads(line[len(RESULT) :])
            else:
                print(line, end="", flush=True)
        errors = child.stderr.read()
        child.wait()
    if child.returncode != 0:
        report.setdefault("errors", []).append(f"bench/heat.py --measure failed (exit {child.returncode})")
        print(errors[-4000:])
    return report


def _verdicts(report: dict[str, Any]) -> list[str]:
    failures = [f"heat: {error}" for error in report.get("errors", [])]
    checks = [
        ("article_ms", "one article's recompute, median", "ms", TARGETS["article_ms"]),
        ("rebuild_s", "full rebuild", "s", TARGETS["rebuild_s"]),
        ("rebuild_ratio", "full rebuild / hand-written GROUP BY", "x", TARGETS["rebuild_ratio"]),
        ("api_ms", "heatmap API, median", "ms", TARGETS["api_ms"]),
    ]
    print()
    print("Targets:")
    for key, what, unit, limit in checks:
        if key not in report:
            continue
        value = report[key]
        ok = value <= limit
        print(f"  {what:<40} {value:>9.2f} {unit:<2} target <= {limit:g} {unit}: {'ok' if ok else 'MISSED'}")
        if not ok:
            failures.append(f"heat: {what} {value:.2f} {unit} > {limit:g} {unit}")
    if "rebuild_ratio_same_output" in report:
        print(
            f"  {'full rebuild / GROUP BY of the same cells':<40} "
            f"{report['rebuild_ratio_same_output']:>9.2f} x "
            "(for reference: the same output written as one GROUPING SETS query)"
        )
    if "api_queries" in report:
        same = report["api_queries"] == report["api_queries_empty"]
        print(
            f"  {'heatmap API queries (building)':<40} {report['api_queries']:>9} "
            f"   same as with no annotations ({report['api_queries_empty']}): {'ok' if same else 'MISSED'}"
        )
        if not same:
            failures.append("heat: the heatmap API's query count grows with the data")
    if "sends" in report:
        print(
            f"  {'recomputes for ' + str(WRITES) + ' writes':<40} {report['sends']:>9}"
            f"    over {report['writes_s']:.1f} s (a handful, not {WRITES})"
        )
        if report["sends"] > max(10, report["writes_s"] / 2):
            failures.append(f"heat: {report['sends']} recomputes scheduled for {WRITES} writes")
    return failures


# --- The measuring side (a child process with DATABASE_URL set) ---------------------------------

# 40 countries (ISO 3166 alpha-2).
COUNTRIES = [
    *("AR", "BD", "BR", "CA", "CL", "CN", "CO", "DE", "EG", "ES", "ET", "FR", "GB", "GH", "ID", "IN"),
    *("IT", "JP", "KE", "KR", "LB", "MA", "MX", "MY", "NG", "NL", "PE", "PH", "PK", "PL", "RU", "SE"),
    *("SN", "TH", "TN", "TR", "UA", "US", "VN", "ZA"),
]


def _say(message: str) -> None:
    print(message, flush=True)


class ServerClock:
    """Wall time, and the CPU time the PostgreSQL backend of this connection spent (read from
    /proc when the server runs on this machine): on a busy machine the wall time also counts the
    time spent waiting for a CPU, the server's CPU time does not."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (self.pid,) = cursor.fetchone()
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # the server runs elsewhere
        return (int(fields[11]) + int(fields[12])) / self.tick

    def time(self, work: Any) -> tuple[float, float | None, Any]:
        cpu_before, started = self.cpu(), time.perf_counter()
        result = work()
        wall, cpu_after = time.perf_counter() - started, self.cpu()
        cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
        return wall, cpu, result


def _cpu_text(cpu: float | None) -> str:
    return f"server CPU {cpu:.2f} s" if cpu is not None else "server CPU not measurable (remote server)"


def _calibration() -> str:
    """How fast this machine is right now: a fixed pure-Python loop (about 0.1 s on an idle
    2020s laptop core) and the load average."""
    started = time.perf_counter()
    total = 0
    for n in range(3_000_000):
        total += n
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    loop = time.perf_counter() - started
    return f"calibration: 3,000,000-step Python loop {loop:.2f} s; load average {load}; {os.cpu_count()} CPUs"


def _seconds(started: float) -> float:
    return time.perf_counter() - started


def measure() -> None:
    import io

    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app as celery_app

    assert not settings.DEBUG, "benchmarks need DEBUG off (templates cached, no query log)"
    assert connection.vendor == "postgresql", "bench/heat.py measures PostgreSQL only"
    celery_app.conf.task_always_eager = True  # the import's follow-up work runs inline
    cache_name = _use_real_cache(settings)
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
    from treaty.models import DraftVersion

    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    report: dict[str, Any] = {"annotations": ANNOTATIONS, "errors": []}
    _say(_calibration())
    # The API on an empty heatmap, for the query count to compare with.
    report["api_queries_empty"] = _api(runs=3)["queries_built"]

    started = time.perf_counter()
    _seed(version)
    report["seed_s"] = round(_seconds(started), 1)
    _say(f"seeded in {report['seed_s']} s (SQL, then VACUUM ANALYZE)")

    clock = ServerClock()
    _article(version, report, clock)
    _rebuild(version, report, clock)
    api = _api(runs=60)
    report |= {"api_ms": api["median_ms"], "api_queries": api["queries_built"]}
    _say(
        f"(c) heatmap API: median {api['median_ms']:.2f} ms, p95 {api['p95_ms']:.2f} ms over 60 requests, "
        f"{api['queries']} queries from the cache, {api['queries_built']} to build the answer "
        f"({report['api_queries_empty']} with no annotations), {api['bytes']:,} bytes"
    )
    for label, path in (
        ("heatmap page", "/treaties/budapest-convention/heatmap/"),
        ("heatmap page, by country", "/treaties/budapest-convention/heatmap/?country=KE&metric=score"),
        ("heatmap SVG", "/treaties/budapest-convention/heatmap.svg"),
        ("heatmap CSV", "/treaties/budapest-convention/heatmap.csv"),
        # Not heat, but the million rows are here: removals are found through a partial index.
        ("removals API (none among a million)", "/api/v1/annotations/removed/?treaty=budapest-convention"),
    ):
        page = _api(runs=30, path=path)
        _say(f"    {label}: median {page['median_ms']:.2f} ms, {page['queries']} queries")
    _writes(version, report, cache_name)
    _say(_calibration())
    print(RESULT + json.dumps(report), flush=True)


def _use_real_cache(settings: Any) -> str:
    """Redis when one answers locally (in its own database and key prefix, so nothing shared is
    touched), else the file cache the settings give. Set before the cache is first used."""
    try:
        import redis

        redis.Redis(host="127.0.0.1", port=6379, db=15, socket_connect_timeout=1).ping()
    except Exception:
        return f"file cache ({settings.CACHES['default']['LOCATION']})"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"bench-heat-{os.getpid()}",
        }
    }
    return "Redis (redis://127.0.0.1:6379/15)"


def _seed(version: Any) -> None:
    """Organisations, people and 1,000,000 approved annotations, by SQL on the server."""
    from django.db import connection, transaction

    from accounts.models import Membership, Organization, User
    from annotations.heat.aggregation import heat_copies_fill, heat_sums_recount
    from annotations.models import Annotation, ConcernTag

    started = time.perf_counter()
    types = [t for t in Organization.Type.values]
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Bench organisation {n:03}",
            slug=f"bench-organisation-{n:03}",
            type=types[n % len(types)] if n % 3 else Organization.Type.NGO,  # half of them NGOs
            country=COUNTRIES[(n * 7) % len(COUNTRIES)],
        )
        for n in range(300)
    )
    people = User.objects.bulk_create(
        User(email=f"bench{n}@example.org", display_name=f"Bench person {n}", password="!")
        for n in range(800)
    )
    members: list[tuple[int, int | None]] = []
    memberships = []
    person = iter(people)
    for index, organization in enumerate(organizations):
        for _ in range(1 + index % 3):
            user = next(person)
            members.append((user.pk, organization.pk))
            memberships.append(Membership(user=user, organization=organization))
    Membership.objects.bulk_create(memberships)
    individuals = list(person)[:200]
    members += [(user.pk, None) for user in individuals]
    tags = list(ConcernTag.objects.filter(is_active=True).order_by("order").values_list("pk", flat=True))
    _say(
        f"seeding: {len(organizations)} organisations ({len(set(o.country for o in organizations))} "
        f"countries, {len(types)} types), {len(members) - len(individuals)} members, "
        f"{len(individuals)} individuals, {len(tags)} tags"
    )

    # Every column of the annotation, by name, so that a field added later fails loudly here.
    known = {
        "id": "%(base)s + s.n",
        "author_id": "au.author_id",
        "organization_id": "au.organization_id",
        "target_id": "%(base)s + s.n",
        "version_id": "%(version)s",
        "provision_id": "p.id",
        "article_id": "p.article_id",
        "severity": "s.severity",
        "position": "(ARRAY['concern','oppose','amend','delete','clarify','support'])[s.position + 1]",
        "body": "'Bench annotation ' || s.n",
        "proposed_text": "''",
        "attribution": "CASE WHEN s.anonymous THEN 'anonymous' WHEN au.organization_id IS NULL "
        "THEN 'person' ELSE 'organization' END",
        "status": "'approved'",
        "created_at": "now() - (s.n || ' seconds')::interval",
        "updated_at": "now() - (s.n || ' seconds')::interval",
    }
    columns, values, params = [], [], {"version": version.pk}
    for field in Annotation._meta.concrete_fields:
        assert field.column is not None
        columns.append(connection.ops.quote_name(field.column))
        if field.column in known:
            values.append(known[field.column])
        elif field.null:
            values.append("NULL")
        elif field.blank and field.empty_strings_allowed and not field.has_default():
            values.append("''")
        elif field.has_default():
            values.append(f"%(default_{field.column})s")
            params[f"default_{field.column}"] = field.get_default()
        else:
            raise RuntimeError(f"bench/heat.py does not know how to fill annotations.{field.column}")

    with transaction.atomic(), connection.cursor() as cursor:
        # Bulk load: foreign keys are checked by construction here, not row by row by triggers, and
        # the secondary indexes are built once at the end rather than kept up row by row.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename IN
                  ('annotations_annotation', 'annotations_target', 'annotations_annotation_tags')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            CREATE TEMP TABLE seed_provision ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY random())) - 1 AS i, id, key, article_id
            FROM treaty_provision WHERE version_id = %s AND article_id IS NOT NULL
            """,
            [version.pk],
        )
        cursor.execute("SELECT count(*) FROM seed_provision")
        (provisions,) = cursor.fetchone()
        cursor.execute(
            "CREATE TEMP TABLE seed_author (i int, author_id bigint, organization_id bigint) ON COMMIT DROP"
        )
        # Shuffled, so that the prolific authors (low i, below) are not all of one kind.
        ordered = list(members)
        random.Random(42).shuffle(ordered)
        cursor.executemany(
            "INSERT INTO seed_author VALUES (%s, %s, %s)",
            [(i, author, organization) for i, (author, organization) in enumerate(ordered)],
        )
        cursor.execute(
            """
            CREATE TEMP TABLE seed ON COMMIT DROP AS
            SELECT g AS n,
                   floor(power(random(), 1.3) * %(provisions)s)::int AS pi,
                   floor(power(random(), 2.0) * %(authors)s)::int AS ai,
                   1 + floor(random() * 3)::int AS severity,
                   floor(random() * 6)::int AS position,
                   floor(random() * %(tags)s)::int AS t1,
                   1 + floor(random() * (%(tags)s - 1))::int AS a,
                   1 + floor(random() * (%(tags)s - 2))::int AS c,
                   CASE WHEN random() < 0.5 THEN 1 WHEN random() < 0.7 THEN 2 ELSE 3 END AS k,
                   random() < 0.1 AS anonymous,
                   random() < 0.05 AS endorsed
            FROM generate_series(1, %(annotations)s) g
            """,
            {
                "provisions": provisions,
                "authors": len(ordered),
                "tags": len(tags),
                "annotations": ANNOTATIONS,
            },
        )
        cursor.execute("SELECT COALESCE(max(id), 0) FROM annotations_annotation")
        (annotation_base,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(max(id), 0) FROM annotations_target")
        (target_base,) = cursor.fetchone()
        base = max(annotation_base, target_base)
        params |= {"base": base}
        cursor.execute(
            """
            INSERT INTO annotations_target (id, version_id, provision_id, provision_key, exact, prefix,
                                            suffix, start, "end", created_at)
            SELECT %(base)s + s.n, %(version)s, p.id, p.key, '', '', '', NULL, NULL, now()
            FROM seed s JOIN seed_provision p ON p.i = s.pi
            """,
            params,
        )
        cursor.execute(
            f"INSERT INTO annotations_annotation ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM seed s "
            "JOIN seed_provision p ON p.i = s.pi JOIN seed_author au ON au.i = s.ai",
            params,
        )
        # 1-3 distinct tags: t1, t1+a and t1+b (mod 12) with a, b in 1..11 and b != a.
        cursor.execute(
            """
            INSERT INTO annotations_annotation_tags (annotation_id, concerntag_id)
            SELECT %(base)s + n, (%(tags)s::bigint[])[t1 + 1] FROM seed
            UNION ALL
            SELECT %(base)s + n, (%(tags)s::bigint[])[(t1 + a) %% %(count)s + 1] FROM seed WHERE k >= 2
            UNION ALL
            SELECT %(base)s + n, (%(tags)s::bigint[])[(t1 + ((a - 1 + c) %% (%(count)s - 1)) + 1)
                                                    %% %(count)s + 1] FROM seed WHERE k >= 3
            """,
            {"base": base, "tags": tags, "count": len(tags)},
        )
        cursor.execute(
            """
            INSERT INTO annotations_endorsement (annotation_id, organization_id, endorsed_by_id, created_at)
            SELECT %(base)s + s.n, (%(organizations)s::bigint[])[1 + (s.n::bigint * 7919) %% %(count)s],
                   NULL, now()
            FROM seed s WHERE s.endorsed
            """,
            {"base": base, "organizations": [o.pk for o in organizations], "count": len(organizations)},
        )
        # Triggers are off for the load: the annotations' copies of their tags and endorsement
        # counts (read by the recompute) are set here, before the indexes are built again.
        heat_copies_fill()
        for table in ("annotations_annotation", "annotations_target"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        # And the sums the recompute reads, counted one provision at a time through those indexes
        # (statistics first: without them the planner took a fresh table for ten pages).
        cursor.execute("ANALYZE annotations_annotation")
        heat_sums_recount(version_id=version.pk)
    with connection.cursor() as cursor:
        # VACUUM as well: the fill above rewrote every annotation row, and an index-only scan
        # needs the pages marked all-visible (what autovacuum does after a bulk load).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM annotations_annotation),"
            " (SELECT count(*) FROM annotations_annotation_tags),"
            " (SELECT count(*) FROM annotations_endorsement)"
        )
        annotations, tag_rows, endorsements = cursor.fetchone()
    _say(
        f"seeded {annotations:,} annotations, {tag_rows:,} tag rows, {endorsements:,} endorsements "
        f"over {provisions} provisions in {_seconds(started):.1f} s"
    )


def _article(version: Any, report: dict[str, Any], clock: ServerClock) -> None:
    from django.db import connection

    from annotations.heat.aggregation import article_heat_refresh

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.label, count(*) FROM annotations_annotation a
            JOIN treaty_provision p ON p.id = a.article_id
            WHERE a.version_id = %s GROUP BY p.id, p.label ORDER BY count(*) DESC
            """,
            [version.pk],
        )
        articles = cursor.fetchall()
    largest, middle = articles[0], articles[len(articles) // 2]
    for (article_id, label, count), key in ((largest, "article_ms"), (middle, "article_middle_ms")):
        article_heat_refresh(version_id=version.pk, article_id=article_id)  # warm-up
        runs = [
            clock.time(lambda: article_heat_refresh(version_id=version.pk, article_id=article_id))  # noqa: B023
            for _ in range(5)
        ]
        walls = [wall * 1000 for wall, _cpu, _rows in runs]
        cpus = [cpu for _wall, cpu, _rows in runs if cpu is not None]
        report[key] = round(statistics.median(walls), 1)
        cpu_text = f"; {_cpu_text(statistics.median(cpus))} (median)" if cpus else ""
        _say(
            f"(a) recompute of {label} ({count:,} annotations, {runs[0][2]:,} heat rows): median "
            f"{statistics.median(walls):.1f} ms of 5 (min {min(walls):.1f}, max {max(walls):.1f}){cpu_text}"
        )
    report["article_annotations"] = largest[2]


# The hand-written queries the rebuild is compared with, run serially (an INSERT … SELECT, like the
# rebuild, never gets parallel workers on PostgreSQL):
# - the plain GROUP BY: every (article, provision, tag) cell with its count, distinct
#   organisations and score, and nothing else;
# - the same cells as the rebuild writes, written the obvious way in one statement: every segment
#   (everyone, organisation type, country), every level (provision, article, version) by GROUPING
#   SETS, COUNT(DISTINCT), endorsements and positions. Its rows must equal the stored heat.
HAND_WRITTEN = """
SELECT a.article_id, a.provision_id, t.concerntag_id, COUNT(*),
       COUNT(DISTINCT COALESCE('o' || a.organization_id, 'u' || a.author_id)), SUM(a.severity)
FROM annotations_annotation a JOIN annotations_annotation_tags t ON t.annotation_id = a.id
WHERE a.version_id = %s AND a.status = 'approved' AND a.deleted_at IS NULL
GROUP BY a.article_id, a.provision_id, t.concerntag_id
"""
_POSITION_FILTERS = ", ".join(
    f"COUNT(*) FILTER (WHERE position = '{p}')"
    for p in ("concern", "oppose", "amend", "delete", "clarify", "support")
)
SAME_OUTPUT = f"""
WITH rows AS (
    SELECT a.article_id, a.provision_id, t.concerntag_id AS tag_id, a.severity, a.position,
           -- An anonymous annotation: its author's own unit, in no type or country (issue 17).
           CASE WHEN a.attribution = 'anonymous' THEN 'x' || COALESCE('u' || a.author_id, 'a' || a.id)
                ELSE COALESCE('o' || a.organization_id, 'u' || a.author_id, 'a' || a.id) END AS who,
           (SELECT COUNT(*) FROM annotations_endorsement e WHERE e.annotation_id = a.id) AS endorsements,
           CASE WHEN a.attribution = 'anonymous' THEN NULL
                ELSE COALESCE(o.type, 'individual') END AS org_type,
           CASE WHEN a.attribution = 'anonymous' THEN '' ELSE COALESCE(o.country, '') END AS country
    FROM annotations_annotation a
    LEFT JOIN accounts_organization o ON o.id = a.organization_id
    CROSS JOIN LATERAL (
        SELECT concerntag_id FROM annotations_annotation_tags t WHERE t.annotation_id = a.id
        UNION ALL SELECT NULL
    ) t
    WHERE a.version_id = %s AND a.status = 'approved' AND a.deleted_at IS NULL
)
SELECT article_id, provision_id, tag_id, segment,  -- NULL where a grouping set leaves them out
       COUNT(*), COUNT(DISTINCT who), SUM(endorsements), SUM(severity), {_POSITION_FILTERS}
FROM rows CROSS JOIN LATERAL (
    VALUES (''), ('type:' || org_type), (CASE WHEN country <> '' THEN 'country:' || country END)
) s (segment)
WHERE segment IS NOT NULL
GROUP BY GROUPING SETS (
    (article_id, provision_id, tag_id, segment), (article_id, tag_id, segment), (tag_id, segment)
)
"""


def _rebuild(version: Any, report: dict[str, Any], clock: ServerClock) -> None:
    from django.db import connection

    from annotations.heat.aggregation import heat_rebuild
    from annotations.heat.queries import POSITIONS
    from annotations.models import Heat

    rebuild_s, rebuild_cpu, rows = clock.time(lambda: heat_rebuild(versions=[version]))
    _say(
        f"(b) full rebuild: {rebuild_s:.2f} s, {_cpu_text(rebuild_cpu)}, {rows:,} heat rows written "
        f"({len(set(Heat.objects.values_list('segment', flat=True))):,} segments)"
    )

    def run(sql: str) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SET jit = off")
            cursor.execute(sql, [version.pk])
            result = cursor.fetchall()
            cursor.execute("RESET max_parallel_workers_per_gather")
            cursor.execute("RESET jit")
        return result

    plain = [clock.time(lambda: run(HAND_WRITTEN)) for _ in range(3)]
    plain_s = statistics.median(wall for wall, _cpu, _rows in plain)
    plain_cpus = [cpu for _wall, cpu, _rows in plain if cpu is not None]
    plain_cpu = statistics.median(plain_cpus) if plain_cpus else None
    _say(
        f"    hand-written plain GROUP BY (article, provision, tag: count, distinct organisations, score): "
        f"{plain_s:.2f} s (median of 3), {_cpu_text(plain_cpu)}, {len(plain[0][2]):,} cells"
    )
    same_s, same_cpu, same_rows = clock.time(lambda: run(SAME_OUTPUT))
    _say(
        f"    hand-written GROUP BY of the same cells (segments, levels by GROUPING SETS, COUNT(DISTINCT)): "
        f"{same_s:.2f} s, {_cpu_text(same_cpu)}, {len(same_rows):,} rows"
    )
    fields = ["annotations", "organizations", "endorsements", "score", *(f"pos_{p}" for p in POSITIONS)]
    stored = {
        tuple(row)
        for row in Heat.objects.filter(version=version).values_list(
            "article_id", "provision_id", "tag_id", "segment", *fields
        )
    }
    same = stored == {tuple(int(v) if isinstance(v, Decimal) else v for v in row) for row in same_rows}
    _say(f"    the stored heat equals the hand-written query's rows: {'yes' if same else 'NO'}")
    if not same:
        report["errors"].append("the rebuilt heat differs from the hand-written query")
    report |= {
        "rebuild_s": round(rebuild_s, 2),
        "group_by_s": round(plain_s, 2),
        "same_output_s": round(same_s, 2),
        "rebuild_ratio": round(rebuild_s / plain_s, 2),
        "rebuild_ratio_same_output": round(rebuild_s / same_s, 2),
        "heat_rows": rows,
    }
    cpu_ratio = (
        f"; by server CPU {rebuild_cpu / plain_cpu:.2f}x and {rebuild_cpu / same_cpu:.2f}x"
        if rebuild_cpu and plain_cpu and same_cpu
        else ""
    )
    _say(
        f"    ratio rebuild / plain GROUP BY: {rebuild_s / plain_s:.2f}x; "
        f"rebuild / GROUP BY of the same cells: {rebuild_s / same_s:.2f}x{cpu_ratio}"
    )
    # The rebuild reads the sums the database keeps (HeatSums); --recount counts those again from
    # the annotations first, as after a bulk load with triggers off. No target: reported so that
    # the figure above is not mistaken for a pass over the annotations.
    recount_s, recount_cpu, _rows = clock.time(lambda: heat_rebuild(versions=[version], recount=True))
    report["rebuild_recount_s"] = round(recount_s, 2)
    _say(
        f"    rebuild_heatmaps --recount (the sums counted again from the annotations, then the rebuild): "
        f"{recount_s:.2f} s, {_cpu_text(recount_cpu)}, {recount_s / plain_s:.2f}x the plain GROUP BY"
    )


def _api(*, runs: int, path: str = "/api/v1/treaties/budapest-convention/heatmap/") -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    # The first answer is built from the rows; later ones come from the cache (annotations/heat/api.py).
    with CaptureQueriesContext(connection) as built:
        response = client.get(path)
    built_count = len(built)  # now: the log is reset by later requests
    assert response.status_code == 200, (path, response.status_code)
    for _ in range(4):
        response = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    query_count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        assert response.content
        timings.append(_seconds(started) * 1000)
    ordered = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "queries": query_count,
        "queries_built": built_count,
        "bytes": len(response.content),
    }


def _writes(version: Any, report: dict[str, Any], cache_name: str) -> None:
    """1,000 annotations on one article through the service, as fast as one process can write."""
    from django.core.cache import cache
    from django.utils import timezone

    from accounts.models import Membership, Organization, User
    from annotations.heat import scheduling
    from annotations.heat import tasks as heat_tasks
    from annotations.services import annotation_create
    from treaty.models import Provision

    author = User.objects.create(email="bench-writer@example.org", display_name="Bench writer", password="!")
    User.objects.filter(pk=author.pk).update(email_verified_at=timezone.now())
    author.refresh_from_db()
    organization = Organization.objects.create(
        name="Bench writers", slug="bench-writers", type="ngo", country="KE"
    )
    Membership.objects.create(user=author, organization=organization)
    article = Provision.objects.get(version=version, key="art-19")
    keys = list(Provision.objects.filter(article=article).values_list("key", flat=True))
    tags = ["privacy", "surveillance-powers", "procedural-safeguards", "data-protection"]
    cache.delete_many([f"heat-scheduled:{version.pk}:{article.pk}"])

    # Count what the scheduling sends: the bench's own wrapper (no worker runs here, so nothing is
    # published; a published task would only repeat the recompute the reconcile does anyway).
    sent: list[tuple[Any, ...]] = []

    def counting_send_task(task: Any, *args: Any, countdown: float | None = None) -> bool:
        sent.append((task.name, args, countdown, time.perf_counter()))
        return True

    original = heat_tasks.send_task
    heat_tasks.send_task = counting_send_task  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        for n in range(WRITES):
            annotation_create(
                author=author,
                version=version,
                provision_key=keys[n % len(keys)],
                tags=[tags[n % len(tags)], tags[(n + 1) % len(tags)]][: 1 + n % 2],
                severity=1 + n % 3,
                position=("oppose", "amend", "concern")[n % 3],
                body=f"Bench write number {n}: the safeguards of this article are not enough.",
                proposed_text="Better words." if n % 3 == 1 else "",
            )
        writes_s = _seconds(started)
    finally:
        heat_tasks.send_task = original  # type: ignore[assignment]
    gaps = [round(b[3] - a[3], 2) for a, b in pairwise(sent)]
    report |= {"sends": len(sent), "writes_s": round(writes_s, 2)}
    _say(
        f"(d) {WRITES} writes to {article.label} in {writes_s:.1f} s ({WRITES / writes_s:.0f}/s) with the "
        f"{cache_name}: {len(sent)} recompute(s) scheduled (countdown {scheduling.COALESCE_SECONDS} s; "
        f"seconds between them: {gaps})"
    )
    cache.delete_many([f"heat-scheduled:{version.pk}:{article.pk}"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        measure()
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        failures = run()
        for failure in failures:
            print(f"  - {failure}")
        sys.exit(1 if failures else 0)

"""Server time and query counts of the reading pages, on the database DATABASE_URL names.

Started by bench/run.py once per database, in a fresh process so the settings read that
environment. It migrates the (empty) database, imports the bundled Budapest Convention and a
synthetic treaty ten times its size, times each page through Django's test client (in-process:
no network, no browser, just the server's work) and prints one JSON object on its last line.
"""

from __future__ import annotations

import io
import json
import math
import os
import statistics
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
# The bench times each page 60 times from one address: the search page's own throttle (30 a minute
# per reader, issue 14) would answer 429 to most of them.
os.environ.setdefault("THROTTLE_SEARCH", "100000/minute")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from config.celery import app as celery_app  # noqa: E402
from treaty.importers.tree import Document, Node, finalize  # noqa: E402
from treaty.models import Provision  # noqa: E402
from treaty.services import version_import  # noqa: E402

Kind = Provision.Kind
BUDAPEST_MD = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
BUDAPEST = "/treaties/budapest-convention/"
SYNTHETIC = "/treaties/synthetic-10x/"
SCALE = 10  # the synthetic treaty has this many times Budapest's 48 articles


@dataclass
class Measure:
    treaty: str
    page: str
    path: str
    status: int
    queries: int
    min_ms: float  # the least disturbed run: a hint of the cost on a quiet machine
    median_ms: float
    p95_ms: float
    runs: int


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "60"))
    warmup = int(os.environ.get("BENCH_WARMUP", "5"))
    assert not settings.DEBUG, "benchmarks need DEBUG off (templates cached, no query log)"
    result: dict[str, object] = {
        "vendor": connection.vendor,
        "database": str(settings.DATABASES["default"]["NAME"]),
        "runs": runs,
    }
    imports, errors = prepare_database()
    client = Client()
    if profile_paths := os.environ.get("BENCH_PROFILE", "").split():
        profile(client, profile_paths, runs=runs, warmup=warmup)
        return

    measures: list[Measure] = []
    if "budapest" in imports:
        measures += measure_treaty(client, "budapest", BUDAPEST, last_article=48, runs=runs, warmup=warmup)
    measures += measure_treaty(
        client, "synthetic", SYNTHETIC, last_article=48 * SCALE, runs=runs, warmup=warmup
    )
    result["errors"] = errors
    result["imports"] = {name: round(seconds, 3) for name, seconds in imports.items()}
    result["provisions"] = {
        slug: Provision.objects.filter(version__treaty__slug=slug).count()
        for slug in ("budapest-convention", "synthetic-10x")
    }
    result["measures"] = [asdict(m) for m in measures]
    print(json.dumps(result))


def prepare_database() -> tuple[dict[str, float], list[str]]:
    """Migrate the empty database, import Budapest through the real command and the synthetic treaty.

    Returns the import times in seconds, and the errors (a failed Budapest import is reported,
    never replaced by some other text)."""
    # No worker runs here: do the import's follow-up work (statistics) inline, as the tests do.
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    imports: dict[str, float] = {}
    errors: list[str] = []
    started = time.perf_counter()
    try:
        call_command(
            "import_treaty",
            str(BUDAPEST_MD),
            "--slug",
            "budapest-convention",
            "--version",
            "ETS No. 185",
            "--title",
            "Convention on Cybercrime",
            stdout=io.StringIO(),
        )
    except Exception as error:
        errors.append(
            f"Budapest import failed: {type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"
        )
    else:
        imports["budapest"] = time.perf_counter() - started
    document = synthetic_document(articles=48 * SCALE)
    started = time.perf_counter()
    version_import(treaty_slug="synthetic-10x", label="SYN/10x", document=document, source_format="synthetic")
    imports["synthetic"] = time.perf_counter() - started
    # Measure the steady state. Right after an import PostgreSQL has no statistics for the new rows
    # (autovacuum analyzes them within a minute or so); until then the planner guesses a handful of
    # rows per version and never picks the full-text index.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return imports, errors


def profile(client: Client, paths: list[str], *, runs: int, warmup: int) -> None:
    """Print where the server time of each page goes (pyinstrument if installed, else cProfile)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    for path in paths:
        for _ in range(warmup):
            client.get(path)
        print(f"\n### {connection.vendor} {path}: {runs} requests")
        if Profiler is not None:
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(runs):
                    client.get(path)
            print(profiler.output_text(unicode=True, color=False))
        else:
            import cProfile
            import pstats

            with cProfile.Profile() as cprofile:
                for _ in range(runs):
                    client.get(path)
            pstats.Stats(cprofile).sort_stats("cumulative").print_stats(40)


def measure_treaty(
    client: Client, name: str, base: str, *, last_article: int, runs: int, warmup: int
) -> list[Measure]:
    pages = [
        ("treaty", base),
        ("article 6", f"{base}articles/6/"),
        ("article 19", f"{base}articles/19/"),
        (f"article {last_article} (last)", f"{base}articles/{last_article}/"),
        ("search interception", f"{base}search/?q=interception"),
        ("search computer data", f"{base}search/?q=computer+data"),
    ]
    return [measure_page(client, name, page, path, runs=runs, warmup=warmup) for page, path in pages]


def measure_page(client: Client, treaty: str, page: str, path: str, *, runs: int, warmup: int) -> Measure:
    for _ in range(warmup):
        response = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Count now: the captured list is a slice of connection.queries_log, which the next request clears.
    query_count = len(queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        # Rendering is lazy only for streaming responses; touch the body so it is counted.
        assert response.content
    return Measure(
        treaty=treaty,
        page=page,
        path=path,
        status=response.status_code,
        queries=query_count,
        min_ms=round(min(timings), 2),
        median_ms=round(statistics.median(timings), 2),
        p95_ms=round(nearest_rank(timings, 95), 2),
        runs=runs,
    )


def nearest_rank(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


# --- A synthetic treaty, for query-count constancy -------------------------------------------------


def synthetic_document(*, articles: int) -> Document:
    """Chapters of sections of articles, each article shaped like a long Budapest one
    (lead-in, paragraphs, subparagraphs, items, a closing line). The words are generated filler,
    deliberately not treaty wording; a few carry the searched words so searches find many hits."""
    line = iter(range(1, 1_000_000))

    def filler(where: str, n: int) -> str:
        topic = ("computer data", "interception", "placeholder matter")[n % 3]
        return f"Synthetic benchmark filler for {where}, about {topic}; generated text, not from any treaty."

    def article(n: int) -> Node:
        where = f"article {n}"
        paragraphs = [Node(Kind.PARAGRAPH, next(line), "1", "1.", text=filler(f"{where} paragraph 1", n))]
        items = [
            Node(Kind.ITEM, next(line), "i", "(i)", text=filler(f"{where} item i", n + 1)),
            Node(Kind.ITEM, next(line), "ii", "(ii)", text=filler(f"{where} item ii", n + 2)),
            Node(Kind.TEXT, next(line), text=filler(f"{where} closing words", n)),
        ]
        subparagraphs = [
            Node(Kind.SUBPARAGRAPH, next(line), "a", "a)", text=filler(f"{where} point a", n)),
            Node(
                Kind.SUBPARAGRAPH,
                next(line),
                "b",
                "b)",
                text=filler(f"{where} point b", n + 1),
                children=items,
            ),
            Node(Kind.SUBPARAGRAPH, next(line), "c", "c)", text=filler(f"{where} point c", n + 2)),
        ]
        paragraphs.append(
            Node(
                Kind.PARAGRAPH,
                next(line),
                "2",
                "2.",
                text=filler(f"{where} paragraph 2", n + 1),
                children=subparagraphs,
            )
        )
        paragraphs.append(
            Node(Kind.PARAGRAPH, next(line), "3", "3.", text=filler(f"{where} paragraph 3", n + 2))
        )
        return Node(
            Kind.ARTICLE,
            next(line),
            str(n),
            f"Article {n}",
            f"Synthetic heading {n}",
            "",
            children=paragraphs,
        )

    preamble = Node(
        Kind.PREAMBLE,
        next(line),
        heading="Preamble",
        children=[Node(Kind.RECITAL, next(line), text=filler(f"recital {r}", r)) for r in range(1, 16)],
    )
    chapters = []
    number = 1
    per_section, sections_per_chapter = 8, 3
    chapter_number = 1
    while number <= articles:
        sections = []
        for section_number in range(1, sections_per_chapter + 1):
            if number > articles:
                break
            members = []
            for _ in range(per_section):
                if number > articles:
                    break
                members.append(article(number))
                number += 1
            sections.append(
                Node(
                    Kind.SECTION,
                    next(line),
                    str(section_number),
                    str(section_number),
                    "Synthetic section",
                    children=members,
                )
            )
        chapters.append(
            Node(
                Kind.CHAPTER,
                next(line),
                str(chapter_number),
                str(chapter_number),
                "Synthetic chapter",
                children=sections,
            )
        )
        chapter_number += 1
    closing = Node(Kind.TEXT, next(line), text="SYNTHETIC CLOSING FORMULA (benchmark filler).")
    return finalize(Document(nodes=[preamble, *chapters, closing], title="Synthetic 10x treaty (benchmark)"))


if __name__ == "__main__":
    main()

"""Grouping near-identical comments (annotations.campaigns) on PostgreSQL, against a known truth.

    .venv/bin/python bench/campaigns.py [--size 1000000] [--letters 200]

A fresh database with the Budapest Convention and SIZE comments on it: half are variants of
LETTERS form letters (a few words replaced, a sentence inserted, a sentence dropped, the
signature changed, some sentences reordered), half are unique comments written from the same
vocabulary. Some comments of both halves quote a paragraph of the treaty verbatim, which must
not make them one group. Measured:

  - full grouping (`manage.py rebuild_groups` in a child process): its time and peak memory;
  - precision and recall of the groups against the generator's truth, over pairs of comments;
  - grouping one new comment incrementally (annotations.campaigns.grouping), median of 200.

Targets (issue 19): full grouping <= 10 min and <= 1 GB, precision and recall >= 0.95, one
comment <= 50 ms median. Exit status 1 when a target is missed. `make bench` runs it at the
full size; the load average is printed, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from math import comb
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "marginalia_bench_campaigns"
RESULT = "RESULT "
TARGETS = {"rebuild_s": 600.0, "peak_mb": 1024.0, "precision": 0.95, "recall": 0.95, "one_ms": 50.0}
INCREMENTAL_RUNS = 200


def run(size: int = 1_000_000, letters: int = 200, database: str = DATABASE) -> list[str]:
    """Measure on PostgreSQL, print the figures, return the targets missed."""
    import psycopg

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    title = f"Campaign groups: {size:,} comments, half variants of {letters} form letters (PostgreSQL)"
    print()
    print(title)
    print("=" * len(title))
    print(f"{os.cpu_count()} CPUs, load average {load}", flush=True)
    try:
        admin = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        print(f"Campaign groups: SKIPPED, {POSTGRES_SERVER} is unreachable ({str(error).strip()})")
        return []
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
        try:
            report = _child(f"{POSTGRES_SERVER}/{database}", ["--measure", str(size), str(letters)])
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average afterwards {load}")
    return _verdicts(report)


def _child(database_url: str, arguments: list[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "VAR_DIR": str(REPO_ROOT / "var" / "bench"),
    }
    env.pop("REDIS_URL", None)  # nothing from here reaches a shared queue
    report: dict[str, Any] = {"errors": []}
    with subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *arguments],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(RESULT):
                report = json.loads(line[len(RESULT) :])
            else:
                print(line, end="", flush=True)
    if child.returncode != 0:
        report.setdefault("errors", []).append(f"bench/campaigns.py failed (exit {child.returncode})")
    return report


def _verdicts(report: dict[str, Any]) -> list[str]:
    failures = [f"campaigns: {error}" for error in report.get("errors", [])]
    for key, what, unit, higher_is_better in (
        ("rebuild_s", "full grouping", "s", False),
        ("peak_mb", "full grouping, peak memory", "MB", False),
        ("precision", "precision (pairs)", "", True),
        ("recall", "recall (pairs)", "", True),
        ("one_ms", "one new comment, median", "ms", False),
    ):
        if key not in report:
            continue
        value, limit = report[key], TARGETS[key]
        ok = value >= limit if higher_is_better else value <= limit
        sign = ">=" if higher_is_better else "<="
        print(
            f"  {what:<32} {value:>10.3f} {unit:<3} target {sign} {limit:g} {unit}: "
            + ("ok" if ok else "MISSED")
        )
        if not ok:
            failures.append(f"campaigns: {what} {value:.3f} {unit} (target {sign} {limit:g})")
    return failures


# --- The generator ---------------------------------------------------------------------------


class Generator:
    """Comments with a known truth: the letter each one copies, or -1 for a unique comment."""

    def __init__(self, letters: int, treaty_paragraphs: list[str], seed: int = 19) -> None:
        self.random = random.Random(seed)
        syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
        self.words = sorted(
            {"".join(self.random.sample(syllables, self.random.randint(1, 4))) for _ in range(20_000)}
        )
        # Zipf-like use of the vocabulary: unique comments share their common words, as real ones do.
        weights = [1 / (rank + 10) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))
        self.treaty = [p for p in treaty_paragraphs if len(p.split()) >= 12]
        self.letters = [[self.sentence() for _ in range(self.random.randint(5, 9))] for _ in range(letters)]

    def sentence(self) -> str:
        words = self.random.choices(self.words, cum_weights=self.cumulative, k=self.random.randint(8, 16))
        return " ".join(words).capitalize() + "."

    def variant(self, letter: int) -> str:
        sentences = list(self.letters[letter])
        chance = self.random.random
        for _ in range(self.random.randint(0, 3)):  # words replaced
            index = self.random.randrange(len(sentences))
            words = sentences[index].split()
            words[self.random.randrange(len(words))] = self.random.choice(self.words)
            sentences[index] = " ".join(words)
        if chance() < 0.5:  # a sentence of one's own inserted
            sentences.insert(self.random.randrange(len(sentences) + 1), self.sentence())
        if chance() < 0.2:  # one dropped
            sentences.pop(self.random.randrange(len(sentences)))
        if chance() < 0.2:  # two swapped
            a, b = self.random.randrange(len(sentences)), self.random.randrange(len(sentences))
            sentences[a], sentences[b] = sentences[b], sentences[a]
        return self._signed(self._maybe_quoting(" ".join(sentences)))

    def unique(self) -> str:
        body = " ".join(self.sentence() for _ in range(self.random.randint(3, 8)))
        return self._signed(self._maybe_quoting(body))

    def _maybe_quoting(self, body: str) -> str:
        if self.treaty and self.random.random() < 0.1:
            return f"“{self.random.choice(self.treaty)}” {body}"
        return body

    def _signed(self, body: str) -> str:
        if self.random.random() < 0.7:
            name = (
                f"{self.random.choice(self.words).capitalize()} {self.random.choice(self.words).capitalize()}"
            )
            return f"{body}\n\n{self.random.choice(['Regards', 'Sincerely', 'Best'])},\n{name}"
        return body

    def comments(self, size: int) -> Any:
        for n in range(size):
            if n % 2 == 0:
                letter = self.random.randrange(len(self.letters))
                yield self.variant(letter), letter
            else:
                yield self.unique(), -1


# --- The measuring side (a child process with DATABASE_URL set) ------------------------------


def _say(message: str) -> None:
    print(f"  {message}", flush=True)


def measure(size: int, letters: int) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app as celery_app

    assert connection.vendor == "postgresql", "bench/campaigns.py measures PostgreSQL only"
    celery_app.conf.task_always_eager = True
    call_command("migrate", verbosity=0, interactive=False)
    call_command(
        "import_treaty",
        str(REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"),
        "--slug",
        "budapest-convention",
        "--version",
        "ETS No. 185",
        stdout=io.StringIO(),
    )
    from treaty.models import DraftVersion, Provision

    version = DraftVersion.objects.get(treaty__slug="budapest-convention")
    paragraphs = list(
        Provision.objects.filter(version=version).exclude(text="").values_list("text", flat=True)
    )
    generator = Generator(letters, paragraphs)
    report: dict[str, Any] = {"size": size, "letters": letters, "errors": []}
    started = time.perf_counter()
    truth = _seed(version, generator, size)
    _say(f"seeded {size:,} comments in {time.perf_counter() - started:.0f} s")

    # The full grouping, in a process of its own so that its peak memory is its own.
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "manage.py", "rebuild_groups", "--no-progress"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report["rebuild_s"] = round(time.perf_counter() - started, 1)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report["peak_mb"] = round(usage.ru_maxrss / 1024, 1)
    # CPU seconds beside the wall time: on a shared machine the wall time says how loaded it was.
    report["rebuild_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    if child.returncode != 0:
        report["errors"].append("rebuild_groups failed: " + child.stderr[-2000:])
    _say(child.stdout.strip())
    _say(
        f"full grouping: {report['rebuild_s']} s ({report['rebuild_cpu_s']} s of CPU), "
        f"peak memory {report['peak_mb']} MB, load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    report |= _precision_recall(truth)
    _say(f"precision {report['precision']:.4f}, recall {report['recall']:.4f} (over pairs of comments)")
    report["one_ms"] = _incremental(version, generator)
    _say(f"one new comment grouped incrementally: median {report['one_ms']:.1f} ms over {INCREMENTAL_RUNS}")
    print(RESULT + json.dumps(report), flush=True)


def _seed(version: Any, generator: Generator, size: int) -> dict[int, int]:
    """The comments, by COPY; returns annotation id → letter (-1: unique)."""
    from django.db import connection, transaction

    from accounts.models import User
    from treaty.models import Provision

    authors = [
        user.pk
        for user in User.objects.bulk_create(
            User(email=f"bench{n}@example.org", display_name=f"Bench {n}", password="!") for n in range(2_000)
        )
    ]
    provisions = list(
        Provision.objects.filter(version=version, article_id__isnull=False).values_list(
            "pk", "key", "article_id"
        )
    )
    truth: dict[int, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM annotations_target")
        (base,) = cursor.fetchone()
        with cursor.copy(
            "COPY annotations_target (id, version_id, provision_id, provision_key, exact, prefix, suffix, "
            "created_at) FROM STDIN"
        ) as copy:
            for n in range(1, size + 1):
                provision = provisions[n % len(provisions)]
                copy.write_row(
                    (base + n, version.pk, provision[0], provision[1], "", "", "", "2026-01-01T00:00:00Z")
                )
        with cursor.copy(
            "COPY annotations_annotation (id, author_id, target_id, version_id, provision_id, article_id, "
            "severity, position, body, proposed_text, attribution, status, featured, moderator_note, "
            "rejection_reason, created_at, updated_at) FROM STDIN"
        ) as copy:
            for n, (body, letter) in enumerate(generator.comments(size), start=1):
                provision = provisions[n % len(provisions)]
                copy.write_row(
                    (
                        base + n,
                        authors[n % len(authors)],
                        base + n,
                        version.pk,
                        provision[0],
                        provision[2],
                        2,
                        "concern",
                        body,
                        "",
                        "person",
                        "approved",
                        False,
                        "",
                        "",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                    )
                )
                truth[base + n] = letter
                if n % 100_000 == 0:
                    _say(f"seeding: {n:,}")
        for table in ("annotations_annotation", "annotations_target"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return truth


def _precision_recall(truth: dict[int, int]) -> dict[str, float]:
    """Over pairs of comments: a pair is true when both copy one letter, found when both are in
    one group. Counted from the (group, letter) table, not pair by pair."""
    from collections import Counter

    from annotations.campaigns.models import CampaignMember

    group_of = dict(
        CampaignMember.objects.values_list("annotation_id", "group_id").iterator(chunk_size=50_000)
    )
    cells: Counter[tuple[int, int]] = Counter()
    group_sizes: Counter[int] = Counter()
    letter_sizes: Counter[int] = Counter()
    for annotation_id, letter in truth.items():
        group = group_of.get(annotation_id)
        if letter >= 0:
            letter_sizes[letter] += 1
        if group is not None:
            group_sizes[group] += 1
            if letter >= 0:
                cells[(group, letter)] += 1
    both = sum(comb(n, 2) for n in cells.values())
    found = sum(comb(n, 2) for n in group_sizes.values())
    true = sum(comb(n, 2) for n in letter_sizes.values())
    return {
        "precision": both / found if found else 1.0,
        "recall": both / true if true else 1.0,
        "groups": len(group_sizes),
    }


def _incremental(version: Any, generator: Generator) -> float:
    """Median time of grouping one new comment (a variant or a unique one, in turn)."""
    from annotations.campaigns.grouping import annotation_regroup
    from annotations.models import Annotation, Target

    template = Annotation.objects.filter(version=version).order_by("-id").first()
    assert template is not None
    times = []
    for n in range(INCREMENTAL_RUNS):
        body = generator.variant(n % len(generator.letters)) if n % 2 == 0 else generator.unique()
        target = Target.objects.create(
            version=version, provision_id=template.provision_id, provision_key=template.target.provision_key
        )
        annotation = Annotation.objects.create(
            author_id=template.author_id,
            target=target,
            version=version,
            provision_id=template.provision_id,
            article_id=template.article_id,
            severity=2,
            position="concern",
            body=body,
            attribution="person",
        )
        started = time.perf_counter()
        annotation_regroup(annotation.pk)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        measure(int(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="comments (default 1,000,000)")
    parser.add_argument("--letters", type=int, default=200, help="form letters (default 200)")
    parser.add_argument("--database", default=DATABASE, help=f"scratch database (default {DATABASE})")
    options = parser.parse_args()
    failures = run(options.size, options.letters, options.database)
    for failure in failures:
        print(f"MISSED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

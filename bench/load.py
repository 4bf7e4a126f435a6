"""`make load`: a load test with locust (headless, bounded, loopback only), issue 18.

Starts the site on private services as bench/drill.py does (DEBUG off, gunicorn with 3 workers,
a private PostgreSQL cluster and Redis on free ports, a Celery worker and beat), then runs locust
three times against it:

  bare      a Django view that returns a constant, same server, settings and middleware
            (bench/load_settings.py): the ceiling, as many requests as it can answer
  article   the anonymous article page alone, the same way: its ratio to the bare view
  mixed     readers (anonymous: article pages, the annotation list, the heatmap, the treaty page,
            one request a second each) and annotators (one POST a second each, with API tokens)

and prints requests/s, p50/p95/p99 and errors per kind of request, and how many acknowledged
annotations (201) are found in the database afterwards. The load generator shares the machine's
cores with the server: the load average is printed with the figures.

    .venv/bin/python bench/load.py [--readers 50] [--annotators 20] [--seconds 45]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from services import (  # bench/services.py, beside this file
    PYTHON,
    REPO_ROOT,
    PrivatePostgres,
    PrivateRedis,
    Process,
    celery_beat,
    celery_worker,
    free_port,
    manage,
    site_env,
    wait_for_port,
)

TREATY_FILE = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
SLUG = "budapest-convention"
PASSWORD = "load test password, not a secret"
LOCUSTFILE = REPO_ROOT / "bench" / "locustfile.py"
CAPACITY_USERS = 8  # concurrent clients with no wait for the capacity phases (3 gunicorn workers)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--annotators", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=45, help="length of the mixed phase")
    parser.add_argument("--capacity-seconds", type=int, default=20)
    options = parser.parse_args()
    for why in (PrivatePostgres.available(), PrivateRedis.available()):
        if why:
            print(f"load: cannot run: {why}", file=sys.stderr)
            return 2
    if shutil.which("locust", path=str(Path(PYTHON).parent)) is None:
        print("load: locust is not installed (requirements-dev.txt)", file=sys.stderr)
        return 2

    root = Path(tempfile.mkdtemp(prefix="marginalia-load-"))
    root.chmod(0o755)
    out = REPO_ROOT / "var" / "load"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    postgres, redis = PrivatePostgres(root / "pg"), PrivateRedis(out)
    processes: list[Process] = []
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)

    try:
        say(f"private PostgreSQL on port {postgres.port}, Redis on port {redis.port}")
        postgres.init()
        with psycopg.connect(postgres.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE marginalia_load")
        redis.start()
        env = site_env(
            database_url=postgres.url("marginalia_load"), redis_url=redis.url(0), var_dir=out / "var"
        )
        say("migrate, collectstatic, import the bundled treaty, create annotators")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "import_treaty", str(TREATY_FILE), "--slug", SLUG, "--version", "ETS No. 185")
        emails = [f"load-annotator-{i}@example.org" for i in range(options.annotators)]
        script = (
            "from django.core.management import call_command\n"
            f"for i, email in enumerate({emails!r}):\n"
            f"    call_command('add_user', email, password={PASSWORD!r},\n"
            "                 organization=f'Load organisation {i}')\n"
        )
        manage(env, "shell", "-c", script)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web_env = {**env, "DJANGO_SETTINGS_MODULE": "load_settings"}
        web = Process(
            "web",
            [
                PYTHON, "-m", "gunicorn", "config.wsgi:application", "--pythonpath", str(REPO_ROOT / "bench"),
                "--bind", f"127.0.0.1:{port}", "--workers", "3", "--timeout", "30",
            ],
            web_env,
            out,
        )  # fmt: skip
        processes.append(web)
        web.start()
        wait_for_port(port, 60, "gunicorn")
        for process in (celery_worker(env, out), celery_beat(env, out, out / "var")):
            processes.append(process)
            process.start()
        tokens = []
        for email in emails:
            response = requests.post(
                f"{base}/api/v1/auth/token/",
                json={"email": email, "password": PASSWORD, "name": "load"},
                timeout=30,
            )
            response.raise_for_status()
            tokens.append(response.json()["token"])
        for warm in ("/bench/bare/", f"/treaties/{SLUG}/articles/2/", f"/api/v1/annotations/?treaty={SLUG}"):
            requests.get(base + warm, timeout=30).raise_for_status()

        ack_file = out / "acknowledged.txt"
        locust_env = {
            **os.environ,
            "LOAD_TOKENS": ",".join(tokens),
            "LOAD_ACK_FILE": str(ack_file),
            "LOAD_SLUG": SLUG,
            "LOAD_ANNOTATORS": str(options.annotators),
        }

        def locust(name: str, users: int, seconds: int, *classes: str) -> tuple[list[dict[str, str]], str]:
            say(f"locust: {name} ({users} users, {seconds} s: {', '.join(classes)})")
            load_before = os.getloadavg()[0]
            subprocess.run(
                [
                    str(Path(PYTHON).parent / "locust"), "-f", str(LOCUSTFILE), "--headless",
                    "--host", base, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
                    "--csv", str(out / name), "--only-summary", "--loglevel", "WARNING",
                    "--stop-timeout", "10", *classes,
                ],
                env=locust_env,
                cwd=REPO_ROOT,
                timeout=seconds + 120,
                stdout=(out / f"locust-{name}.log").open("w"),
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            load = f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
            with (out / f"{name}_stats.csv").open() as stats:
                return list(csv.DictReader(stats)), load

        bare, bare_load = locust("bare", CAPACITY_USERS, options.capacity_seconds, "BareView")
        article, article_load = locust("article", CAPACITY_USERS, options.capacity_seconds, "ArticlePageOnly")
        mixed, mixed_load = locust(
            "mixed", options.readers + options.annotators, options.seconds, "Reader", "Annotator"
        )
        time.sleep(2)
        acknowledged = [int(line) for line in ack_file.read_text().split()] if ack_file.exists() else []
        with psycopg.connect(postgres.url("marginalia_load")) as conn:
            row = conn.execute(
                "SELECT count(*) FROM annotations_annotation WHERE id = ANY(%s)", (acknowledged,)
            )
            found = int(row.fetchone()[0])  # type: ignore[index]

        print()
        print(
            f"Load test on loopback, {os.cpu_count()} cores shared by the server and locust; "
            "gunicorn 3 workers,"
        )
        print("DEBUG off, PostgreSQL (private cluster) + Redis, Celery worker + beat.")
        _table(
            "Capacity (no think time, 8 clients)", bare + article, [bare_load, article_load], aggregated=False
        )
        bare_rps = _aggregate_rps(bare)
        article_rps = _aggregate_rps(article)
        if bare_rps:
            print(
                f"  article page / bare view: {article_rps:.1f} / {bare_rps:.1f} req/s "
                f"= {article_rps / bare_rps:.2f}"
            )
        _table(
            f"Mixed: {options.readers} readers (1 request/s each), "
            f"{options.annotators} annotators (1 POST/s each), "
            f"{options.seconds} s",
            mixed,
            [mixed_load],
        )
        print(f"  acknowledged annotations (201): {len(acknowledged)}, found in the database: {found}")
        return 0 if found == len(acknowledged) else 1
    finally:
        for process in reversed(processes):
            process.stop()
        redis.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def _aggregate_rps(rows: list[dict[str, str]]) -> float:
    return next((float(r["Requests/s"]) for r in rows if r["Name"] == "Aggregated"), 0.0)


def _table(title: str, rows: list[dict[str, str]], loads: list[str], aggregated: bool = True) -> None:
    print()
    print(f"{title}  ({'; '.join(loads)})")
    print(
        f"  {'request':<36} {'count':>6} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    for r in rows:
        if r["Name"] == "Aggregated" and not aggregated:
            continue
        print(
            f"  {r['Name']:<36} {r['Request Count']:>6} {r['Failure Count']:>6} "
            f"{float(r['Requests/s']):>7.1f} "
            f"{r['50%']:>7} {r['95%']:>7} {r['99%']:>7}"
        )


if __name__ == "__main__":
    sys.exit(main())

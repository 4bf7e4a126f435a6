"""The article page in each interface language (issue 16): server time and weight against English.

    .venv/bin/python bench/interface_languages.py [--runs 60]

A fresh SQLite database under var/bench-interface-languages/, the bundled Budapest Convention imported, then
the same article page read through Django's test client (in-process: the server's work only)
with the language cookie set to each of the six languages. Prints the median time, the HTML
weight (raw and gzipped) and the ratio to English; exit status 1 when Arabic or Chinese is more
than 10 % slower, or heavier over the wire (gzipped), than English. (Raw bytes are reported too:
Arabic letters take two bytes in UTF-8, Chinese three, so the raw page grows with the chrome.)
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var" / "bench-interface-languages"
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
os.environ["VAR_DIR"] = str(VAR_DIR)
os.environ.pop("DATABASE_URL", None)  # the SQLite file under VAR_DIR

PAGE = "/treaties/budapest-convention/articles/3/"
LANGUAGES = ["en", "ar", "zh-hans", "fr", "ru", "es"]
TOLERANCE = 1.10


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    runs = parser.parse_args().runs
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
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
    results = {}
    for code in LANGUAGES:
        client = Client()
        client.cookies["django_language"] = code
        client.get(PAGE)  # warm the template and catalogue caches
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(PAGE)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (code, response.status_code)
        body = response.content
        results[code] = (statistics.median(times), len(body), len(gzip.compress(body)))
    english = results["en"]
    print(f"{'language':<9} {'median ms':>9} {'bytes':>7} {'gzip':>6}  time/en  bytes/en  gzip/en")
    missed = False
    for code, (median_ms, raw, packed) in results.items():
        ratios = (median_ms / english[0], raw / english[1], packed / english[2])
        figures = f"{median_ms:9.2f} {raw:7d} {packed:6d}"
        print(f"{code:<9} {figures}  {ratios[0]:7.2f}  {ratios[1]:8.2f}  {ratios[2]:7.2f}")
        if code in ("ar", "zh-hans") and (ratios[0] > TOLERANCE or ratios[2] > TOLERANCE):
            missed = True
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

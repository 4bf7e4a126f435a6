import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from annotations.heat.aggregation import heat_rebuild
from treaty.models import DraftVersion


class Command(BaseCommand):
    help = "Recompute every heat row from the annotations (all treaties, or one)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--treaty", help="treaty slug (default: every treaty)")
        parser.add_argument(
            "--recount",
            action="store_true",
            help="first count the per-organisation sums again from the annotations (PostgreSQL keeps them "
            "with triggers; needed only after a bulk load that turned triggers off). Annotation writes wait "
            "meanwhile.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        versions = DraftVersion.objects.select_related("treaty").order_by("treaty__slug", "label", "language")
        if options["treaty"]:
            versions = versions.filter(treaty__slug=options["treaty"])
            if not versions.exists():
                raise CommandError(f"No treaty {options['treaty']!r}; nothing was rebuilt.")
        started = time.monotonic()
        rows = heat_rebuild(versions=list(versions), recount=options["recount"], progress=self._progress)
        self.stdout.write("")
        elapsed = time.monotonic() - started
        count = versions.count()
        summary = (
            f"Rebuilt {rows:,} heat rows for {count} version{'s' if count != 1 else ''} in {elapsed:.1f} s."
        )
        self.stdout.write(self.style.SUCCESS(summary))

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        # A progress bar on a terminal; one line per tenth in logs.
        if self.stdout.isatty():
            self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
            self.stdout.flush()
        elif total and (done == total or done % max(1, total // 10) == 0):
            self.stdout.write(f"[{bar}] {done}/{total}")

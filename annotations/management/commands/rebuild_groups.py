import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from annotations.campaigns.rebuild import groups_rebuild

_STAGES = {
    "signatures": "Signing comments",
    "candidates": "Comparing LSH bands",
    "store": "Writing groups",
}


class Command(BaseCommand):
    help = (
        "Group every comment again (near-identical comments per draft). "
        "Running it twice gives the same groups."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="print the summary only")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        # stderr: the bar redraws itself; stdout keeps the summary a script can read.
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=options["no_progress"],
            transient=False,
        ) as progress:
            bars: dict[str, TaskID] = {}

            def on_progress(stage: str, done: int, total: int) -> None:
                if stage not in bars:
                    bars[stage] = progress.add_task(_STAGES[stage], total=total)
                progress.update(bars[stage], completed=done, total=total)

            result = groups_rebuild(on_progress=on_progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Grouped {result.annotations:,} comments ({result.groupable:,} long enough to group): "
                f"{result.groups:,} groups, {result.members:,} members, in {elapsed:.1f} s."
            )
        )

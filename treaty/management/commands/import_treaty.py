import datetime
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from treaty.importers.detect import parse
from treaty.importers.tree import TreatyFormatError
from treaty.services import ImportRefused, version_import


class Command(BaseCommand):
    help = "Import a treaty text (Markdown or plain text copied from the official PDF) as a draft version."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version LABEL` is part of the command contract (DESIGN §8); it replaces Django's own
        # --version flag (print Django's version), which "resolve" lets us override.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="UTF-8 file with the treaty text")
        parser.add_argument("--slug", required=True, help="treaty slug, e.g. un-cybercrime-convention")
        parser.add_argument("--version", required=True, dest="label", help="draft label, e.g. A/AC.291/L.15")
        parser.add_argument("--title", default="", help="treaty title (default: the file's title)")
        parser.add_argument("--format", default="auto", choices=["auto", "markdown", "pandoc", "text"])
        parser.add_argument(
            "--language", default=None, help="BCP 47 tag: ar, en, es, fr, ru or zh (default: detected)"
        )
        parser.add_argument(
            "--allow-key-mismatch",
            action="store_true",
            help="import a language version whose provision keys differ from its siblings'"
            " (the difference is recorded)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace a version's different text if nothing refers to it",
        )

        parser.add_argument(
            "--follows", default="", metavar="LABEL", help="label of the draft this one revises (same treaty)"
        )
        parser.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD", help="the draft's date")
        parser.add_argument(
            "--current",
            action="store_true",
            help="make it the draft open for comment; supersedes the draft it follows",
        )
        parser.add_argument(
            "--allow-gaps",
            action="store_true",
            help="accept a gap in the article numbering (a draft printed without struck articles)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror})") from error
        try:
            document = parse(
                raw, format=options["format"], language=options["language"], allow_gaps=options["allow_gaps"]
            )
            result = version_import(
                treaty_slug=options["slug"],
                label=options["label"],
                document=document,
                source_format=document.format or options["format"],
                title=options["title"],
                replace=options["replace"],
                follows=options["follows"],
                date=options["date"],
                current=options["current"],
                allow_key_mismatch=options["allow_key_mismatch"],
            )
        except TreatyFormatError as error:
            raise CommandError(f"{path}: {error}; nothing was imported") from error
        except ImportRefused as error:
            raise CommandError(f"{error}; nothing was imported") from error

        version = result.version
        what = "unchanged" if result.unchanged else "replaced" if result.replaced else "imported"
        lineage = ""
        if version.follows and options["current"]:
            lineage = f" It follows {version.follows} (mapped) and is now the current draft."
        elif version.follows:
            lineage = f" It follows {version.follows}; the mapping runs in the background."
        elif options["current"]:
            lineage = " It is now the current draft."
        if version.key_mismatch:
            self.stdout.write(
                self.style.WARNING(
                    f"Provision keys differ from the {version.key_mismatch['against']} text (recorded):"
                    f" missing {', '.join(version.key_mismatch['missing']) or 'none'};"
                    f" extra {', '.join(version.key_mismatch['extra']) or 'none'}."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.treaty.slug} {version.label} ({version.language}) {what}: "
                f"{result.article_count} articles, {result.provision_count} provisions.{lineage}"
            )
        )


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None

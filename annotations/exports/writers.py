"""CSV and NDJSON writers over export rows, streamed in pieces of tens of kB in constant memory.
They are the reference the PostgreSQL COPY path (annotations/exports/pg_copy.py) is tested
against, byte for byte.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from annotations.csv_cells import FORMULA_STARTS
from annotations.exports.rows import CSV_COLUMNS, PUBLIC_COLUMNS, TAG_NAMES_SEPARATOR, Permalinks, flat_record

# Rows per piece of streamed text: each piece is encoded and sent as one, so a piece per row would
# spend more time in the response machinery than in writing the row (memory: a few hundred kB).
ROWS_PER_PIECE = 500
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False) builds one per call


def csv_head(*, with_status: bool) -> str:
    """What a CSV export starts with, rows or none: the BOM, then the header line."""
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS if with_status else PUBLIC_COLUMNS)
    return "\ufeff" + out.getvalue()  # the BOM makes spreadsheets read UTF-8


def stream_csv(rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]:
    yield csv_head(with_status=with_status)
    out = io.StringIO()
    writer = csv.writer(out)
    link = Permalinks()
    for count, row in enumerate(rows, 1):
        record = flat_record(row, with_status=with_status, link=link)
        record["tags"] = " ".join(record["tags"])
        record["tag_names"] = TAG_NAMES_SEPARATOR.join(record["tag_names"])
        # flat_record's keys are the columns, in order; csv_safe inlined (the hottest line here).
        writer.writerow(
            [
                "'" + value if isinstance(value, str) and value[:1] in FORMULA_STARTS else value
                for value in record.values()
            ]
        )
        if count % ROWS_PER_PIECE == 0:
            yield _drain(out)
    if out.tell():
        yield _drain(out)


def _drain(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def stream_ndjson(rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]:
    link = Permalinks()
    lines: list[str] = []
    for row in rows:
        lines.append(_JSON.encode(flat_record(row, with_status=with_status, link=link)))
        if len(lines) == ROWS_PER_PIECE:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


class Writer(Protocol):
    def __call__(self, rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]: ...


WRITERS: dict[str, Writer] = {"csv": stream_csv, "ndjson": stream_ndjson}


class ExportStream:
    """An export's bytes, in pieces of tens of kB; once they have all been read, `row_count` is the
    number of rows they held (an export job records it)."""

    row_count = 0

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError


class WrittenExport(ExportStream):
    """Rows written by one of the writers here."""

    def __init__(self, rows: Iterable[dict[str, Any]], writer: Writer, *, with_status: bool) -> None:
        self._rows = rows
        self._writer = writer
        self._with_status = with_status

    def __iter__(self) -> Iterator[bytes]:
        for text in self._writer(self._counted(), with_status=self._with_status):
            yield text.encode()

    def _counted(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            self.row_count += 1
            yield row

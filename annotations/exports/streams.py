"""The way in for a CSV or NDJSON export: on PostgreSQL the database formats the very same bytes
(annotations/exports/pg_copy.py, faster); elsewhere the writers (annotations/exports/writers.py) do.
"""

from django.db import connections
from django.db.models import QuerySet

from annotations.exports.pg_copy import CopyExport
from annotations.exports.rows import export_rows
from annotations.exports.writers import WRITERS, ExportStream, WrittenExport
from annotations.models import Annotation


def stream(annotations: QuerySet[Annotation], kind: str, *, with_status: bool) -> ExportStream:
    """The CSV or NDJSON export of these annotations (already scoped to the viewer), in id order."""
    if connections[annotations.db].vendor == "postgresql":
        return CopyExport(annotations, kind, with_status=with_status)
    return WrittenExport(export_rows(annotations), WRITERS[kind], with_status=with_status)

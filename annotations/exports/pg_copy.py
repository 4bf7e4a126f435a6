"""CSV and NDJSON exports formatted by PostgreSQL: one `COPY (SELECT …) TO STDOUT` writes the bytes
annotations.exports.rows's writers would (issue 7 asks for 50,000 rows/s over a million annotations; the
writers manage about half that, this two to three times it: bench/exports.py).

Byte for byte the same as the writers (tests/annotations/exports/test_export_copy.py holds it to that):
- CSV: PostgreSQL quotes exactly what Python's csv module quotes (the delimiter, quotes, CR, LF),
  but it quotes an empty string and ends a row with LF: empty strings are sent as NULL (written as
  nothing), and each row's final LF becomes CRLF (COPY sends one row per message, and a row's own
  CR or LF is always inside quotes, so the last byte is the terminator). A cell that a spreadsheet
  would run as a formula gets its leading quote in SQL, as in Python.
- NDJSON: each line is put together in SQL; to_json() escapes strings as Python's json does with
  ensure_ascii=False. The line is read as a single CSV column whose delimiter and quote are control
  characters JSON never holds raw, so COPY passes it through untouched.
- Timestamps: ISO 8601 in UTC with "Z", to the minute (annotations.public_time), as rows.iso_time.
- Permalinks: /annotations/<id>/ on the site's address (rows.permalink_prefix), passed in with
  each unit's article number as arrays.
"""

import json
from collections.abc import Iterator

from django.db import connections
from django.db.models import QuerySet
from psycopg.pq import TransactionStatus

from accounts.models import Attribution
from annotations.csv_cells import FORMULA_STARTS
from annotations.exports.rows import CSV_COLUMNS, SEVERITY_WORDS, TAG_NAMES_SEPARATOR, permalink_prefix
from annotations.exports.writers import ExportStream, csv_head
from annotations.models import Annotation, Status
from treaty.models import Provision

# Bytes per piece handed to the response: a piece per row would cost more in the WSGI machinery
# than PostgreSQL spends on the row.
PIECE_BYTES = 64 * 1024

_SEVERITY_CASES = " ".join(f"WHEN {code} THEN '{word}'" for code, word in SEVERITY_WORDS.items())
# flat_record's values in SQL, by kind: the kind says how each format writes the value.
_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("int", "a.id"),
    "permalink": ("text", "link.prefix || a.id || '/'"),
    "treaty": ("text", "t.slug"),
    "version": ("text", "v.label"),
    "language": ("text", "v.language"),
    "article": ("text", "link.article_number"),
    "provision": ("text", "tg.provision_key"),
    "provision_label": ("text", "p.label"),
    "quote": ("text", "tg.exact"),
    "tags": ("tags", "tl.tags"),
    "tag_names": ("tags", "tl.names"),
    "severity": ("int", "a.severity"),
    "severity_label": (
        "text",
        "CASE a.severity "
        + " ".join(f"WHEN {code} THEN '{word}'" for code, word in SEVERITY_WORDS.items())
        + " END",
    ),
    "position": ("text", "a.position"),
    "body": ("text", "a.body"),
    "comment_language": ("text", "a.comment_language"),
    "proposed_text": ("text", "a.proposed_text"),
    # An anonymous annotation's organisation would say who wrote it (rows.public_organization).
    "organization": (
        "text",
        f"CASE WHEN a.attribution = '{Attribution.ANONYMOUS}' THEN '' ELSE coalesce(o.name, '') END",
    ),
    "attribution": ("text", "a.attribution"),
    "status": ("text", "a.status"),
    "featured": ("bool", "a.featured"),
    "endorsements": ("int", "coalesce(e.n, 0)"),
    "replies": ("int", "coalesce(r.n, 0)"),
    # To the minute, as everything the public reads (annotations.public_time).
    "created": ("time", "date_trunc('minute', a.created_at)"),
    "modified": ("time", "date_trunc('minute', a.updated_at)"),
    "group_id": ("int", "gs.group_id"),
    "group_size": ("int", "gs.n"),
}
assert list(_COLUMNS) == CSV_COLUMNS  # the same columns in the same order as the writers

_FORMULA_CODES = ", ".join(str(ord(start)) for start in sorted(FORMULA_STARTS))
# datetime.isoformat() leaves out a zero microsecond part.
_ISO = (
    "to_char({0} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {0}) = {0}"
    """ THEN 'YYYY-MM-DD"T"HH24:MI:SS"Z"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' END)"""
)


def _csv_value(kind: str, value: str) -> str:
    if kind in ("text", "tags"):
        # A formula start gets a leading quote (csv_cells.csv_safe); '' is NULL, which COPY writes as
        # nothing (it would write a non-null empty string as "").
        return (
            f"CASE WHEN ascii({value}) IN ({_FORMULA_CODES}) THEN '''' || {value}"
            f" ELSE nullif({value}, '') END"
        )
    if kind == "bool":
        return f"CASE {value} WHEN true THEN 'True' WHEN false THEN 'False' END"
    if kind == "time":
        return _ISO.format(value)
    return value


def _json_value(kind: str, value: str) -> str:
    if kind == "text":
        return f"coalesce(to_json({value})::text, 'null')"
    if kind == "tags":
        return f"'[' || coalesce({value}, '') || ']'"
    if kind == "bool":
        return f"CASE {value} WHEN true THEN 'true' WHEN false THEN 'false' ELSE 'null' END"
    if kind == "time":
        return f"'\"' || {_ISO.format(value)} || '\"'"
    return f"coalesce({value}::text, 'null')"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _select_list(kind: str, *, with_status: bool) -> str:
    names = [name for name in _COLUMNS if with_status or name != "status"]
    if kind == "csv":
        return ",\n       ".join(_csv_value(*_COLUMNS[name]) for name in names)
    # One text column holding the whole line: {"id": 1, "permalink": "…", …} (json's separators).
    parts = [
        _literal(("{" if index == 0 else ", ") + json.dumps(name) + ": ")
        + " || "
        + _json_value(*_COLUMNS[name])
        for index, name in enumerate(names)
    ]
    return " ||\n       ".join([*parts, "'}'"])


# The tags of one annotation (slugs, then names), as export_rows orders them: by concern tag order,
# then id.
_TAG_ORDER = 'ORDER BY c."order", c.id'
_TAGS = {
    "csv": f"string_agg(c.slug, ' ' {_TAG_ORDER}) AS tags,"
    f" string_agg(c.name, {_literal(TAG_NAMES_SEPARATOR)} {_TAG_ORDER}) AS names",
    "ndjson": f"string_agg(to_json(c.slug)::text, ', ' {_TAG_ORDER}) AS tags,"
    f" string_agg(to_json(c.name)::text, ', ' {_TAG_ORDER}) AS names",
}
_OPTIONS = {
    "csv": "FORMAT csv",
    # No JSON text holds a raw byte below 0x20, so nothing is ever quoted or escaped.
    "ndjson": "FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02'",
}


def _copy_statement(selection: str, kind: str, *, with_status: bool) -> str:
    """COPY of the annotations whose ids `selection` (SQL) selects. Its parameters: the selection's,
    then the article ids, their permalink prefixes and their article numbers (three arrays)."""
    # The selection is computed once (MATERIALIZED) and everything else is joined to it: the tags
    # and counts are hash aggregates over the selected annotations only, so a narrow export of a
    # large table stays cheap and a full one reads each table once.
    return f"""COPY (
WITH selected(id) AS MATERIALIZED ({selection}),
tag_lists AS (
    SELECT at.annotation_id, {_TAGS[kind]}
      FROM selected s
      JOIN annotations_annotation_tags at ON at.annotation_id = s.id
      JOIN annotations_concerntag c ON c.id = at.concerntag_id
     GROUP BY at.annotation_id),
endorsed AS (
    SELECT e.annotation_id, count(*) AS n
      FROM selected s JOIN annotations_endorsement e ON e.annotation_id = s.id
     GROUP BY e.annotation_id),
replied AS (
    SELECT r.annotation_id, count(*) AS n
      FROM selected s JOIN annotations_reply r ON r.annotation_id = s.id
     WHERE r.deleted_at IS NULL AND r.status = '{Status.APPROVED}'
     GROUP BY r.annotation_id),
group_sizes AS (
    SELECT m.group_id, count(*) AS n
      FROM annotations_campaignmember m JOIN annotations_annotation ga ON ga.id = m.annotation_id
     WHERE m.group_id IN (SELECT sm.group_id FROM selected s
                            JOIN annotations_campaignmember sm ON sm.annotation_id = s.id)
       AND ga.deleted_at IS NULL{"" if with_status else f" AND ga.status = '{Status.APPROVED}'"}
     GROUP BY m.group_id
    HAVING count(*) >= 2)
SELECT {_select_list(kind, with_status=with_status)}
  FROM selected s
  JOIN annotations_annotation a ON a.id = s.id
  JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS link(article_id, prefix, article_number)
    ON link.article_id = a.article_id
  JOIN treaty_draftversion v ON v.id = a.version_id
  JOIN treaty_treaty t ON t.id = v.treaty_id
  JOIN annotations_target tg ON tg.id = a.target_id
  JOIN treaty_provision p ON p.id = a.provision_id
  LEFT JOIN accounts_organization o ON o.id = a.organization_id
  LEFT JOIN tag_lists tl ON tl.annotation_id = a.id
  LEFT JOIN endorsed e ON e.annotation_id = a.id
  LEFT JOIN replied r ON r.annotation_id = a.id
  LEFT JOIN annotations_campaignmember gm ON gm.annotation_id = a.id
  LEFT JOIN group_sizes gs ON gs.group_id = gm.group_id
 ORDER BY a.id
) TO STDOUT WITH ({_OPTIONS[kind]})"""  # noqa: S608 (module constants only; values are parameters)


class CopyExport(ExportStream):
    """The CSV or NDJSON export of these annotations (already scoped to the viewer) by PostgreSQL."""

    def __init__(self, annotations: QuerySet[Annotation], kind: str, *, with_status: bool) -> None:
        if kind not in _OPTIONS:
            raise ValueError(f"No COPY export as {kind!r}.")
        self._annotations = annotations.order_by()
        self._kind = kind
        self._with_status = with_status

    def _units(self) -> tuple[list[int], list[str], list[str]]:
        """The articles (and other units) the annotations are on, with their permalink prefixes and
        article numbers (empty for a unit that is not an article).
        An annotation whose unit is not among them is left out: one on a unit first annotated
        after this query, as if the export had begun a moment earlier."""
        units = Provision.objects.using(self._annotations.db).filter(
            pk__in=self._annotations.values("article_id")
        )
        prefix = permalink_prefix()
        ids: list[int] = []
        prefixes: list[str] = []
        numbers: list[str] = []
        for pk, kind, number in units.values_list("pk", "kind", "number"):
            ids.append(pk)
            prefixes.append(prefix)
            numbers.append(number if kind == "article" else "")
        return ids, prefixes, numbers

    def __iter__(self) -> Iterator[bytes]:
        connection = connections[self._annotations.db]
        selection, params = self._annotations.values("pk").query.get_compiler(connection=connection).as_sql()
        statement = _copy_statement(selection, self._kind, with_status=self._with_status)
        # Bound here, client-side, as psycopg binds a COPY's parameters anyway: Django's query log
        # (CaptureQueriesContext, debug) records a cursor's copy() with its statement only.
        parameters = [*params, *self._units()]
        sql = connection.ops.compose_sql(statement, parameters)  # type: ignore[attr-defined]
        crlf = self._kind == "csv"
        if crlf:
            yield csv_head(with_status=self._with_status).encode()
        piece = bytearray()
        try:
            with connection.cursor() as cursor:
                with cursor.copy(sql) as copy:
                    for row in copy:  # one row per message, its LF last
                        if crlf:
                            piece += row[:-1]
                            piece += b"\r\n"
                        else:
                            piece += row
                        if len(piece) >= PIECE_BYTES:
                            yield bytes(piece)
                            piece.clear()
                self.row_count = cursor.rowcount
        except GeneratorExit:
            # A reader that stops early (a client gone) has psycopg cancel the COPY, which fails the
            # transaction if there is one: Django's atomic block must then roll back, not commit.
            failed = connection.connection.info.transaction_status == TransactionStatus.INERROR
            if failed and connection.in_atomic_block:
                connection.needs_rollback = True
            raise
        if piece:
            yield bytes(piece)
